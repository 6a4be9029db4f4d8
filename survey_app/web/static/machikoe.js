/* Small enhancements only: every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen readers announce it first (GOV.UK pattern).
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.focus();
      // Following a summary link puts the keyboard focus in the field, not only the scroll position.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var field = link && document.getElementById(link.getAttribute("href").slice(1));
        if (field) {
          event.preventDefault();
          field.focus();
          field.scrollIntoView({ block: "center" });
          window.history.replaceState(null, "", link.getAttribute("href"));
        }
      });
    }
    // A language or furigana link on a question page: the answers chosen on the page but not yet sent
    // go with it (nav=stay saves them and opens the link), instead of being lost to a plain GET.
    var page = document.querySelector("form[data-keeps-answers]");
    if (page) {
      document.querySelectorAll("a[data-switch]").forEach(function (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          [["nav", "stay"], ["then", link.getAttribute("href")]].forEach(function (pair) {
            var input = document.createElement("input");
            input.type = "hidden";
            input.name = pair[0];
            input.value = pair[1];
            page.appendChild(input);
          });
          page.submit();
        });
      });
    }
    // The landing page: a code typed but not yet sent goes with a language link (?code= fills it in
    // again, as the letter's QR code does).
    var code = document.querySelector("form input#code");
    if (code && !page) {
      document.querySelectorAll("a[data-switch]").forEach(function (link) {
        link.addEventListener("click", function (event) {
          if (!code.value.trim()) { return; }
          event.preventDefault();
          var url = new URL(link.getAttribute("href"), window.location.href);
          url.searchParams.set("code", code.value.trim());
          window.location.href = url.toString();
        });
      });
    }
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
