"""Event subprocesses as BPMN 2.0 §10.3.6 has them, built from what SpiffWorkflow runs well.

SpiffWorkflow 3.2 starts an event subprocess whose start event is an error or escalation start
event (which its parser reads as a plain start) as soon as its scope starts, and it keeps a
scope whose event subprocess waits for a timer open forever. The standard's meaning is that of a
boundary event on the scope's own flow: the event subprocess starts only when its trigger
occurs while the scope is active; an interrupting one cancels the rest of the scope, a
non-interrupting one runs beside it and may fire again; when the scope's flow ends, its
subscriptions end with it, and the scope completes once its event subprocesses have.

So a (sub)process with event subprocesses is rewritten, in the copy SpiffWorkflow runs, into:

    start event (kept) → subprocess `<scope>__scope` (the rest of the scope's flow) → end event
                            └ boundary event per event subprocess, with the trigger of its start
                              event and its interrupting flag, under the start event's id
                              → the event subprocess, now a plain subprocess → end event

The boundary event takes the start event's id, so waits and history name the element the
model shows; the start event inside becomes a plain start (`<id>__entered`).
"""

from __future__ import annotations

import copy

from lxml import etree

from ...namespaces import FLOWBRIDGE_NS
from .rewrite import Rewriter, local_name, q

SCOPE_SUFFIX = "__scope"
"""Id suffix of the subprocess that holds a scope's own flow."""
PART_OF_SCOPE = q("partOfScope", FLOWBRIDGE_NS)
"""On the subprocesses this rewrite makes (the scope's flow, each event subprocess): they are parts
of their scope, not scopes of their own, to the compensation that scope throws."""
_CONTAINERS = ("process", "subProcess", "transaction")
_STAYS = frozenset(
    {
        "documentation",
        "extensionElements",
        "laneSet",
        "ioSpecification",
        "ioBinding",
        "property",
        "dataObject",
        "incoming",
        "outgoing",
        "multiInstanceLoopCharacteristics",
        "standardLoopCharacteristics",
    }
)
"""Children of a scope that describe the scope itself, not its flow: they stay where they are."""
_TRIGGERS = frozenset(
    {
        "errorEventDefinition",
        "escalationEventDefinition",
        "messageEventDefinition",
        "signalEventDefinition",
        "timerEventDefinition",
        "conditionalEventDefinition",
    }
)


def rewrite_event_subprocesses(rewriter: Rewriter) -> None:
    """Give every scope that has event subprocesses the structure the module docstring shows."""
    scopes = [
        el
        for local in _CONTAINERS
        for el in rewriter.iter(local)
        if el.get("triggeredByEvent") != "true" and _event_subprocesses(el)
    ]
    for scope in scopes:
        _rewrite_scope(rewriter, scope)


def _event_subprocesses(scope: etree._Element) -> list[etree._Element]:
    return [el for el in scope if local_name(el) == "subProcess" and el.get("triggeredByEvent") == "true"]


def _rewrite_scope(rewriter: Rewriter, scope: etree._Element) -> None:
    handlers = _event_subprocesses(scope)
    starts = [el for el in scope if local_name(el) == "startEvent"]
    if len(starts) != 1:
        raise rewriter.refuse(
            scope,
            f"a scope with event subprocesses needs exactly one start event of its own, it has {len(starts)}",
        )
    [start] = starts
    triggers = [(handler, _trigger_of(rewriter, handler)) for handler in handlers]

    scope_id = scope.get("id", "")
    body = etree.Element(q("subProcess"))
    body.set("id", f"{scope_id}{SCOPE_SUFFIX}")
    body.set(PART_OF_SCOPE, "true")
    if scope.get("name"):
        body.set("name", scope.get("name", ""))
    for child in list(scope):
        if (
            not isinstance(child.tag, str)
            or child is start
            or child in handlers
            or local_name(child) in _STAYS
        ):
            continue
        body.append(child)  # moves it
    inner_start = etree.SubElement(body, q("startEvent"))
    inner_start.set("id", f"{scope_id}__scope_start")
    for flow in body:
        if local_name(flow) == "sequenceFlow" and flow.get("sourceRef") == start.get("id"):
            flow.set("sourceRef", inner_start.get("id", ""))
    for out in start.findall(q("outgoing")):
        start.remove(out)
    scope.append(body)
    _connect(scope, start, body)
    end = etree.SubElement(scope, q("endEvent"))
    end.set("id", f"{scope_id}__scope_end")
    _connect(scope, body, end)

    for handler, (handler_start, definition) in triggers:
        boundary = etree.SubElement(scope, q("boundaryEvent"))
        boundary.set("id", handler_start.get("id", ""))
        if handler_start.get("name"):
            boundary.set("name", handler_start.get("name", ""))
        boundary.set("attachedToRef", body.get("id", ""))
        interrupting = handler_start.get("isInterrupting", "true").strip().lower() != "false"
        boundary.set("cancelActivity", "true" if interrupting else "false")
        for extension in handler_start.findall(q("extensionElements")):
            boundary.append(copy.deepcopy(extension))
        boundary.append(definition)  # moves it: the start inside becomes a plain start
        handler_start.set("id", f"{handler_start.get('id')}__entered")
        if "isInterrupting" in handler_start.attrib:
            del handler_start.attrib["isInterrupting"]
        del handler.attrib["triggeredByEvent"]
        handler.set(PART_OF_SCOPE, "true")
        for flow in handler:
            if local_name(flow) == "sequenceFlow" and flow.get("sourceRef") == boundary.get("id"):
                flow.set("sourceRef", handler_start.get("id", ""))
        _connect(scope, boundary, handler)
        handler_end = etree.SubElement(scope, q("endEvent"))
        handler_end.set("id", f"{handler.get('id')}__end")
        _connect(scope, handler, handler_end)


def _trigger_of(rewriter: Rewriter, handler: etree._Element) -> tuple[etree._Element, etree._Element]:
    """The start event of an event subprocess and the event definition that triggers it."""
    for start in handler:
        if local_name(start) != "startEvent":
            continue
        definitions = [d for d in start if local_name(d) in _TRIGGERS]
        if len(definitions) == 1:
            return start, definitions[0]
        if len(definitions) > 1:
            raise rewriter.refuse(
                start, "an event subprocess start event with several triggers is not supported"
            )
    raise rewriter.refuse(
        handler,
        "event subprocess has no start event with a trigger (error, escalation, message, signal, timer "
        "or conditional)",
    )


def _connect(container: etree._Element, source: etree._Element, target: etree._Element) -> None:
    flow = etree.SubElement(container, q("sequenceFlow"))
    flow.set("id", f"{source.get('id')}__to__{target.get('id')}")
    flow.set("sourceRef", source.get("id", ""))
    flow.set("targetRef", target.get("id", ""))
    for element, tag in ((source, "outgoing"), (target, "incoming")):
        link = etree.Element(q(tag))
        link.text = flow.get("id", "")
        _insert_link(element, link)


def _insert_link(element: etree._Element, link: etree._Element) -> None:
    """`incoming`/`outgoing` go before an element's event definitions and loop characteristics."""
    leading = ("documentation", "extensionElements", "incoming", "outgoing")
    for index, child in enumerate(element):
        if isinstance(child.tag, str) and local_name(child) not in leading:
            element.insert(index, link)
            return
    element.append(link)
