// Django's admin leaves a few things that assistive technology cannot name;
// this names them from what the page already shows, once the admin's own
// scripts (inlines, the filter widget, select2) have built their markup.
// tests/browser/test_every_page.py runs axe-core over every admin page.
"use strict";
const nameWhatTheAdminLeftUnnamed = () => {
  // Tabular inlines: a header per column, no <label> per cell. A header
  // with no text (the rows' names, "Delete?" without the right) is no header.
  for (const table of document.querySelectorAll(".tabular table")) {
    for (const header of table.querySelectorAll("thead th")) {
      if (!header.textContent.trim()) {
        const cell = document.createElement("td");
        cell.className = header.className;
        header.replaceWith(cell);
      }
    }
    for (const control of table.querySelectorAll("td :is(input, select, textarea):not([type=hidden])")) {
      const field = [...control.closest("td").classList].find((name) => name.startsWith("field-"));
      const header = field && table.querySelector(`thead th.column-${field.slice(6)}`);
      if (header && !control.labels.length) control.setAttribute("aria-label", header.textContent.trim());
    }
    // A stored row's "Delete?" box sits under the last header, not a field's.
    const last = table.querySelector("thead tr > th:last-child");
    for (const box of table.querySelectorAll("td.delete input[type=checkbox]")) {
      if (last && !box.labels.length) box.setAttribute("aria-label", last.textContent.trim());
    }
  }
  // Date and time of one field: "Date:" and "Time:" are bare text before each input.
  for (const input of document.querySelectorAll("p.datetime input")) {
    const text = input.previousSibling && input.previousSibling.textContent.trim();
    const field = input.closest("fieldset, .form-row");
    const name = field && field.querySelector("legend, label");
    if (text && !input.labels.length) {
      input.setAttribute("aria-label", `${name ? name.textContent.trim() : ""} ${text}`.trim());
    }
  }
  // The filter widget's magnifier carries a label, which only an image may.
  for (const icon of document.querySelectorAll(".search-label-icon[aria-label]")) {
    icon.setAttribute("role", "img");
  }
  // select2 names its box, and the text box inside, after the selection,
  // which is empty at first: the field's label names both.
  for (const box of document.querySelectorAll(".select2-selection[role=combobox]")) {
    const select = box.closest(".select2-container").previousElementSibling;
    const label = select && select.labels && select.labels[0];
    if (label) {
      label.id = label.id || `${select.id}-label`;
      box.setAttribute("aria-labelledby", `${label.id} ${box.getAttribute("aria-labelledby") || ""}`.trim());
      const text = box.querySelector("[role=textbox]");
      if (text) text.setAttribute("aria-labelledby", label.id);
    }
  }
  // An inline too wide for the screen scrolls: the keyboard must reach it,
  // controls or none (a full inline hides its "add" link).
  for (const group of document.querySelectorAll(".inline-group")) {
    const heading = group.querySelector(".inline-heading");
    if (group.scrollWidth > group.clientWidth && heading) {
      group.tabIndex = 0;
      group.setAttribute("role", "region");
      group.setAttribute("aria-labelledby", heading.id);
    }
  }
};
// After the filter widget (built at "load") and select2 (at jQuery's ready,
// which may come later still).
window.addEventListener("load", () => {
  if (window.django && window.django.jQuery) window.django.jQuery(nameWhatTheAdminLeftUnnamed);
  else nameWhatTheAdminLeftUnnamed();
});
