// Destructive buttons ask first. Without JavaScript each one unfolds in place (a <details>) to say
// what will happen, with a second button that does it; here the same words and buttons open as
// a dialog, which Escape or Cancel closes without doing anything.
(function () {
  "use strict";

  if (!window.HTMLDialogElement) {
    return;
  }
  var dialog = document.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
  dialog.setAttribute("aria-describedby", "confirm-dialog-what");
  dialog.innerHTML = '<h2 id="confirm-dialog-title"></h2><p id="confirm-dialog-what"></p>' +
    '<div class="confirm-buttons"><button type="button" class="button button-quiet" value="cancel">Cancel</button>' +
    '<button type="button" class="button confirm-go"></button></div>';
  document.body.appendChild(dialog);
  var title = dialog.querySelector("h2");
  var what = dialog.querySelector("p");
  var go = dialog.querySelector(".confirm-go");
  var cancel = dialog.querySelector("[value=cancel]");
  var current = null;

  document.querySelectorAll("details[data-confirm]").forEach(function (details) {
    var summary = details.querySelector("summary");
    summary.setAttribute("aria-haspopup", "dialog");
    summary.addEventListener("click", function (event) {
      event.preventDefault();
      current = details;
      var yes = details.querySelector(".confirm-yes");
      title.textContent = summary.textContent.trim() + "?";
      what.textContent = details.querySelector(".confirm-what").textContent.trim();
      go.textContent = yes.textContent;
      go.className = yes.className.replace("confirm-yes", "confirm-go");
      dialog.showModal();
      cancel.focus();
    });
  });

  cancel.addEventListener("click", function () { dialog.close(); });
  go.addEventListener("click", function () {
    var yes = current.querySelector(".confirm-yes");
    dialog.close();
    yes.form.requestSubmit(yes);
  });
  dialog.addEventListener("close", function () {
    if (current) {
      current.querySelector("summary").focus();
    }
  });
}());
