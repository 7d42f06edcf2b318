// Keyboard shortcuts for staff (listed in templates/tickets/_shortcuts.html).
// Single keys act only when no text field has the focus. They are read by the
// physical key (KeyboardEvent.code), not by the character it types, so that
// they work in any layout: with the Russian one, J types "о".
(function () {
  "use strict";
  var KEYS = {
    KeyJ: "j", KeyK: "k", KeyO: "o", KeyX: "x", KeyT: "t",
    KeyR: "r", KeyN: "n", KeyQ: "q", Slash: "/"
  };

  function shortcut(event) {
    var key = event.code ? KEYS[event.code] : event.key;
    return key === "/" && event.shiftKey ? "?" : key;
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-reference]"));
  var current = -1;

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function select(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, n) { row.classList.toggle("is-current", n === current); });
    var link = rows[current].querySelector("a");
    if (link) link.focus();
  }

  function focusReply(internal) {
    var area = document.querySelector("#reply-form textarea");
    if (!area) return;
    var kind = document.querySelector(
      "#reply-form input[name=kind][value=" + (internal ? "note" : "reply") + "]"
    );
    if (kind) kind.checked = true;
    area.focus();
  }

  // The list of shortcuts, a modal dialog: Esc or its button closes it.
  var help = document.getElementById("keyboard-shortcuts");
  function showHelp() {
    if (help && !help.open) help.showModal();
  }
  var opener = document.querySelector("[data-shortcuts-open]");
  if (opener) opener.addEventListener("click", showHelp);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && typing(event.target)) {
      var form = event.target.form;
      // As its main Send button would (the composer's carries a macro's status).
      if (form) { event.preventDefault(); form.requestSubmit(form.querySelector("[data-send-main]")); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var row = rows[current];
    switch (shortcut(event)) {
      case "/":
        var search = document.getElementById("queue-search");
        if (search) { event.preventDefault(); search.focus(); }
        break;
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "o":
        if (row) row.querySelector("a").click();
        break;
      case "x":
        if (row) {
          var box = row.querySelector("input[type=checkbox]");
          // As a click would: the queue's bulk bar listens (staff-queue.js).
          if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change")); }
        }
        break;
      case "t":
        if (row) { var take = row.querySelector("form"); if (take) take.requestSubmit(); }
        break;
      case "r": event.preventDefault(); focusReply(false); break;
      case "n": event.preventDefault(); focusReply(true); break;
      case "q":
        var back = document.querySelector("a[data-key=q]");
        if (back) back.click();
        break;
      case "?":
        showHelp();
        break;
      default:
        return;
    }
  });
})();
