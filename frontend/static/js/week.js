// The week view is drawn in the zone its address names (?tz=), UTC when it names none. Where
// script runs and the address names no zone, it is drawn again in the reader's own zone, so
// that blocks sit at the hours the reader lives in.
(function () {
  "use strict";

  var nav = document.querySelector("[data-week-zone]");
  if (!nav || nav.getAttribute("data-tz-given") || !window.Intl || !window.URL) {
    return;
  }
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (zone && zone !== nav.getAttribute("data-week-zone")) {
    var address = new URL(window.location.href);
    address.searchParams.set("tz", zone);
    window.location.replace(address.toString());
  }
}());
