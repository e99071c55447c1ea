// Shows times in the reader's own time zone; without JavaScript they stay in UTC, marked as such.
(function () {
  "use strict";

  var formats = {
    clock: { hour: "2-digit", minute: "2-digit" },
    moment: { day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }
  };
  var full = { dateStyle: "full", timeStyle: "long" };

  function localize(root) {
    if (!window.Intl || !Intl.DateTimeFormat) {
      return;
    }
    (root || document).querySelectorAll("time[data-show]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      var format = formats[el.getAttribute("data-show")];
      if (isNaN(when.getTime()) || !format) {
        return;
      }
      el.textContent = new Intl.DateTimeFormat(undefined, format).format(when);
      el.title = new Intl.DateTimeFormat(undefined, full).format(when);
    });
  }

  window.ReserviaTimes = { localize: localize };
  localize(document);
}());
