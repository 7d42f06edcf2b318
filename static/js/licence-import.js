// Polls the import's progress and reloads the page when the work is done.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector(".progress-text");
  var phase = document.getElementById("import-status").dataset.status;

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.status !== phase) { window.location.reload(); return; }
        if (data.total) {
          bar.max = data.total;
          bar.value = data.done;
          text.textContent = data.done + " / " + data.total;
        }
        window.setTimeout(poll, 400);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
