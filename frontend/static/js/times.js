// Shows times in the reader's own time zone; without JavaScript they stay in UTC, marked as such.
// Forms whose dates the reader types learn the reader's zone, so that days start at their midnight.
(function () {
  "use strict";

  var formats = {
    clock: { hour: "2-digit", minute: "2-digit" },
    moment: { day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" },
    weekday: { weekday: "short", day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" }
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

  function readerZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  }

  // A period typed in UTC on the first visit is shown in the reader's zone instead.
  function toLocalInput(input, fromZone) {
    if (!input.value || fromZone) {
      return;
    }
    var when = new Date(input.value + "Z");
    if (isNaN(when.getTime())) {
      return;
    }
    var local = new Date(when.getTime() - when.getTimezoneOffset() * 60000);
    input.value = local.toISOString().slice(0, 16);
  }

  function shareZone() {
    var zone = readerZone();
    if (!zone) {
      return;
    }
    document.querySelectorAll("input[data-reader-zone]").forEach(function (field) {
      var before = field.value;
      if (before !== zone) {
        field.form.querySelectorAll("input[type=datetime-local]").forEach(function (input) {
          toLocalInput(input, before);
        });
      }
      field.value = zone;
    });
    document.querySelectorAll("[data-reader-zone-name]").forEach(function (el) {
      el.textContent = "(" + zone + ")";
    });
  }

  window.ReserviaTimes = { localize: localize };
  localize(document);
  shareZone();
}());
