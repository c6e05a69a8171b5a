/* The cockpit's heat map: a definition's diagram (the bpmn-js viewer, vendor/bpmn-js) with, on each
 * element, the running instances waiting there and its open incidents.
 *
 * The page holds the XML in <script type="application/json" id="heat-xml"> and, on #heat-map,
 * data-heat (JSON: element id -> {instances, incidents}), data-element-url (a link with ELEMENT
 * for the element's id: its instances) and data-selected (the element listed now, if any).
 * Elements are coloured heat-1 (quiet) to heat-4 (the busiest); an element with incidents is
 * marked heat-incident. Each counted element gets badges, and clicking it lists its instances.
 * When it has drawn, #heat-map gets data-state="ready" (or "error", with the reason in place).
 */
(function () {
  "use strict";

  var container = document.getElementById("heat-map");
  if (!container) {
    return;
  }

  function fail(message) {
    container.setAttribute("data-state", "error");
    var note = document.createElement("p");
    note.className = "diagram-error";
    note.textContent = "The diagram cannot be shown: " + message + " The table below holds the figures.";
    container.replaceChildren(note);
  }

  function readJson(text, fallback) {
    try {
      var value = JSON.parse(text);
      return value === null || value === undefined ? fallback : value;
    } catch (ignored) {
      return fallback;
    }
  }

  function badge(kind, count, label) {
    var span = document.createElement("span");
    span.className = "heat-badge heat-" + kind;
    span.textContent = String(count);
    span.title = count + " " + label;
    return span;
  }

  function level(count, busiest) {
    if (!count || !busiest) {
      return 0;
    }
    return Math.max(1, Math.ceil((count / busiest) * 4));
  }

  if (typeof window.BpmnJS !== "function") {
    fail("the viewer did not load.");
    return;
  }
  var source = document.getElementById(container.getAttribute("data-xml") || "heat-xml");
  var xml = readJson(source ? source.textContent : "null", null);
  if (typeof xml !== "string") {
    fail("the page holds no XML.");
    return;
  }
  var heat = readJson(container.getAttribute("data-heat") || "{}", {});
  var selected = container.getAttribute("data-selected");
  var linkTemplate = container.getAttribute("data-element-url") || "";

  container.replaceChildren();
  var viewer = new window.BpmnJS({ container: container });
  viewer.importXML(xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    var busiest = 0;
    Object.keys(heat).forEach(function (id) {
      busiest = Math.max(busiest, heat[id].instances || 0);
    });
    Object.keys(heat).forEach(function (id) {
      if (!registry.get(id)) {
        return;
      }
      var figures = heat[id];
      var badges = document.createElement("div");
      badges.className = "heat-badges";
      badges.setAttribute("data-heat-element", id);
      if (figures.instances) {
        badges.appendChild(badge("instances", figures.instances, "running instances"));
        canvas.addMarker(id, "heat-" + level(figures.instances, busiest));
      }
      if (figures.incidents) {
        badges.appendChild(badge("incidents", figures.incidents, "open incidents"));
        canvas.addMarker(id, "heat-incident");
      }
      canvas.addMarker(id, "heat-counted");
      overlays.add(id, "heat", { position: { bottom: 10, left: -10 }, html: badges });
    });
    // The table names elements by id; the diagram knows their names.
    document.querySelectorAll("[data-element-name]").forEach(function (link) {
      var element = registry.get(link.getAttribute("data-element-name"));
      var name = element && element.businessObject && element.businessObject.name;
      if (name) {
        link.insertBefore(document.createTextNode(name + " "), link.firstChild);
      }
    });
    if (selected && registry.get(selected)) {
      canvas.addMarker(selected, "heat-selected");
    }
    viewer.get("eventBus").on("element.click", function (event) {
      var id = event.element && event.element.id;
      if (id && heat[id] && linkTemplate) {
        window.location.assign(linkTemplate.replace("ELEMENT", encodeURIComponent(id)));
      }
    });
    canvas.zoom("fit-viewport", "auto");
    container.setAttribute("data-state", "ready");
  }).catch(function (error) {
    var message = error && error.message ? error.message : String(error);
    fail(/no diagram to display/.test(message) ? "the model holds no diagram layout (BPMN DI)." : message);
  });
}());

/* The running instances' "select every instance on this page" box (hidden without JavaScript). */
(function () {
  "use strict";

  var all = document.getElementById("select-all");
  if (!all) {
    return;
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#cockpit-select input[name="instance"]'));
  function sync() {
    var picked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = picked === boxes.length && picked > 0;
    all.indeterminate = picked > 0 && picked < boxes.length;
  }
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
}());
