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

  // Reminders: before any is saved, preselect the time zone this device is in, when the list
  // has it, so "8 in the evening" means the person's evening rather than the server's.
  function guessTimeZone() {
    var select = document.querySelector("form[data-guess-time-zone] select[name='time_zone']");
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!select || !zone) {
      return;
    }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        return;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusStart(false);
    guessTimeZone();
  });
  document.addEventListener("htmx:afterSettle", function () {
    focusStart(true);
  });
})();
