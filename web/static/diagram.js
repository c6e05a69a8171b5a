/* The instance page's BPMN diagram: the bpmn-js viewer (vendor/bpmn-js) with the instance's marks.
 *
 * The page holds the definition's XML in <script type="application/json" id="diagram-xml"> and,
 * on #diagram, JSON lists (engine.runtime.diagram_marks): data-done (passed elements, in the order
 * they last completed), data-flows (taken sequence flows as [source, target] pairs, from the
 * history), data-waiting, data-incident, data-stopped (where a terminated instance stood), and
 * data-incident-counts ({element: open incidents}). It draws:
 *
 * - the taken path: passed elements and taken flows in a strong colour ("done"); a flow into a
 *   waiting element counts as taken from the passed source that completed last. Instances
 *   recorded before flows were kept fall back to "both ends passed".
 * - waiting elements ("waiting"), incidents ("incident" and a badge with the count), the
 *   elements a terminated instance stopped at ("stopped" and a badge).
 * - zoom and fit buttons (.diagram-controls) and a picker of elements for the keyboard.
 * - a click on an element (or a choice in the picker) shows, in #diagram-element, what
 *   GET data-element-url (ELEMENT replaced) answers: its waits and its history entries.
 *
 * When it has drawn, #diagram gets data-state="ready" (or "error", with the reason shown in place).
 */
(function () {
  "use strict";

  var ZOOM_STEP = 1.25;
  var container = document.getElementById("diagram");
  if (!container) {
    return;
  }
  var section = container.closest("section") || document;
  var panel = section.querySelector("#diagram-element");
  var controls = section.querySelector(".diagram-controls");

  function list(name) {
    try {
      var value = JSON.parse(container.getAttribute("data-" + name) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (ignored) {
      return [];
    }
  }

  function counts() {
    try {
      var value = JSON.parse(container.getAttribute("data-incident-counts") || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (ignored) {
      return {};
    }
  }

  function fail(message) {
    container.setAttribute("data-state", "error");
    var note = document.createElement("p");
    note.className = "diagram-error";
    note.textContent = "The diagram cannot be shown: " + message;
    container.replaceChildren(note);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
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
    var overlays = viewer.get("overlays");
    var passed = list("done");
    var done = new Set(passed);
    var waiting = new Set(list("waiting"));
    var taken = new Set(list("flows").map(function (pair) { return pair[0] + " " + pair[1]; }));

    function mark(elementId, marker) {
      if (registry.get(elementId)) {
        canvas.addMarker(elementId, marker);
        return true;
      }
      return false;
    }

    function badge(elementId, className, text, title) {
      if (!registry.get(elementId)) {
        return;
      }
      var node = el("span", "diagram-badge " + className, text);
      node.title = title;
      overlays.add(elementId, { position: { top: -10, right: 10 }, html: node });
    }

    passed.forEach(function (elementId) { mark(elementId, "done"); });
    takenFlows(registry, done, waiting, taken, passed).forEach(function (flow) {
      canvas.addMarker(flow.id, "done");
    });
    waiting.forEach(function (elementId) { mark(elementId, "waiting"); });
    var incidentCounts = counts();
    list("incident").forEach(function (elementId) {
      var n = Number(incidentCounts[elementId]) || 1;
      if (mark(elementId, "incident")) {
        badge(elementId, "incident-badge", n, n === 1 ? "1 open incident" : n + " open incidents");
      }
    });
    list("stopped").forEach(function (elementId) {
      if (mark(elementId, "stopped")) {
        badge(elementId, "stopped-badge", "stopped", "The instance was terminated here");
      }
    });
    nameStops(registry);
    canvas.zoom("fit-viewport", "auto");
    setUpControls(canvas, registry);
    viewer.get("eventBus").on("element.click", function (event) {
      var element = event.element.labelTarget || event.element;
      if (element.businessObject && element !== canvas.getRootElement()) {
        show(element);
      }
    });
    container.setAttribute("data-state", "ready");
  }).catch(function (error) {
    var message = error && error.message ? error.message : String(error);
    fail(/no diagram to display/.test(message) ? "the model holds no diagram layout (BPMN DI)." : message);
  });

  /** The sequence flows the instance took (see the header). */
  function takenFlows(registry, done, waiting, taken, passed) {
    var order = new Map(passed.map(function (id, index) { return [id, index]; }));
    var recorded = new Set(Array.from(taken).map(function (pair) { return pair.split(" ")[1]; }));
    var flows = registry.filter(function (element) {
      var flow = element.businessObject;
      return element.waypoints && flow && flow.sourceRef && flow.targetRef;
    });
    var chosen = flows.filter(function (element) {
      var flow = element.businessObject;
      var from = flow.sourceRef.id;
      var to = flow.targetRef.id;
      return taken.has(from + " " + to) ||
        (done.has(to) && !recorded.has(to) && done.has(from));
    });
    waiting.forEach(function (to) {
      var incoming = flows.filter(function (element) {
        return element.businessObject.targetRef.id === to && done.has(element.businessObject.sourceRef.id);
      });
      incoming.sort(function (a, b) {
        return order.get(b.businessObject.sourceRef.id) - order.get(a.businessObject.sourceRef.id);
      });
      if (incoming.length) {
        chosen.push(incoming[0]);
      }
    });
    return chosen;
  }

  /** The note under a terminated instance's diagram names its elements, not their ids. */
  function nameStops(registry) {
    section.querySelectorAll(".diagram-stopped [data-element]").forEach(function (node) {
      var found = registry.get(node.getAttribute("data-element"));
      var name = found && found.businessObject && found.businessObject.name;
      if (name) {
        node.title = node.textContent;
        node.textContent = name;
      }
    });
  }

  function setUpControls(canvas, registry) {
    if (!controls) {
      return;
    }
    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-zoom]");
      if (!button) {
        return;
      }
      var how = button.getAttribute("data-zoom");
      if (how === "fit") {
        canvas.zoom("fit-viewport", "auto");
      } else {
        var current = canvas.zoom();
        canvas.zoom(how === "in" ? current * ZOOM_STEP : current / ZOOM_STEP, "auto");
      }
    });
    var picker = controls.querySelector("select");
    if (!picker) {
      return;
    }
    registry.filter(function (element) {
      return !element.labelTarget && !element.waypoints && element.businessObject &&
        element.type !== "bpmn:Process" && element.type !== "bpmn:Collaboration" &&
        element.type !== "label" && element !== canvas.getRootElement();
    }).sort(function (a, b) {
      return label(a).localeCompare(label(b));
    }).forEach(function (element) {
      var option = el("option", "", label(element));
      option.value = element.id;
      picker.appendChild(option);
    });
    picker.addEventListener("change", function () {
      var element = registry.get(picker.value);
      if (element) {
        show(element);
      }
    });
  }

  function label(element) {
    var name = element.businessObject && element.businessObject.name;
    return name ? name + " (" + element.id + ")" : element.id;
  }

  // --- the element panel: what happened here, what it waits for -------------------------------

  function show(element) {
    if (!panel) {
      return;
    }
    var heading = panel.querySelector("h3");
    var body = panel.querySelector(".diagram-element-body");
    heading.textContent = label(element);
    panel.setAttribute("data-element", element.id);
    panel.setAttribute("data-state", "loading");
    body.replaceChildren(el("p", "muted", "Loading…"));
    panel.hidden = false;
    var url = container.getAttribute("data-element-url").replace("ELEMENT", encodeURIComponent(element.id));
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
      })
      .then(function (result) {
        if (panel.getAttribute("data-element") !== element.id) {
          return; // another element was chosen meanwhile
        }
        if (!result.ok) {
          var error = result.answer && result.answer.error;
          throw new Error(error && error.message ? error.message : "the server refused");
        }
        body.replaceChildren.apply(body, describe(result.answer, element));
        panel.setAttribute("data-state", "ready");
      })
      .catch(function (error) {
        if (panel.getAttribute("data-element") === element.id) {
          body.replaceChildren(el("p", "error-text", "Its history cannot be shown: " + error.message));
          panel.setAttribute("data-state", "error");
        }
      });
  }

  function describe(answer, element) {
    var parts = [];
    if (element.waypoints) {
      var took = viewer.get("canvas").hasMarker(element.id, "done");
      parts.push(el("p", "element-flow", took ? "The instance took this flow." : "The instance has not taken this flow."));
      return parts;
    }
    var waits = waitLines(answer);
    if (waits.length) {
      parts.push(el("h4", "", "Waits for"));
      var ul = el("ul", "element-waits");
      waits.forEach(function (line) { ul.appendChild(line); });
      parts.push(ul);
    }
    (answer.incidents || []).forEach(function (incident) {
      var p = el("p", "element-incident");
      p.appendChild(el("strong", "", "Incident: "));
      p.appendChild(el("span", "error-text", incident.error || "no error text"));
      parts.push(p);
    });
    var history = answer.history || [];
    parts.push(el("h4", "", "History"));
    if (!history.length) {
      parts.push(el("p", "empty", "Nothing has happened here yet."));
      return parts;
    }
    var table = el("table", "list element-history");
    var head = el("tr");
    ["When", "Event", "User"].forEach(function (title) {
      var th = el("th", "", title);
      th.scope = "col";
      head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var tbody = table.appendChild(el("tbody"));
    history.forEach(function (event) {
      var row = tbody.appendChild(el("tr"));
      row.appendChild(el("td", "", when(event.at)));
      row.appendChild(el("td", "", (event.kind || "").replace(/_/g, " ")));
      row.appendChild(el("td", "", event.user || ""));
    });
    parts.push(table);
    return parts;
  }

  /** One line per wait: a person's task (who may do it), a job, a timer, a message. */
  function waitLines(answer) {
    var lines = [];
    (answer.tasks || []).forEach(function (task) {
      var li = el("li");
      var who = task.assignee ? "assigned to " + task.assignee :
        "offered to " + ([].concat(task.candidate_users || [], task.candidate_groups || []).join(", ") || "anyone");
      li.appendChild(el("span", "", "a person: " + (task.name || "the task") + ", " + who + " "));
      var link = el("a", "", "open the task");
      link.href = container.getAttribute("data-task-url").replace("TASK", encodeURIComponent(task.id));
      li.appendChild(link);
      lines.push(li);
    });
    (answer.waiting || []).forEach(function (wait) {
      if (wait.kind === "user_task") {
        return; // shown above with its task
      }
      var text;
      if (wait.event_type === "MessageEventDefinition") {
        var keys = wait.correlation && Object.keys(wait.correlation).length ? wait.correlation : null;
        text = "the message " + (wait.name || "") + (keys ? " with " + JSON.stringify(keys) : "");
      } else if (wait.kind === "event" && wait.due_at) {
        text = "a timer due " + when(wait.due_at);
      } else if (wait.kind === "event") {
        text = (wait.event_type || "an event").replace("EventDefinition", "").toLowerCase() + " " + (wait.name || wait.value || "");
      } else if (wait.job_status) {
        text = "its job (" + (wait.microflow ? "microflow " + wait.microflow + ", " : "") + wait.job_status +
          ", attempt " + wait.attempts + " of " + wait.max_attempts + ")";
      } else if (wait.kind === "incident" || wait.kind === "error") {
        text = "someone to retry it after its incident";
      } else if (wait.kind === "trigger") {
        text = "a trigger (flowbridge trigger, or POST …/trigger)";
      } else {
        text = (wait.kind || "something").replace(/_/g, " ");
      }
      lines.push(el("li", "", text));
    });
    return lines;
  }

  function when(iso) {
    var moment = iso ? new Date(iso) : null;
    return moment && !isNaN(moment) ? moment.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }) : "";
  }
}());
