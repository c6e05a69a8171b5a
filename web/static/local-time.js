/*
 * Times in the viewer's own time zone, to the second: every <time datetime="…" data-local>
 * the server wrote in UTC ("2026-12-04 19:36:41 UTC") is shown in local time with the zone's
 * name ("04/12/2026, 20:36:41 CET"); the UTC text stays as its tooltip. Without JavaScript the
 * UTC text stands. No framework; runs once the page has loaded.
 */
(function () {
  "use strict";

  const FORMAT = new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  });

  function localise(element) {
    const moment = new Date(element.getAttribute("datetime"));
    if (Number.isNaN(moment.getTime())) return;
    if (!element.title) element.title = element.textContent.trim();
    element.textContent = FORMAT.format(moment);
    element.dataset.localised = "true";
  }

  function localiseAll(root) {
    root.querySelectorAll("time[datetime][data-local]:not([data-localised])").forEach(localise);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => localiseAll(document));
  } else {
    localiseAll(document);
  }
})();
