// Stress test job page: htmx polls #stress-job while the job waits or runs (the server stops
// the polling when the job is done, failed or stuck). If the server itself cannot be reached,
// stop after a few failed polls and say so, instead of polling silently for ever.
(function () {
  var MAX_FAILURES = 5;
  var failures = 0;

  function failed(event) {
    var panel = event.target && event.target.closest && event.target.closest("#stress-job");
    if (!panel) return;
    failures += 1;
    if (failures < MAX_FAILURES) return;
    var still = panel.cloneNode(true);
    still.removeAttribute("hx-get");
    still.removeAttribute("hx-trigger");
    still.setAttribute("data-job-status", "unreachable");
    var note = still.querySelector("[data-poll-error]");
    if (note) note.classList.remove("d-none");
    var bar = still.querySelector(".progress-bar");
    if (bar) bar.classList.remove("progress-bar-animated");
    panel.replaceWith(still); // htmx polls only elements still in the page
  }

  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "stress-job") failures = 0;
  });
})();
