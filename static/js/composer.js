// The staff composer (templates/tickets/_composer.html). Without this script
// it still works: the kind is a radio group, a macro has its Apply button,
// files are chosen with the file input. With it:
// - choosing a macro or canned response puts its text (filled by the server
//   for this ticket) at the cursor, and a macro's status goes onto Send;
// - pasted screenshots and dropped files join the file input.
(function () {
  "use strict";
  var form = document.querySelector("form[data-composer]");
  if (!form) return;
  var area = form.querySelector("textarea[name=body]");
  var input = form.querySelector("input[type=file][name=attachments]");
  var list = form.querySelector("[data-chosen-files]");
  var send = form.querySelector("[data-send-main]");
  var sendStatus = send && send.querySelector("[data-send-status]");

  // Macros ------------------------------------------------------------------
  var picker = form.querySelector("select[data-macro-picker]");
  if (picker && area) {
    var apply = form.querySelector("[data-apply-macro]");
    if (apply) apply.hidden = true;
    var effects = form.querySelector("[data-macro-effects]");
    var defaultEffects = effects ? effects.textContent : "";
    var showChoice = function (option) {
      // Send takes the macro's status when the workflow allows it (a button
      // for it is offered); the server applies the rest of the macro.
      var status = option.dataset.status || "";
      var offered = status && form.querySelector("button[name=then_status][value='" + status + "']");
      send.value = offered ? status : "";
      sendStatus.textContent = offered ? "· " + offered.dataset.label : "";
      sendStatus.hidden = !offered;
      if (effects) effects.textContent = option.dataset.effects || defaultEffects;
    };
    // A form sent back with an error keeps the macro chosen.
    showChoice(picker.options[picker.selectedIndex]);
    picker.addEventListener("change", function () {
      var option = picker.options[picker.selectedIndex];
      var text = option.dataset.text || "";
      if (text) {
        area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
        // The Markdown preview listens for input.
        area.dispatchEvent(new Event("input", { bubbles: true }));
      }
      showChoice(option);
      area.focus();
    });
  }

  // Files: pasted, dropped, chosen ------------------------------------------
  if (!input || typeof DataTransfer === "undefined") return;
  var hint = form.querySelector("[data-drop-hint]");
  if (hint) hint.hidden = false;

  function pad(n) { return String(n).padStart(2, "0"); }
  function screenshotName(type) {
    var d = new Date();
    var ext = (type.split("/")[1] || "png").replace("jpeg", "jpg");
    return "screenshot-" + d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) +
      "-" + pad(d.getHours()) + pad(d.getMinutes()) + pad(d.getSeconds()) + "." + ext;
  }

  function showFiles() {
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name;
      list.appendChild(item);
    });
  }

  function addFiles(files, pasted) {
    var all = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file) { all.items.add(file); });
    Array.prototype.forEach.call(files, function (file) {
      // A pasted image has no name of its own (browsers call it "image.png").
      if (pasted && /^image\//.test(file.type) && (!file.name || /^image\.\w+$/.test(file.name))) {
        file = new File([file], screenshotName(file.type), { type: file.type });
      }
      all.items.add(file);
    });
    input.files = all.files;
    showFiles();
  }

  input.addEventListener("change", showFiles);
  form.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data || !data.files || !data.files.length) return;
    addFiles(data.files, true);
    // Keep pasting text as usual; only a bare file stays out of the text.
    if (!data.getData("text/plain")) event.preventDefault();
  });
  form.addEventListener("dragover", function (event) {
    if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
      event.preventDefault();
      form.classList.add("is-dropping");
    }
  });
  form.addEventListener("dragleave", function (event) {
    if (!form.contains(event.relatedTarget)) form.classList.remove("is-dropping");
  });
  form.addEventListener("drop", function (event) {
    form.classList.remove("is-dropping");
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files, false);
  });
})();
