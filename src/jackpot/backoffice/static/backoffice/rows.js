/* The admin's row inputs (tiers, postcodes, accepted values): "Add another" appends a blank row
   numbered after the last one. Without this script the blank rows the page brings suffice. */
(function () {
  "use strict";
  function setup(box) {
    var body = box.querySelector("[data-rows-body]");
    var add = box.querySelector("[data-rows-add]");
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = body.querySelectorAll("[data-row]");
      var last = rows[rows.length - 1];
      var row = last.cloneNode(true);
      var next = rows.length;
      row.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/-\d+-(\w+)$/, "-" + next + "-$1");
        input.id = input.id.replace(/-\d+-(\w+)$/, "-" + next + "-$1");
        input.setAttribute("aria-label", input.getAttribute("data-label").replace("__n__", next + 1));
        input.value = "";
      });
      body.appendChild(row);
      row.querySelector("input").focus();
    });
  }
  function start() { document.querySelectorAll("[data-rows]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
