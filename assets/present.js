/* Big-screen mode: keys drive the playlist (left/right/space/p) by clicking its hidden buttons,
   so all state stays in Dash callbacks. Nothing here talks to the server. */
(function () {
  "use strict";
  var KEY_TO_BUTTON = {
    ArrowRight: "present-next",
    ArrowLeft: "present-prev",
    " ": "present-next",
    Spacebar: "present-next",
    p: "present-pause",
    P: "present-pause"
  };
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("present-root")) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) { return; }
    var id = KEY_TO_BUTTON[event.key];
    if (!id) { return; }
    var button = document.getElementById(id);
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
