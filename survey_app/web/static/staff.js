/* Staff data entry: Enter moves to the next field, and saves on the last one. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-enter-moves]").forEach(function (form) {
    var fields = Array.prototype.slice.call(form.querySelectorAll("input:not([type=hidden]), textarea"));
    fields.forEach(function (field, index) {
      field.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || event.isComposing) { return; }  /* IME confirms with Enter */
        /* In a comment box Enter is a new line; Ctrl+Enter (or Tab) moves on. */
        if (field.tagName === "TEXTAREA" && !event.ctrlKey) { return; }
        event.preventDefault();
        if (index + 1 < fields.length) {
          fields[index + 1].focus();
          fields[index + 1].select();
        } else {
          form.requestSubmit();
        }
      });
    });
  });
})();
