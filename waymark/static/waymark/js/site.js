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

  // Long text: under each textarea with a limit (waymark/forms.py), the characters left. The
  // visible count follows every key; screen readers hear it once typing pauses. Nothing is
  // cut off: the server refuses text that is too long, keeps it and says why.
  function characters(text) {
    return Array.from ? Array.from(text).length : text.length; // as Python counts them
  }

  function countCharacters(textarea) {
    var limit = parseInt(textarea.getAttribute("data-max-length"), 10);
    if (!limit || textarea.hasAttribute("data-counted")) {
      return;
    }
    textarea.setAttribute("data-counted", "");
    var shown = document.createElement("p");
    shown.className = "char-count";
    shown.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    spoken.id = (textarea.id || textarea.name) + "-count";
    textarea.insertAdjacentElement("afterend", spoken);
    textarea.insertAdjacentElement("afterend", shown);
    var described = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", (described ? described + " " : "") + spoken.id);
    var lang = document.documentElement.lang || undefined;
    var pause;

    function words() {
      var left = limit - characters(textarea.value);
      var template = textarea.getAttribute(left < 0 ? "data-count-over" : "data-count-left");
      shown.classList.toggle("over", left < 0);
      return template.replace("%(count)s", Math.abs(left).toLocaleString(lang));
    }
    shown.textContent = spoken.textContent = words();
    textarea.addEventListener("input", function () {
      shown.textContent = words();
      clearTimeout(pause);
      pause = setTimeout(function () {
        spoken.textContent = words();
      }, 1000);
    });
  }

  function countAll() {
    var areas = document.querySelectorAll("textarea[data-max-length]");
    for (var i = 0; i < areas.length; i++) {
      countCharacters(areas[i]);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusStart(false);
    guessTimeZone();
    countAll();
  });
  document.addEventListener("htmx:afterSettle", function () {
    focusStart(true);
    countAll();
  });
})();
