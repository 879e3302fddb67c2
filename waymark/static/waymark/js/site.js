// Progressive enhancement only: every page works without this file.
// After a form comes back with errors, move focus to the summary so a screen reader reads it
// and a keyboard user starts from the list of questions to fix.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
});
