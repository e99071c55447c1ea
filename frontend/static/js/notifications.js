// Tells the signed-in user, on whichever Reservia page is open, when one of their events happens
// (their turn came, their hold ends soon, …): a notice at the top of the page, the tab's title,
// and a desktop notification when the user allowed them (the Notification API; no other service).
// Each look at the feed sends back the validator (ETag) of the previous answer, and the server
// answers 304 Not Modified while no event arrived. On the dashboard the board's refresh carries
// the same validator (window.ReserviaNotices), so while it keeps reporting, the feed is asked only
// when a notice arrived: an open page costs one request per interval.
(function () {
  "use strict";

  var box = document.getElementById("notices");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-feed-url");
  var seconds = Number(box.getAttribute("data-refresh-seconds")) || 5;
  // The validator is sent back only while the previous look is at most this old: the server's
  // validator covers what arrives within such a gap (backend/web/notices.py). A tab that slept or
  // was throttled asks for the whole answer instead.
  var gapMs = (Number(box.getAttribute("data-validator-seconds")) || 15) * 1000;
  var icon = box.getAttribute("data-icon");
  var plainTitle = document.title;
  var SEEN = "reservia-seen-events";

  // The server's time from which events are asked for, and this browser's moment at which it was
  // already reached: after a 304 it is moved on by the time elapsed here since, so that the next
  // answer looks back over seconds, not over the hours a quiet page was open.
  var since = box.getAttribute("data-since");
  var sinceAt = moment();
  var version = null;      // the ETag of the last answer: what this page has been told
  var lookedAt = null;     // when the previous look (or a board's report) was sent
  var boardVersion = null; // the validator the board last reported
  var boardReports = false; // this page's board refresh tells whether a notice arrived
  var looking = false;
  var stopped = false;
  var timer = null;

  // Both clocks: the wall clock runs on while a computer sleeps, the monotonic one never jumps.
  function moment() {
    return { wall: Date.now(), mono: window.performance ? window.performance.now() : Date.now() };
  }

  function elapsed(from, to) {
    var wall = to.wall - from.wall;
    var mono = to.mono - from.mono;
    return { least: Math.min(wall, mono), most: Math.max(wall, mono) };
  }

  function recent(sent) {
    return lookedAt !== null && elapsed(lookedAt, sent).most <= gapMs;
  }

  // Nothing arrived as of a look sent at `sent`: the next answer may start from there.
  function current(sent) {
    var from = Date.parse(since);
    var gone = elapsed(sinceAt, sent).least;
    if (!isNaN(from) && gone > 0) {
      since = new Date(from + gone).toISOString();
      sinceAt = sent;
    }
    lookedAt = sent;
  }

  function schedule(delaySeconds) {
    window.clearTimeout(timer);
    if (!stopped) {
      // Also while the tab is hidden: that is when a desktop notification helps most.
      timer = window.setTimeout(look, delaySeconds * 1000);
    }
  }

  // Events already shown in this tab, kept across its pages so that none is shown twice.
  function seen() {
    try {
      return JSON.parse(window.sessionStorage.getItem(SEEN) || "[]");
    } catch (error) {
      return [];
    }
  }

  function remember(id) {
    var ids = seen();
    ids.push(id);
    try {
      window.sessionStorage.setItem(SEEN, JSON.stringify(ids.slice(-200)));
    } catch (error) { /* storage full or refused: the notice is still shown */ }
  }

  function restoreTitle() {
    if (!box.children.length) {
      document.title = plainTitle;
    }
  }

  function desktop(item) {
    if (!("Notification" in window) || window.Notification.permission !== "granted") {
      return;
    }
    try {
      // The tag makes several open tabs show one notification, not one each.
      new window.Notification(item.title, { body: item.message, tag: item.id, icon: icon });
    } catch (error) { /* some browsers allow notifications from service workers only */ }
  }

  function show(item) {
    var notice = document.createElement("div");
    notice.className = "notice notice-" + item.event;
    var title = document.createElement("p");
    title.className = "notice-title";
    title.textContent = item.title;
    var message = document.createElement("p");
    message.textContent = item.message;
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "button button-quiet";
    dismiss.textContent = "Dismiss";
    dismiss.addEventListener("click", function () {
      notice.remove();
      restoreTitle();
    });
    notice.appendChild(title);
    notice.appendChild(message);
    notice.appendChild(dismiss);
    box.appendChild(notice);
    document.title = "(!) " + item.title + " · Reservia";
    desktop(item);
  }

  function look() {
    if (looking) {
      return;
    }
    looking = true;
    var sent = moment();
    var headers = { Accept: "application/json" };
    if (version !== null && recent(sent)) {
      headers["If-None-Match"] = version;
    }
    fetch(url + "?since=" + encodeURIComponent(since),
          { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          stopped = true;  // logged out meanwhile
        }
        if (response.status === 304) {
          current(sent);
          return null;
        }
        if (!response.ok) {
          return null;
        }
        return response.json().then(function (answer) {
          version = response.headers.get("ETag");
          since = answer.now;
          sinceAt = moment();
          lookedAt = sent;
          return answer;
        });
      })
      .then(function (answer) {
        if (!answer) {
          return;
        }
        var known = seen();
        answer.notifications.forEach(function (item) {
          if (known.indexOf(item.id) === -1) {
            remember(item.id);
            show(item);
          }
        });
      })
      .catch(function () { /* offline for a moment: try again at the next turn */ })
      .then(function () {
        looking = false;
        // Where the board reports, this look only stood in for it (or followed its news).
        schedule(boardReports ? 2 * seconds : seconds);
      });
  }

  // The dashboard's board reports each of its refreshes (its answer, and when it was sent). Its
  // validator names the notices too: a 304 says that they did not change, a 200 carries theirs in
  // Reservia-Notices. While that is the validator this page was told, and the board refreshes
  // often enough, nothing arrived and the feed is not asked; the own timer then waits two
  // intervals, taking over when the board falls silent (a background tab refreshes it less often).
  function heard(response, sent) {
    if (stopped) {
      return;
    }
    if (response.status !== 304) {
      boardVersion = response.headers.get("Reservia-Notices");
    }
    if (boardVersion && boardVersion === version && recent(sent)) {
      current(sent);
      schedule(2 * seconds);
    } else {
      look();
    }
  }

  window.ReserviaNotices = {
    // Called once by the dashboard's script: its board refreshes will report.
    followBoard: function () {
      boardReports = true;
    },
    // Called as a refresh of the board is sent; returns what to call with its answer.
    asking: function () {
      var sent = moment();
      return function (response) { heard(response, sent); };
    }
  };

  // The Notifications page offers to allow desktop notifications (browsers ask on a click only).
  var allow = document.getElementById("allow-desktop");
  var state = document.getElementById("desktop-state");

  function describePermission() {
    if (!state) {
      return;
    }
    if (!("Notification" in window)) {
      state.textContent = "This browser cannot show desktop notifications; the notice on the page still appears.";
      return;
    }
    var permission = window.Notification.permission;
    if (permission === "granted") {
      state.textContent = "Desktop notifications are allowed in this browser.";
    } else if (permission === "denied") {
      state.textContent = "Desktop notifications are blocked for this site in the browser's settings.";
    } else {
      state.textContent = "Desktop notifications are not allowed yet in this browser.";
    }
    if (allow) {
      allow.hidden = permission !== "default";
    }
  }

  if (allow && "Notification" in window) {
    allow.addEventListener("click", function () {
      var asked = window.Notification.requestPermission(describePermission);
      if (asked && asked.then) {
        asked.then(describePermission);
      }
    });
  }
  describePermission();
  schedule(0.5);
}());
