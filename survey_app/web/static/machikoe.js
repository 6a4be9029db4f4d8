/* Small enhancements only: every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen readers announce it first (GOV.UK pattern).
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
    // A second tap while the first submission is on its way would post the page twice.
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sending === "1") { event.preventDefault(); return; }
        form.dataset.sending = "1";
        window.setTimeout(function () { form.dataset.sending = ""; }, 4000);
      });
    });
  });
})();
