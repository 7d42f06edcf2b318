// The composer's article finder (templates/tickets/_composer.html): articles
// the ticket's customer may read, found as the agent types; "Insert link"
// asks the server for a tracked link in the customer's language and puts it
// at the cursor. Hidden without this script.
(function () {
  "use strict";
  var box = document.querySelector("[data-article-links]");
  var form = box && box.closest("form");
  var area = form && form.querySelector("textarea[name=body]");
  if (!area) return;
  var search = box.querySelector("[data-article-search]");
  var results = box.querySelector("[data-article-results]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var asked = "";
  box.hidden = false;

  function insert(article, button) {
    button.disabled = true;
    fetch(box.dataset.linkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      body: new URLSearchParams({ article: article.id })
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        button.disabled = false;
        if (!data) return;
        area.setRangeText(data.markdown, area.selectionStart, area.selectionEnd, "end");
        area.dispatchEvent(new Event("input", { bubbles: true }));
        area.focus();
      })
      .catch(function () { button.disabled = false; });
  }

  function show(articles) {
    results.textContent = "";
    articles.forEach(function (article) {
      var item = document.createElement("li");
      var title = document.createElement("span");
      title.textContent = article.title;
      title.lang = article.language;
      var note = document.createElement("span");
      note.className = "helptext";
      note.textContent = " · " + article.visibility;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = box.dataset.insertLabel || "Insert link";
      button.addEventListener("click", function () { insert(article, button); });
      item.append(title, note, " ", button);
      results.append(item);
    });
    if (!articles.length && search.value.trim()) {
      var none = document.createElement("li");
      none.className = "helptext";
      none.textContent = box.dataset.noneLabel || "";
      results.append(none);
    }
  }

  search.addEventListener("keydown", function (event) {
    // Enter here searches; it must not send the reply.
    if (event.key === "Enter") event.preventDefault();
  });
  search.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var text = search.value.trim();
      if (text === asked) return;
      asked = text;
      if (!text) { show([]); return; }
      fetch(box.dataset.findUrl + "?" + new URLSearchParams({ q: text }), {
        credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.json() : { articles: [] }; })
        .then(function (data) { if (asked === text) show(data.articles); })
        .catch(function () { /* the finder is a help; the reply can be written without it */ });
    }, 300);
  });
})();
