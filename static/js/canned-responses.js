// Inserts a canned response into the reply at the cursor. The server has
// already filled its placeholders for this ticket, in the customer's language.
(function () {
  "use strict";
  document.querySelectorAll("select[data-canned-responses]").forEach(function (select) {
    var area = document.getElementById(select.dataset.target);
    if (!area) return;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var text = option ? option.dataset.text : "";
      if (!text) return;
      area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
      // The Markdown preview listens for input.
      area.dispatchEvent(new Event("input", { bubbles: true }));
      area.focus();
      select.selectedIndex = 0;
    });
  });
})();
