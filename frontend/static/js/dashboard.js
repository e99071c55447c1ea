// Keeps the dashboard current and acts in place. The board is fetched again every few seconds
// (more slowly while the tab is in the background, and at once when it comes back), naming the
// board it has: the server answers 304 Not Modified while nothing on it changed, nor the reader's
// notices (each answer tells notifications.js whether one arrived, so that it need not ask); each
// hold's remaining time counts down; Request, Cancel, Release and Keep alive are posted from the
// page and the board redrawn around the card that was used, so the reader stays where they were.
// The page names the cards it holds (Reservia-Cards): a changed board comes back with the cards
// it already has left out, which it puts back from the board it holds (web/board_cards_sent.py).
// Without JavaScript the forms post as usual and the answer comes back to the same card.
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board || !window.fetch) {
    return;
  }
  var url = board.getAttribute("data-refresh-url");
  var seconds = Number(board.getAttribute("data-refresh-seconds")) || 5;
  // In a background tab: slower, but still current when the reader comes back.
  var backgroundSeconds = Math.max(seconds * 6, 30);
  if (seconds < 5) {
    backgroundSeconds = seconds * 6;  // a test server's short period
  }
  var announcer = document.getElementById("board-announcer");
  var status = document.getElementById("board-status");
  var shown = null;     // the last board the server sent
  var validator = null; // its ETag, sent back as If-None-Match
  var received = null;  // the last board received whole (shown, or waiting to be)
  var cardsHeld = "";   // its cards, as its Reservia-Cards named them
  var pending = null;   // a board waiting for the reader to leave a field they are filling in
  var timer = null;

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

  function editing() {
    var el = document.activeElement;
    return el && board.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  // The element whose place on screen must not move: the card or line acted on, else the first
  // one visible at the top of the window.
  function anchorElement(preferredId) {
    if (preferredId && document.getElementById(preferredId)) {
      return document.getElementById(preferredId);
    }
    var candidates = board.querySelectorAll(".mine, .mine-item, .card");
    for (var i = 0; i < candidates.length; i += 1) {
      if (candidates[i].getBoundingClientRect().bottom > 0) {
        return candidates[i];
      }
    }
    return null;
  }

  // What the reader has chosen or typed but not sent yet, by element id.
  function unsent() {
    var values = {};
    board.querySelectorAll("select[id], input[type=text][id]").forEach(function (el) {
      var changed = el.tagName === "SELECT"
        ? el.selectedIndex >= 0 && !el.options[el.selectedIndex].defaultSelected
        : el.value !== el.defaultValue;
      if (changed) {
        values[el.id] = el.value;
      }
    });
    return values;
  }

  function show(html, anchorId, force) {
    if (html === shown && !force) {
      return;
    }
    if (editing() && !force) {
      pending = html;
      return;
    }
    pending = null;
    var focused = document.activeElement && board.contains(document.activeElement)
      ? document.activeElement.id : null;
    var anchor = anchorElement(anchorId);
    var anchorKey = anchor ? anchor.id : null;
    var topBefore = anchor ? anchor.getBoundingClientRect().top : 0;
    var before = yourStates();
    var typed = unsent();
    board.innerHTML = html;
    shown = html;
    endOfDay();  // before the reader's choices come back: "end of the day" has its minutes again
    Object.keys(typed).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) {
        el.value = typed[id];
      }
    });
    var anchorAfter = anchorKey && document.getElementById(anchorKey);
    if (anchorAfter) {
      window.scrollBy(0, anchorAfter.getBoundingClientRect().top - topBefore);
    }
    if (focused && document.getElementById(focused)) {
      document.getElementById(focused).focus({ preventScroll: true });
    }
    announceChanges(before);
    if (window.ReserviaTimes) {
      window.ReserviaTimes.localize(board);
    }
    tick();
  }

  function stamp(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function clockNow() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  // Each card of a board, by its id, as its text stands in the board.
  function cardsOf(html) {
    var cards = {};
    var pattern = /<article [^>]*?id="(resource-\d+)"[\s\S]*?<\/article>/g;
    var found;
    while ((found = pattern.exec(html)) !== null) {
      cards[found[1]] = found[0];
    }
    return cards;
  }

  // A board sent without the cards the page holds, whole again; null if one is missing.
  function whole(html) {
    if (html.indexOf("<template data-same=") < 0) {
      return html;
    }
    var held = cardsOf(received || "");
    var missing = false;
    var text = html.replace(/<template data-same="(resource-\d+)"><\/template>/g, function (all, id) {
      if (!held[id]) {
        missing = true;
        return all;
      }
      return held[id];
    });
    return missing ? null : text;
  }

  // The board as the server has it now: the one shown when it answers 304 Not Modified.
  function fetchBoard(fresh) {
    var headers = { Accept: "text/html" };
    if (validator && !fresh) {
      headers["If-None-Match"] = validator;
    }
    headers["Reservia-Cards"] = fresh ? "" : cardsHeld;
    // The board's answer also tells the notices whether one arrived (notifications.js).
    var tellNotices = window.ReserviaNotices ? window.ReserviaNotices.asking() : null;
    return fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected || response.status === 401) {
          window.location.reload();  // logged out meanwhile: the server sends the login page
          return null;
        }
        if (tellNotices && (response.status === 304 || response.ok)) {
          tellNotices(response);
        }
        if (response.status === 304) {
          return shown;
        }
        if (!response.ok) {
          return null;
        }
        var cards = response.headers.get("Reservia-Cards");
        return response.text().then(function (sent) {
          var text = whole(sent);
          if (text === null) {
            return fetchBoard(true);  // the page no longer holds a card it named: the whole board
          }
          validator = response.headers.get("ETag");
          received = text;
          cardsHeld = cards || "";
          return text;
        });
      });
  }

  function refresh(anchorId, force) {
    window.clearTimeout(timer);
    return fetchBoard(force)
      .then(function (html) {
        if (html !== null) {
          show(html, anchorId, force);
          stamp("Updated " + clockNow());
        }
      })
      .catch(function () {
        stamp("Could not reach Reservia at " + clockNow() + "; trying again.");
      })
      .then(schedule);
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { refresh(null, false); },
                              (document.hidden ? backgroundSeconds : seconds) * 1000);
  }

  // Messages of actions done in place, where the page shows its messages.
  function message(html, category) {
    var box = document.querySelector(".flashes");
    if (!box) {
      box = document.createElement("div");
      box.className = "flashes flashes-float";
      document.getElementById("content").insertBefore(box, document.getElementById("content").firstChild);
    }
    box.innerHTML = "";
    var p = document.createElement("p");
    p.className = "flash flash-" + category;
    p.setAttribute("role", category === "error" ? "alert" : "status");
    p.innerHTML = html;
    box.appendChild(p);
    if (window.ReserviaTimes) {
      window.ReserviaTimes.localize(box);
    }
    closable(p);
  }

  function closable(p) {
    if (p.querySelector(".flash-close")) {
      return;
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.setAttribute("aria-label", "Dismiss this message");
    close.textContent = "×";
    close.addEventListener("click", function () { p.remove(); });
    p.appendChild(close);
    if (p.classList.contains("flash-success")) {
      // Done is done: the message leaves the cards free again. Errors stay until dismissed.
      window.setTimeout(function () { p.remove(); }, 8000);
    }
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // "Until the end of the day" means the reader's day: minutes to their midnight, offered only
  // while that is within the resource's longest hold.
  function endOfDay() {
    var now = new Date();
    var midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    var minutes = Math.max(1, Math.floor((midnight - now) / 60000));
    board.querySelectorAll("option[data-end-of-day]").forEach(function (option) {
      var max = Number(option.parentNode.getAttribute("data-max")) || Infinity;
      option.value = String(minutes);
      option.hidden = option.disabled = minutes > max;
    });
  }

  board.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("action")) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;  // a second press while the first is on its way
    }
    endOfDay();
    var anchorId = form.getAttribute("data-anchor");
    var body = new URLSearchParams(new FormData(form));
    // Not disabled: a disabled button would lose the focus, which stays on the card used.
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { response: response, answer: answer }; });
    }).then(function (result) {
      var answer = result.answer;
      if (result.response.status === 401 || answer.code === "CSRF_FAILED") {
        form.submit();  // logged out meanwhile: the server takes the reader to log in and back
        return null;
      }
      message(answer.message_html || escapeHtml(answer.error || answer.message || "Done."),
              result.response.ok ? "success" : "error");
      return refresh(anchorId, true);
    }).catch(function () {
      form.submit();  // could not act in place: post the form as without script
    }).then(function () {
      form.removeAttribute("aria-busy");
    });
  });

  board.addEventListener("focusout", function () {
    window.setTimeout(function () {
      if (pending !== null && !editing()) {
        show(pending, null, false);
      }
    }, 0);
  });

  function remaining(ms) {
    if (ms <= 0) {
      return "ending now";
    }
    var total = Math.ceil(ms / 1000);
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var rest = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return "(" + (hours ? hours + ":" + pad(minutes) : minutes) + ":" + pad(rest) + " left)";
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
      refresh(null, false);  // back from the background: bring the board up to date at once
    } else {
      schedule();
    }
  });
  document.querySelectorAll(".flashes .flash").forEach(closable);
  window.setInterval(tick, 1000);
  endOfDay();
  tick();
  stamp("Updated " + clockNow());
  if (window.ReserviaNotices) {
    window.ReserviaNotices.followBoard();
  }
  schedule();
}());
