// Tells the signed-in user, on whichever Reservia page is open, when one of their events happens
// (their turn came, their hold ends soon, …): a notice at the top of the page, the tab's title,
// and a desktop notification when the user allowed them (the Notification API; no other service).
(function () {
  "use strict";

  var box = document.getElementById("notices");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-feed-url");
  var since = box.getAttribute("data-since");
  var seconds = Number(box.getAttribute("data-refresh-seconds")) || 5;
  var icon = box.getAttribute("data-icon");
  var plainTitle = document.title;
  var SEEN = "reservia-seen-events";

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

  function poll() {
    var stop = false;
    fetch(url + "?since=" + encodeURIComponent(since),
          { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          stop = true;  // logged out meanwhile
        }
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (!answer) {
          return;
        }
        since = answer.now;
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
        if (!stop) {
          // Also while the tab is hidden: that is when a desktop notification helps most.
          window.setTimeout(poll, seconds * 1000);
        }
      });
  }

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
  window.setTimeout(poll, 500);
}());
