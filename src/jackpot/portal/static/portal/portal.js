/* Small conveniences for the partner portal; every page works without them. */
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (master) {
    var form = master.form;
    var name = master.getAttribute("data-select-all");
    var boxes = function () { return form.querySelectorAll('input[type=checkbox][name="' + name + '"]'); };
    var counter = form.querySelector("[data-selected-count]");
    var refresh = function () {
      var all = boxes(), checked = 0;
      all.forEach(function (b) { if (b.checked) checked++; b.closest("tr").classList.toggle("selected", b.checked); });
      master.checked = checked > 0 && checked === all.length;
      master.indeterminate = checked > 0 && checked < all.length;
      if (counter) { counter.hidden = checked === 0; counter.textContent = checked + " ✓"; }
    };
    master.addEventListener("change", function () { boxes().forEach(function (b) { b.checked = master.checked; }); refresh(); });
    form.addEventListener("change", function (e) { if (e.target !== master) refresh(); });
    refresh();
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target || !navigator.clipboard) return;
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        var label = button.textContent; button.textContent = "✓"; setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
  /* A table wider than its box scrolls sideways: the keyboard can reach it then (Tab, arrows). */
  var scrollers = document.querySelectorAll(".table-wrap");
  var reachable = function () {
    scrollers.forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    });
  };
  reachable();
  window.addEventListener("resize", reachable);
  /* The menu on small screens: the button opens the sidebar over the page; Escape, the close
     button or the shade closes it. While it is open the page behind is inert; while it is
     closed the sidebar is hidden (CSS visibility), so Tab never walks its links. */
  var menu = document.querySelector(".menu-button");
  var sidebar = document.getElementById("sidebar");
  var page = document.querySelector(".main");
  if (menu && sidebar) {
    var setOpen = function (open, giveBackFocus) {
      document.documentElement.classList.toggle("nav-open", open);
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      if (page) page.inert = open;
      if (open) sidebar.querySelector("[data-nav-close]").focus();
      else if (giveBackFocus) menu.focus();
    };
    menu.addEventListener("click", function () { setOpen(true); });
    document.querySelectorAll("[data-nav-close]").forEach(function (closer) {
      closer.addEventListener("click", function () { setOpen(false, true); });
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && document.documentElement.classList.contains("nav-open")) setOpen(false, true);
    });
    window.matchMedia("(min-width: 961px)").addEventListener("change", function (wide) {
      if (wide.matches) setOpen(false);
    });
  }
})();
