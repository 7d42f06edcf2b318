// The staff queue (templates/tickets/staff_queue.html): the bulk bar appears
// once a row is ticked and shows only the chosen action's field; a quiet poll
// says when tickets of this view changed. Without JS the bar is always shown
// with all its fields, and the page is reloaded by hand.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (form) {
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll("input[name=tickets][form=bulk-form]"));
    var action = form.querySelector("select[name=action]");
    var count = form.querySelector("[data-selected-count]");
    var withErrors = !!form.querySelector(".error-summary");

    var showFields = function () {
      form.querySelectorAll("[data-bulk-action]").forEach(function (field) {
        field.hidden = field.getAttribute("data-bulk-action") !== action.value;
      });
    };
    var showBar = function () {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      form.hidden = ticked === 0 && !withErrors;
      count.textContent = ticked
        ? "(" + form.getAttribute("data-selected-label") + " " + ticked + ")"
        : "";
    };
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        // The bar appears above the rows: keep the ticked row under the pointer.
        var before = box.getBoundingClientRect().top;
        showBar();
        var moved = box.getBoundingClientRect().top - before;
        if (moved) window.scrollBy(0, moved);
      });
    });
    action.addEventListener("change", showFields);
    showFields();
    showBar();
  }

  var notice = document.querySelector(".queue-notice[data-changes-url]");
  if (!notice || !window.fetch) return;
  var url = notice.getAttribute("data-changes-url");
  var etag = "";
  var shown = "";

  function say(text) {
    if (text === shown) return;
    shown = text;
    notice.textContent = text + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary small";
    button.textContent = notice.getAttribute("data-show-label");
    // The page's own address: after a bulk form came back, not a second POST.
    button.addEventListener("click", function () {
      window.location.assign(notice.getAttribute("data-page-url"));
    });
    notice.appendChild(button);
  }

  function poll() {
    if (document.visibilityState !== "visible") return;
    fetch(url, { headers: etag ? { "If-None-Match": etag } : {}, credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 200) return null;
        etag = response.headers.get("ETag") || "";
        return response.json();
      })
      .then(function (answer) { if (answer && answer.count) say(answer.text); })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  // Every 15 s while the tab is looked at, and at once when it is again.
  window.setInterval(poll, 15000);
  document.addEventListener("visibilitychange", poll);
})();
