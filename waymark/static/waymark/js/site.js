// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move focus where a person needs to start reading: the error summary when a form came back
  // with errors, else — after HTMX swapped in a new check-up step without a page load — the
  // page heading, so a screen reader announces the new step.
  function focusStart(afterSwap) {
    var target = document.querySelector("[data-focus-on-load]");
    if (!target && afterSwap) {
      target = document.querySelector("main h1");
      if (target) {
        target.setAttribute("tabindex", "-1");
      }
    }
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusStart(false);
  });
  document.addEventListener("htmx:afterSettle", function () {
    focusStart(true);
  });
})();
