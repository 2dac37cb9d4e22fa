/* Names for the controls Django's admin scripts draw without one, so that assistive technology
   can tell them (checked by axe-core in tests/backoffice/test_admin_a11y.py):
   - the "filter" icons of the two-box selectors (groups, permissions) carry an aria-label that a
     plain span may not have: they become images;
   - the autocomplete boxes (select2) are named by their field's label;
   - a list or an inline table wider than the screen scrolls: the keyboard can reach it. */
(function () {
  "use strict";
  function name() {
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var box = select.parentElement.querySelector(".select2-selection");
      if (!label || !box) return;
      label.id = label.id || select.id + "-label";
      var shown = box.getAttribute("aria-labelledby") || "";
      if (shown.indexOf(label.id) === -1) box.setAttribute("aria-labelledby", (label.id + " " + shown).trim());
      var rendered = box.querySelector(".select2-selection__rendered");  // empty until a choice
      if (rendered) rendered.setAttribute("aria-labelledby", label.id);
    });
  }
  function reachable() {
    document.querySelectorAll(".inline-group, .results").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    });
  }
  window.addEventListener("load", function () { setTimeout(function () { name(); reachable(); }, 0); });
  window.addEventListener("resize", reachable);
})();
