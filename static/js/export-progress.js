/* Follows an export the worker is writing: asks for its progress every
   second, moves the progress bar, and shows the download link when the
   file is ready. Without scripts the page says to reload it.

   <section data-export-progress="/staff/reports/exports/7/progress">
     <progress max="100" value="0"></progress> <span data-label></span>
     <span data-count></span> <p data-when-done hidden>…</p> */
(function () {
  "use strict";

  function follow(box) {
    var bar = box.querySelector("progress");
    var label = box.querySelector("[data-label]");
    var count = box.querySelector("[data-count]");
    var url = box.getAttribute("data-export-progress");

    function show(state) {
      bar.value = state.percent;
      bar.textContent = state.percent + "%";
      label.textContent = state.label;
      if (state.total !== null) {
        count.textContent = state.done.toLocaleString() + " / " + state.total.toLocaleString();
      }
      if (state.finished) {
        box.querySelectorAll("[data-when-" + state.state + "]").forEach(function (el) {
          el.hidden = false;
        });
        box.querySelectorAll("[data-while-running]").forEach(function (el) {
          el.hidden = true;
        });
        return;
      }
      window.setTimeout(ask, 1000);
    }

    function ask() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(show)
        .catch(function () {
          window.setTimeout(ask, 5000);
        });
    }

    ask();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-export-progress]").forEach(follow);
  });
})();
