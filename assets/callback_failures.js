/* Every failed action is shown where the user acted.

   Dash's renderer drops a failed callback silently (production mode: no dev tools): a 503 while the
   database is locked, a network cut or a 500 left "Report progress" looking as if nothing happened.
   This wraps fetch for /_dash-update-component only: when a request the user started (a click, a
   typed value, an upload) fails, a translated alert appears just under the control they used. It is
   drawn outside React's tree (so Dash never fights over the node) and touches no input, so what the
   user typed stays. A later success of the same callback, or the close button, removes it.
   Background refreshes (intervals, the live version, stores) are not reported: nobody acted there.
   The texts come from the shell (#pulse-failure-text, data-* attributes), in the user's language. */
(function () {
  "use strict";
  var ENDPOINT = "_dash-update-component";
  var BACKGROUND_PROPS = { n_intervals: true, data: true };
  var BACKGROUND_IDS = { "pulse-live-tick": true, "pulse-live-visible-tick": true, "pulse-live-version": true };
  var RECENT_MS = 60000;
  var shown = {};
  var lastActed = { element: null, at: 0 };
  var original = window.fetch;
  if (!original) { return; }

  function remember(event) {
    if (event.target && event.target.nodeType === 1) {
      lastActed = { element: event.target, at: Date.now() };
    }
  }
  ["click", "change", "input", "keydown"].forEach(function (name) {
    document.addEventListener(name, remember, true);
  });

  function text(kind) {
    var holder = document.getElementById("pulse-failure-text");
    return (holder && holder.getAttribute("data-" + kind)) || (holder && holder.getAttribute("data-error")) || "";
  }

  function describe(body) {
    var request = { key: "", triggers: [] };
    if (typeof body !== "string") { return request; }
    try {
      var parsed = JSON.parse(body);
      request.key = typeof parsed.output === "string" ? parsed.output : "";
      request.triggers = Array.isArray(parsed.changedPropIds) ? parsed.changedPropIds : [];
      request.outputs = [].concat(parsed.outputs || []);
    } catch (error) { /* not ours to judge: the server answers it */ }
    return request;
  }

  function splitPropId(propId) {
    var dot = String(propId).lastIndexOf(".");
    return dot < 0 ? { id: String(propId), prop: "" } : { id: propId.slice(0, dot), prop: propId.slice(dot + 1) };
  }

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  /* The element to show the alert under, or null for a request nobody started. */
  function anchorFor(request) {
    var triggers = request.triggers.map(splitPropId);
    var user = triggers.filter(function (t) { return !BACKGROUND_PROPS[t.prop] && !BACKGROUND_IDS[t.id]; });
    if (triggers.length && !user.length) { return null; }
    if (user.length && user[0].id === "_pages_location") { return byId("_pages_content"); }
    for (var i = 0; i < user.length; i += 1) {
      var element = byId(user[i].id);
      if (element && element.isConnected) { return element; }
    }
    if (user.length && lastActed.element && Date.now() - lastActed.at < RECENT_MS && lastActed.element.isConnected) {
      return lastActed.element;
    }
    if (!triggers.length) {  // a page's first load: show it where the content should have appeared
      var first = (request.outputs || [])[0];
      var id = first && (typeof first.id === "string" ? first.id : null);
      return byId(id);
    }
    return null;
  }

  function kindOf(status) {
    if (status === 503) { return "busy"; }
    if (status === 401) { return "session"; }
    if (status === 413) { return "too_large"; }
    if (status === 0 || status === 502 || status === 504) { return "offline"; }
    return "error";
  }

  function clear(key) {
    var old = shown[key];
    if (old && old.parentNode) { old.parentNode.removeChild(old); }
    delete shown[key];
  }

  function show(request, anchor, kind) {
    if (!anchor) { return; }
    clear(request.key);
    var box = document.createElement("div");
    box.className = "alert alert-danger shadow pulse-callback-failure d-flex align-items-start gap-2";
    box.setAttribute("role", "alert");
    box.setAttribute("data-kind", kind);
    var message = document.createElement("div");
    message.className = "flex-grow-1";
    message.textContent = text(kind);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("aria-label", text("close"));
    close.addEventListener("click", function () { clear(request.key); });
    box.appendChild(message);
    box.appendChild(close);
    var rect = anchor.getBoundingClientRect();
    var left = Math.max(8, rect.left + window.scrollX);
    box.style.position = "absolute";
    box.style.zIndex = "2000";
    box.style.top = rect.bottom + window.scrollY + 6 + "px";
    box.style.left = left + "px";
    box.style.maxWidth = Math.max(280, Math.min(560, document.documentElement.clientWidth - left - 16)) + "px";
    document.body.appendChild(box);
    shown[request.key] = box;
  }

  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    if (url.indexOf(ENDPOINT) === -1) { return original.apply(this, arguments); }
    var request = describe(init && init.body);
    var anchor = anchorFor(request);
    return original.apply(this, arguments).then(
      function (response) {
        if (response.ok && request.key.indexOf("_pages_content") !== -1) {
          Object.keys(shown).forEach(clear);  // another page: its alerts went with it
        } else if (response.ok) {
          clear(request.key);
        } else {
          show(request, anchor, kindOf(response.status));
        }
        return response;
      },
      function (error) {
        show(request, anchor, "offline");
        throw error;
      }
    );
  };
})();
