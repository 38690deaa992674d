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
// Forms marked data-busy (e.g. "Bericht erstellen", which may take seconds in the embedded
// default): disable the button and say that something happens, at once; no second submit.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-busy]")) return;
  if (form.dataset.busySent) {
    event.preventDefault();
    return;
  }
  form.dataset.busySent = "1";
  var button = form.querySelector("button[type=submit]");
  if (!button) return;
  // After this tick: the browser has collected the form data (a disabled button sends nothing).
  window.setTimeout(function () {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    var spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm me-1";
    spinner.setAttribute("aria-hidden", "true");
    button.textContent = " " + (button.dataset.busyLabel || button.textContent);
    button.prepend(spinner);
  }, 0);
});
// Back/forward cache: a page shown again must not keep a busy button.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    delete form.dataset.busySent;
  });
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
// Boxes that scroll sideways (wide tables on a phone) must be reachable by keyboard (WCAG
// 2.1.1): each gets a tab stop, so arrow keys scroll it. Also for content htmx swaps in.
function scrollRegionsFocusable(root) {
  var regions = Array.from(root.querySelectorAll(".table-responsive, .article-body table"));
  if (root.matches && root.matches(".table-responsive, .article-body table")) regions.push(root);
  regions.forEach(function (region) {
    if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "0");
  });
}
document.addEventListener("DOMContentLoaded", function () {
  scrollRegionsFocusable(document);
  // A form answered with errors: the summary above it takes the focus, so keyboard and screen
  // reader users hear what to fix instead of starting again at the top of the page.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
document.addEventListener("htmx:load", function (event) {
  scrollRegionsFocusable(event.detail.elt);
});
