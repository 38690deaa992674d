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
// Failed autosaves are handled in autosave.js (loaded by the questionnaire pages).
// "Drucken oder als PDF speichern" buttons (no inline handlers: CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
