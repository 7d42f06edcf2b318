// Shows how Markdown in a text area will look, rendered and sanitised by the server.
(function () {
  "use strict";
  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  document.querySelectorAll("textarea[data-markdown-preview]").forEach(function (area) {
    var form = area.form;
    var preview = form && form.querySelector(".markdown-preview");
    if (!preview) return;
    var timer = null;
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (!area.value.trim()) { preview.hidden = true; return; }
        var body = new URLSearchParams({ text: area.value });
        fetch(preview.dataset.previewUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(form) },
          body: body
        })
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (html) {
            // The server has sanitised this HTML (nh3); nothing the author wrote can run.
            preview.innerHTML = html;
            preview.hidden = !html;
          });
      }, 300);
    });
  });
})();
