/* The instance page's BPMN diagram: the bpmn-js viewer (vendor/bpmn-js) with the instance's marks.
 *
 * The page holds the definition's XML in <script type="application/json" id="diagram-xml"> and,
 * on #diagram, the element ids to mark as JSON lists: data-waiting, data-done, data-incident.
 * Sequence flows between two passed elements are marked passed too. When it has drawn,
 * #diagram gets data-state="ready" (or "error", with the reason shown in place).
 */
(function () {
  "use strict";

  var container = document.getElementById("diagram");
  if (!container) {
    return;
  }

  function ids(name) {
    try {
      var value = JSON.parse(container.getAttribute("data-" + name) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (ignored) {
      return [];
    }
  }

  function fail(message) {
    container.setAttribute("data-state", "error");
    var note = document.createElement("p");
    note.className = "diagram-error";
    note.textContent = "The diagram cannot be shown: " + message;
    container.replaceChildren(note);
  }

  if (typeof window.BpmnJS !== "function") {
    fail("the viewer did not load.");
    return;
  }
  var source = document.getElementById(container.getAttribute("data-xml") || "diagram-xml");
  var xml;
  try {
    xml = JSON.parse(source ? source.textContent : "null");
  } catch (error) {
    fail("its XML is not readable.");
    return;
  }
  if (typeof xml !== "string") {
    fail("the page holds no XML.");
    return;
  }

  container.replaceChildren();
  var viewer = new window.BpmnJS({ container: container });
  viewer.importXML(xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var done = new Set(ids("done"));

    function mark(elementId, marker) {
      if (registry.get(elementId)) {
        canvas.addMarker(elementId, marker);
      }
    }

    done.forEach(function (elementId) { mark(elementId, "done"); });
    registry.filter(function (element) {
      var flow = element.businessObject;
      return element.waypoints && flow && flow.sourceRef && flow.targetRef &&
        done.has(flow.sourceRef.id) && done.has(flow.targetRef.id);
    }).forEach(function (connection) { canvas.addMarker(connection.id, "done"); });
    ids("waiting").forEach(function (elementId) { mark(elementId, "waiting"); });
    ids("incident").forEach(function (elementId) { mark(elementId, "incident"); });
    canvas.zoom("fit-viewport", "auto");
    container.setAttribute("data-state", "ready");
  }).catch(function (error) {
    var message = error && error.message ? error.message : String(error);
    fail(/no diagram to display/.test(message) ? "the model holds no diagram layout (BPMN DI)." : message);
  });
}());
