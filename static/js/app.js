// Small progressive enhancements; every page works without this file.
// Marks that this file runs: the phone layout folds the menu behind its button only then.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // Selects marked data-autosubmit submit their form on change (the language switcher).
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // Sign-up: preselect the browser's own time zone unless the person already chose one.
  for (const select of document.querySelectorAll("select[data-detect-timezone]")) {
    if (select.dataset.detectTimezone !== "1") continue;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && [...select.options].some((o) => o.value === zone)) select.value = zone;
  }
  // Phone width: list tables read as one card per row, each cell under its column's name
  // (the CSS of .table--stack; without this file a wide table scrolls inside .table-wrap).
  for (const table of document.querySelectorAll(".table-wrap > table.table:not(.table--grid)")) {
    const heads = [...table.querySelectorAll("thead th")];
    if (!heads.length || heads.some((th) => th.colSpan > 1)) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.cells].forEach((cell, i) => {
        if (heads[i] && cell.colSpan === 1) cell.dataset.label = heads[i].textContent.trim();
      });
    }
    table.classList.add("table--stack");
  }
  // Buttons marked data-confirm ask before a destructive action.
  for (const el of document.querySelectorAll("[data-confirm]")) {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  }
});

// Header menus (<details class="menu">) close when one clicks elsewhere or presses Escape.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelectorAll("details.menu[open]");
  for (const menu of open) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
  // Escape with no submenu open folds the phone menu and gives focus back to its button.
  if (open.length === 0) setSiteMenu(false, true);
});

// The phone menu button (templates/base.html): it opens and closes #site-menu, says which in
// aria-expanded, and never holds focus inside the menu (Tab leaves it as anywhere else).
function setSiteMenu(opened, focusButton) {
  const button = document.querySelector(".menu-toggle");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu || menu.classList.contains("is-open") === opened) return;
  menu.classList.toggle("is-open", opened);
  button.setAttribute("aria-expanded", String(opened));
  if (focusButton) button.focus();
}
document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-toggle");
  if (button) setSiteMenu(button.getAttribute("aria-expanded") !== "true", false);
});
