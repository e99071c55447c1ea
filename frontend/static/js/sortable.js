// Tables marked data-sortable sort by any column: its heading becomes a button; a second press
// reverses the order. Cells sort by their data-sort value when they have one (seconds, dates),
// else by their text, numbers as numbers.
(function () {
  "use strict";

  function key(cell) {
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    var number = Number(raw);
    return raw !== "" && !isNaN(number) ? number : raw.toLowerCase();
  }

  function compare(a, b) {
    if (typeof a === typeof b) {
      return a < b ? -1 : a > b ? 1 : 0;
    }
    return typeof a === "number" ? -1 : 1;
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var headings = table.querySelectorAll("thead th");
    var body = table.tBodies[0];
    headings.forEach(function (th, column) {
      if (!th.textContent.trim() || th.querySelector(".visually-hidden")) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.textContent = th.textContent.trim();
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headings.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var order = compare(key(a.cells[column]), key(b.cells[column]));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
}());
