// Suggests knowledge base articles as a ticket's subject is typed: the server
// chooses and renders them (escaped) for the subject and the chosen licence.
// Opening one shows its "This answered my question" button.
(function () {
  "use strict";
  var panel = document.querySelector("[data-suggest-url]");
  var form = panel && panel.closest("form");
  if (!form) return;
  var subject = form.elements.namedItem("subject");
  var licence = form.elements.namedItem("licence");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var attempt = "";
  var timer = null;
  var asked = "";

  function ask() {
    var text = subject.value.trim();
    var question = text + "\n" + (licence ? licence.value : "");
    if (question === asked) return;
    asked = question;
    if (text.length < 3) { panel.hidden = true; return; }
    fetch(panel.dataset.suggestUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      body: new URLSearchParams({
        subject: text,
        licence: licence ? licence.value : "",
        attempt: attempt
      })
    })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (asked !== question) return;  // an older answer, overtaken
        // Rendered and escaped by the server: nothing an author wrote runs.
        panel.innerHTML = html;
        var held = panel.querySelector("[data-attempt]");
        attempt = (held && held.dataset.attempt) || attempt;
        panel.hidden = !panel.querySelector("[data-suggestion]");
      })
      .catch(function () { /* suggestions are a help; the form works without them */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  }

  subject.addEventListener("input", later);
  if (licence) licence.addEventListener("change", later);
  panel.addEventListener("click", function (event) {
    var link = event.target.closest("[data-suggestion]");
    if (!link) return;
    var solved = link.parentNode.querySelector("[data-solved]");
    if (solved) solved.hidden = false;
  });
  if (subject.value.trim()) ask();
})();
