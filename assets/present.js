/* Big-screen mode. Keys drive the playlist (right/left/space/p) by clicking its hidden buttons, so all
   state stays in Dash callbacks; F toggles fullscreen; the cursor hides after 3 s without movement.
   Nothing here talks to the server (the app's CSP allows no inline script: this file is an asset). */
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
  var IDLE_MS = 3000;
  var idleTimer = null;

  function onWall() { return document.getElementById("present-root") !== null; }

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      if (document.exitFullscreen) { document.exitFullscreen(); }
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { /* refused: stay windowed */ });
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!onWall()) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) { return; }
    if (event.key === "f" || event.key === "F") {
      event.preventDefault();
      toggleFullscreen();
      return;
    }
    var id = KEY_TO_BUTTON[event.key];
    if (!id) { return; }
    var button = document.getElementById(id);
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  function restartIdle() {
    document.documentElement.classList.remove("wall-idle");
    if (idleTimer !== null) { clearTimeout(idleTimer); }
    idleTimer = setTimeout(function () {
      if (onWall()) { document.documentElement.classList.add("wall-idle"); }
    }, IDLE_MS);
  }
  document.addEventListener("mousemove", restartIdle);
  document.addEventListener("DOMContentLoaded", restartIdle);
  restartIdle();
})();
