/* Shows a Moscow-time instant also in the visitor's own time, when their
   browser's offset differs. Plain script, no dependencies.

   <span class="local-time" data-local-time="2026-01-12T07:00:00+03:00"
         data-label="(your time: {time})" hidden></span> */
(function () {
  "use strict";

  function offsetMinutes(iso) {
    var match = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
    if (!match) {
      return /Z$/.test(iso) ? 0 : null;
    }
    var minutes = Number(match[2]) * 60 + Number(match[3]);
    return match[1] === "-" ? -minutes : minutes;
  }

  function show(element) {
    var iso = element.getAttribute("data-local-time");
    var instant = new Date(iso);
    var source = offsetMinutes(iso);
    if (isNaN(instant.getTime()) || source === null) {
      return;
    }
    var local = -instant.getTimezoneOffset();
    if (local === source) {
      return;
    }
    // The source zone's calendar day, read through UTC.
    var sourceDay = new Date(instant.getTime() + source * 60000).getUTCDate();
    // 24-hour, like the Moscow time beside it.
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (sourceDay !== instant.getDate()) {
      options.weekday = "short";
      options.day = "numeric";
      options.month = "short";
    }
    var language = document.documentElement.lang || undefined;
    var text = instant.toLocaleString(language, options);
    element.textContent = (element.getAttribute("data-label") || "{time}").replace("{time}", text);
    element.hidden = false;
  }

  function showAll() {
    document.querySelectorAll("[data-local-time]").forEach(show);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showAll);
  } else {
    showAll();
  }
})();
