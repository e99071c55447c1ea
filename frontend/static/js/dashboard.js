// Keeps the dashboard current without reloading: the board is fetched again every few seconds,
// and each hold's remaining time counts down. Without JavaScript the page refreshes itself instead.
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board || !window.fetch) {
    return;
  }
  var url = board.getAttribute("data-refresh-url");
  var seconds = Number(board.getAttribute("data-refresh-seconds")) || 5;
  var announcer = document.getElementById("board-announcer");
  var shown = null;  // the last board the server sent

  function yourStates() {
    var states = {};
    board.querySelectorAll(".card").forEach(function (card) {
      states[card.id] = { you: card.getAttribute("data-you"), name: card.getAttribute("data-name") };
    });
    return states;
  }

  function describe(you, name) {
    if (you === "holding") {
      return "Approved: you now hold " + name + ".";
    }
    if (you) {
      return "You are position " + you + " in the queue for " + name + ".";
    }
    return "You no longer have a reservation on " + name + ".";
  }

  function announceChanges(before) {
    var news = [];
    var after = yourStates();
    Object.keys(after).forEach(function (id) {
      if (before[id] && before[id].you !== after[id].you) {
        news.push(describe(after[id].you, after[id].name));
      }
    });
    if (news.length && announcer) {
      announcer.textContent = news.join(" ");
    }
  }

  function show(html) {
    if (html === shown) {
      return;
    }
    var focusedId = document.activeElement && board.contains(document.activeElement)
      ? document.activeElement.id : null;
    var before = yourStates();
    board.innerHTML = html;
    shown = html;
    if (focusedId && document.getElementById(focusedId)) {
      document.getElementById(focusedId).focus();
    }
    announceChanges(before);
    if (window.ReserviaTimes) {
      window.ReserviaTimes.localize(board);
    }
    tick();
  }

  function refresh() {
    if (document.hidden) {
      schedule();
      return;
    }
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected || response.status === 401) {
          window.location.reload();  // logged out meanwhile: the server sends the login page
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          show(html);
        }
      })
      .catch(function () { /* offline for a moment: try again at the next turn */ })
      .then(schedule);
  }

  function schedule() {
    window.setTimeout(refresh, seconds * 1000);
  }

  function remaining(ms) {
    if (ms <= 0) {
      return "ending now";
    }
    var total = Math.ceil(ms / 1000);
    var minutes = Math.floor(total / 60);
    var rest = total % 60;
    return "(" + minutes + ":" + (rest < 10 ? "0" : "") + rest + " left)";
  }

  function tick() {
    var now = Date.now();
    board.querySelectorAll(".countdown[data-until]").forEach(function (el) {
      el.textContent = remaining(Date.parse(el.getAttribute("data-until")) - now);
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      tick();
    }
  });
  window.setInterval(tick, 1000);
  tick();
  schedule();
}());
