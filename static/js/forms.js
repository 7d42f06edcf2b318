// A form that came back with errors: its summary takes the focus, so that a
// screen reader reads it and the keyboard starts there
// (templates/_error_summary.html).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
});
