/*
 * The plain variables form (web/templates/_macros.html, `variable_rows`): "Add a row" and "Remove
 * row N" buttons. Without JavaScript the form works all the same with its fixed rows (the buttons
 * stay hidden); the server checks every row (web/pages/forms.py, `posted_variables`).
 */
(() => {
  "use strict";

  const FIELDS = ["name", "type", "value"];

  /** The next free row number: rows may have gaps once one was removed (the server skips them). */
  function nextIndex(fieldset) {
    const indexes = [...fieldset.querySelectorAll(".variable-row")].map((row) => Number(row.dataset.row));
    return Math.max(-1, ...indexes) + 1;
  }

  /** Renumber a copied row's ids, names, labels and error places, and empty it. */
  function renumber(row, index) {
    row.dataset.row = String(index);
    row.classList.remove("has-error");
    for (const part of FIELDS) {
      const control = row.querySelector(`[name^="var-${part}-"]`);
      control.id = control.name = `var-${part}-${index}`;
      control.removeAttribute("aria-invalid");
      if (control.tagName === "SELECT") control.value = "text";
      else control.value = "";
      if (control.hasAttribute("aria-describedby")) control.setAttribute("aria-describedby", `e-var-${part}-${index}`);
      const label = row.querySelector(`label[for^="var-${part}-"]`);
      label.htmlFor = control.id;
      label.textContent = label.textContent.replace(/\d+$/, String(index + 1));
      const error = row.querySelector(`[id^="e-var-${part}-"]`);
      if (error) {
        error.id = `e-var-${part}-${index}`;
        error.textContent = "";
      }
    }
    const remove = row.querySelector("[data-remove-row]");
    remove.textContent = `Remove row ${index + 1}`;
  }

  function addRow(fieldset) {
    const rows = fieldset.querySelectorAll(".variable-row");
    const row = rows[rows.length - 1].cloneNode(true);
    renumber(row, nextIndex(fieldset));
    fieldset.querySelector(".add-row").before(row);
    row.querySelector("input").focus();
  }

  function removeRow(fieldset, row) {
    const rows = [...fieldset.querySelectorAll(".variable-row")];
    const after = rows[rows.indexOf(row) + 1];
    if (rows.length === 1) {
      renumber(row, Number(row.dataset.row)); // the last row is emptied, not removed
      row.querySelector("input").focus();
      return;
    }
    row.remove();
    (after ? after.querySelector("input") : fieldset.querySelector("[data-add-row]")).focus();
  }

  for (const fieldset of document.querySelectorAll("[data-variable-rows]")) {
    for (const button of fieldset.querySelectorAll("[data-add-row], [data-remove-row]")) button.hidden = false;
    fieldset.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      if (button.matches("[data-add-row]")) addRow(fieldset);
      else if (button.matches("[data-remove-row]")) removeRow(fieldset, button.closest(".variable-row"));
    });
  }
})();
