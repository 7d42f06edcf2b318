// The collision warning: tells the server every few seconds that this agent
// has the ticket open (and whether they are writing), and shows who else has.
(function () {
  "use strict";
  var notice = document.getElementById("presence-notice");
  var form = document.getElementById("reply-form");
  if (!notice || !form) return;
  var url = notice.dataset.presenceUrl;
  var seconds = parseInt(notice.dataset.presenceSeconds, 10) || 15;
  var area = form.querySelector("textarea");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function beat() {
    var body = new URLSearchParams();
    body.set("replying", area && area.value.trim() ? "1" : "0");
    fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) return;
      notice.textContent = data.text;
      notice.hidden = !data.text;
    }).catch(function () { /* the warning is a courtesy; try again next time */ });
  }

  setInterval(beat, seconds * 1000);
  if (area) area.addEventListener("input", function once() {
    area.removeEventListener("input", once);
    beat();
  });
})();
