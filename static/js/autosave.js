// Autosave feedback for the questionnaire: an answer counts as saved only when the server said
// so. A failed save (5xx, no connection) says "Nicht gespeichert" with a retry button, keeps
// what the person typed, and is retried by itself when the browser comes back online. A save
// refused because the sign-in ended or the CSRF cookie went (the answer is the sign-in page or a
// 403 instead of our status fragment) keeps the values in this tab's sessionStorage and offers
// "Anmelden und weitermachen": that link opens the same questions again (through the sign-in
// if needed), where the pending values are put back and saved. 4xx answers carry a message for
// the person and are swapped in at the question; 409 with a conflict notice offers to keep
// either value when someone else saved the same answer meanwhile.
(function () {
  "use strict";
  var failed = new Set(); // question keys whose last save failed
  var signedOut = false; // a save came back as the sign-in page or a CSRF 403
  var STORE = "portal.autosave.pending";

  function fieldsetOf(elt) {
    return elt && elt.closest ? elt.closest("[data-autosave]") : null;
  }
  function keyOf(elt) {
    var fieldset = fieldsetOf(elt);
    return fieldset ? fieldset.dataset.autosave : undefined;
  }
  function texts(elt) {
    var holder = elt && elt.closest ? elt.closest("[data-autosave-messages]") : null;
    return holder ? holder.dataset : {};
  }
  function statusOf(key) {
    return document.getElementById("status-" + key);
  }
  function fieldsetFor(key) {
    return document.getElementById("q-" + key);
  }

  // --- values waiting for a sign-in, per tab ----------------------------------------------
  function pendingRead() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(STORE) || "null");
      return stored && stored.path === window.location.pathname ? stored : null;
    } catch (error) {
      return null;
    }
  }
  function pendingWrite(pending) {
    try {
      if (pending && Object.keys(pending.questions).length) {
        window.sessionStorage.setItem(STORE, JSON.stringify(pending));
      } else {
        window.sessionStorage.removeItem(STORE);
      }
    } catch (error) {
      /* storage full or off: the values stay on screen, the retry button still works */
    }
  }
  function pendingKeep(fieldset) {
    var pending = pendingRead() || { path: window.location.pathname, questions: {} };
    var fields = [];
    Array.from(fieldset.elements).forEach(function (field) {
      if (!field.name || field.disabled) return;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
      if (field.type === "button" || field.type === "submit") return;
      fields.push([field.name, field.value]);
    });
    pending.questions[fieldset.dataset.autosave] = fields;
    pendingWrite(pending);
  }
  function pendingDone(key) {
    var pending = pendingRead();
    if (pending && pending.questions[key]) {
      delete pending.questions[key];
      pendingWrite(pending);
    }
  }
  function pendingRestore() {
    var pending = pendingRead();
    if (!pending || !window.htmx) return;
    var first = true;
    Object.keys(pending.questions).forEach(function (key) {
      var fieldset = fieldsetFor(key);
      if (!fieldset || !fieldset.dataset.autosave) return;
      var values = pending.questions[key];
      Array.from(fieldset.elements).forEach(function (field) {
        if (!field.name || field.name.slice(-9) === "__present") return;
        var mine = values.filter(function (pair) {
          return pair[0] === field.name;
        });
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = mine.some(function (pair) {
            return pair[1] === field.value;
          });
        } else if (field.type !== "button" && field.type !== "submit") {
          // the version too: what the page showed before, so a change made meanwhile by
          // someone else comes back as a conflict instead of being overwritten
          field.value = mine.length ? mine[mine.length - 1][1] : "";
        }
      });
      if (first) fieldset.scrollIntoView({ block: "center" });
      first = false;
      htmx.trigger(fieldset, "change");
    });
  }

  // --- status line ---------------------------------------------------------------------
  function showSaving(fieldset) {
    var status = statusOf(fieldset.dataset.autosave);
    if (!status || status.classList.contains("save-conflict")) return;
    status.textContent = texts(fieldset).msgSaving || "…";
    status.className = "save-status small text-body-secondary";
    status.setAttribute("role", "status");
  }

  function showUnsaved(fieldset, reason) {
    var key = fieldset.dataset.autosave;
    var status = statusOf(key);
    var t = texts(fieldset);
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

  function showSignedOut(fieldset) {
    var key = fieldset.dataset.autosave;
    var status = statusOf(key);
    var t = texts(fieldset);
    signedOut = true;
    pendingKeep(fieldset);
    // already said (rebuilding it would swallow a click on the link in progress)
    if (!status || status.querySelector("a[data-signin]")) return;
    status.textContent = (t.msgSession || "Nicht gespeichert – bitte melden Sie sich erneut an.") + " ";
    status.className = "save-status small text-danger fw-semibold";
    status.setAttribute("role", "alert");
    var link = document.createElement("a");
    link.className = "btn btn-sm btn-danger py-0 ms-1";
    link.setAttribute("data-signin", "");
    // the same questions again: through the sign-in when it ended, else straight back
    link.href = window.location.pathname;
    link.textContent = t.msgSignin || "Anmelden und weitermachen";
    status.appendChild(link);
  }

  function retry(key) {
    failed.delete(key);
    var fieldset = fieldsetFor(key);
    if (fieldset && window.htmx) htmx.trigger(fieldset, "change");
  }

  // --- conflict notice: keep mine or theirs -----------------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-conflict-keep]");
    if (!button || !window.htmx) return;
    var fieldset = fieldsetOf(button);
    var notice = button.closest(".save-conflict");
    if (!fieldset || !notice) return; // without autosave the buttons submit the form
    event.preventDefault();
    var key = fieldset.dataset.autosave;
    if (button.dataset.conflictKeep === "mine") {
      // the version shown in the notice, and "mine" for the audit log; a saved answer's
      // response resets both (out of band)
      var version = document.getElementById("version-" + key);
      var keep = document.getElementById("keep-" + key);
      if (version) version.value = button.dataset.version;
      if (keep) keep.value = "mine";
      htmx.trigger(fieldset, "change");
      return;
    }
    var template = notice.querySelector("template");
    var fresh = template && template.content.querySelector("fieldset");
    if (!fresh) return;
    fresh = document.importNode(fresh, true);
    var message = notice.dataset.msgKept;
    fieldset.replaceWith(fresh);
    htmx.process(fresh);
    failed.delete(key);
    pendingDone(key);
    var status = statusOf(key);
    if (status && message) {
      status.textContent = message;
      status.className = "save-status small text-success";
    }
    var first = fresh.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });

  // --- htmx events (the target is the status line inside the question's fieldset) --------
  document.addEventListener("htmx:beforeRequest", function (event) {
    var fieldset = fieldsetOf(event.detail.elt);
    if (!fieldset) return;
    if (signedOut) {
      // every further save would be refused too: keep it for after the sign-in instead
      event.preventDefault();
      showSignedOut(fieldset);
      return;
    }
    showSaving(fieldset);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var fieldset = fieldsetOf(event.detail.elt);
    if (fieldset) showUnsaved(fieldset);
  });
  document.addEventListener("htmx:sendError", function (event) {
    var fieldset = fieldsetOf(event.detail.elt);
    if (fieldset) showUnsaved(fieldset, texts(fieldset).msgOffline);
  });
  document.addEventListener("htmx:timeout", function (event) {
    var fieldset = fieldsetOf(event.detail.elt);
    if (fieldset) showUnsaved(fieldset, texts(fieldset).msgOffline);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
    var fieldset = fieldsetOf(source) || fieldsetOf(event.detail.elt);
    if (!fieldset) return;
    var key = fieldset.dataset.autosave;
    var xhr = event.detail.xhr;
    if (xhr.status >= 500) return; // not swapped; htmx:responseError follows
    // Only our status fragment confirms a save; anything else (the sign-in page after the
    // session ended, Django's CSRF 403, a proxy's page) must not be swapped in or look saved.
    if (xhr.responseText.indexOf('id="status-' + key + '"') === -1) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      showSignedOut(fieldset);
      return;
    }
    if (xhr.status < 300) {
      failed.delete(key);
      pendingDone(key);
    }
  });
  window.addEventListener("online", function () {
    Array.from(failed).forEach(retry);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", pendingRestore);
  } else {
    pendingRestore();
  }
})();
