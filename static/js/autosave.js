// Autosave feedback for the questionnaire: an answer counts as saved only when the server said
// so. A failed save (5xx, no connection, an expired session) says "Nicht gespeichert" with a
// retry button, keeps what the person typed, and is retried by itself when the browser comes
// back online. 4xx answers carry a message for the person and are swapped in at the question.
(function () {
  "use strict";
  var failed = new Set(); // question keys whose last save failed

  function keyOf(elt) {
    return elt && elt.dataset ? elt.dataset.autosave : undefined;
  }
  function texts(elt) {
    var holder = elt.closest("[data-autosave-messages]");
    return holder ? holder.dataset : {};
  }
  function statusOf(key) {
    return document.getElementById("status-" + key);
  }

  function showSaving(elt) {
    var status = statusOf(keyOf(elt));
    if (!status) return;
    status.textContent = texts(elt).msgSaving || "…";
    status.className = "save-status small text-body-secondary";
    status.setAttribute("role", "status");
  }

  function showUnsaved(elt, reason) {
    var key = keyOf(elt);
    var status = statusOf(key);
    var t = texts(elt);
    failed.add(key);
    if (!status) return;
    status.textContent = (reason || t.msgUnsaved || "Nicht gespeichert.") + " ";
    status.className = "save-status small text-danger fw-semibold";
    status.setAttribute("role", "alert");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-danger py-0 ms-1";
    button.textContent = t.msgRetry || "Erneut versuchen";
    button.addEventListener("click", function () {
      retry(key);
    });
    status.appendChild(button);
  }

  function retry(key) {
    failed.delete(key);
    var fieldset = document.getElementById("q-" + key);
    if (fieldset && window.htmx) htmx.trigger(fieldset, "change");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (keyOf(event.detail.elt)) showSaving(event.detail.elt);
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (keyOf(event.detail.elt)) showUnsaved(event.detail.elt);
  });
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (keyOf(elt)) showUnsaved(elt, texts(elt).msgOffline);
  });
  document.addEventListener("htmx:timeout", function (event) {
    var elt = event.detail.elt;
    if (keyOf(elt)) showUnsaved(elt, texts(elt).msgOffline);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    var key = keyOf(elt);
    if (!key) return;
    var xhr = event.detail.xhr;
    if (xhr.status >= 500) return; // not swapped; htmx:responseError follows
    // Only our status fragment confirms a save; anything else (the login page after an
    // expired session, a proxy's page) must not be swapped in or look saved.
    if (xhr.responseText.indexOf('id="status-' + key + '"') === -1) {
      event.detail.shouldSwap = false;
      showUnsaved(elt, texts(elt).msgSession);
      return;
    }
    if (xhr.status < 300) failed.delete(key);
  });
  window.addEventListener("online", function () {
    Array.from(failed).forEach(retry);
  });
})();
