// Let htmx show our 4xx answers (they carry a message for the person), not swallow them.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.htmx) return;
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "4..", swap: true, error: false },
    { code: "...", swap: false, error: true },
  ];
});
// A failed request (server down, network gone) must not look like a saved answer.
document.addEventListener("htmx:sendError", function (event) {
  var target = event.detail.target;
  if (target) {
    target.textContent = target.dataset.offline || "Nicht gespeichert – keine Verbindung. Bitte erneut versuchen.";
    target.className = "save-status small text-danger fw-semibold";
  }
});
// Selects and checkboxes marked data-autosubmit send their form on change (no inline handlers:
// the Content-Security-Policy forbids them).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field && field.matches && field.matches("[data-autosubmit]") && field.form) {
    if (field.form.requestSubmit) field.form.requestSubmit();
    else field.form.submit();
  }
});
