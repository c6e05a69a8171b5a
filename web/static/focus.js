/*
 * Where the keyboard starts on a page (issue 15 point 15): on the first field a form got wrong,
 * else on the first field of the page's main form (a task's, a start form, the login form).
 * Read-only fields are skipped (the templates also take them out of the tab order). A page
 * without such a form keeps the browser's own start, so the skip link stays the first stop.
 */
(() => {
  "use strict";

  const FIELD = "input:not([type=hidden]):not([readonly]):not([disabled]), select:not([disabled]), textarea:not([readonly]):not([disabled])";

  function visible(control) {
    return control.offsetParent !== null || control.getClientRects().length > 0;
  }

  function firstField(form) {
    return [...form.querySelectorAll(FIELD)].find(visible) || null;
  }

  function start() {
    if (document.activeElement && document.activeElement !== document.body) return; // the person moved first
    const wrong = [...document.querySelectorAll("main form [aria-invalid=true]")].find(visible);
    if (wrong) {
      wrong.focus();
      return;
    }
    const form = document.querySelector("main form[data-form], main form.login-form");
    const field = form && firstField(form);
    // A field whose microflow runs when it is left would run it when the person clicks elsewhere.
    if (field && field.dataset.microflowTrigger !== "blur") field.focus({ preventScroll: true }); // the instructions above it stay in view
  }

  /**
   * A list too wide for the screen scrolls inside its own box (app.css, phone layout): such a box
   * takes the keyboard's focus, so it can be scrolled with the arrow keys too.
   */
  function scrollableLists() {
    for (const list of document.querySelectorAll("main table.list")) {
      if (list.scrollWidth > list.clientWidth + 1) list.tabIndex = 0;
      else if (list.tabIndex === 0) list.removeAttribute("tabindex");
    }
  }

  function ready() {
    scrollableLists();
    start();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  window.addEventListener("resize", scrollableLists);
})();
