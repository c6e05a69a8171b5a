"""Compensation (BPMN 2.0 §10.7), rewritten into what the parser turns into Flowbridge's specs.

SpiffWorkflow 3.2 does not run compensation. A model says it with three parts:

- a compensation boundary event on an activity, associated with its handler, an activity marked
  `isForCompensation` that has no sequence flows;
- compensation throw events (intermediate or end) with an `activityRef` (that activity) or
  without (every activity of the throw's scope that completed);
- the scope: the (sub)process the throw is in, or, for a throw in an event subprocess, the
  scope the event subprocess belongs to.

In the copy SpiffWorkflow parses, each handler is wrapped in a subprocess of its own,
`<handler>__compensation` (start → handler → end, outside every flow); the boundary event and
its association go, and the activity names its handler's wrapper in `fb:compensatedBy`. Each
throw event loses its event definition and says what it compensates in `fb:compensate` (the
activity, or "" for its scope) and which handlers it may start in `fb:handlers`: those of its
scope and of the subprocesses within it. `engine.definitions.compensation` runs them.
"""

from __future__ import annotations

from lxml import etree

from ...namespaces import FLOWBRIDGE_NS
from .rewrite import ACTIVITIES, Rewriter, connect, local_name, q, remove

COMPENSATED_BY = q("compensatedBy", FLOWBRIDGE_NS)
"""On a compensable activity: the id of its handler's wrapper subprocess."""
COMPENSATE = q("compensate", FLOWBRIDGE_NS)
"""On a throw event: the activity it compensates, "" for every activity of its scope."""
HANDLERS = q("handlers", FLOWBRIDGE_NS)
"""On a throw event: the wrappers of the handlers it may start, space-separated."""
HANDLER = q("handler", FLOWBRIDGE_NS)
"""On a wrapper subprocess: the handler it holds."""
WRAPPER_SUFFIX = "__compensation"
_SCOPES = frozenset({"process", "subProcess", "transaction", "adHocSubProcess"})


def rewrite_compensation(rewriter: Rewriter) -> None:
    """Rewrite compensation as the module docstring says, or refuse what cannot run, by name."""
    associations = {el.get("sourceRef", ""): el for el in rewriter.iter("association") if el.get("sourceRef")}
    for definition in rewriter.iter("compensateEventDefinition"):
        event = definition.getparent()
        assert event is not None
        kind = local_name(event)
        if kind == "boundaryEvent":
            _attach_handler(rewriter, event, associations)
        elif kind in ("intermediateThrowEvent", "endEvent"):
            _mark_throw(rewriter, event, definition)
        elif kind == "startEvent":
            raise rewriter.refuse(
                event,
                "compensation event subprocesses are not supported; attach a compensation boundary "
                "event to the subprocess and associate it with a handler instead",
            )
        else:
            raise rewriter.refuse(event, "a compensation event is a boundary event or a throw event")
    for element in rewriter.root.iter():
        if isinstance(element.tag, str) and element.get("isForCompensation") == "true":
            raise rewriter.refuse(
                element, "compensation handler is associated with no compensation boundary event"
            )
    for event in list(rewriter.root.iter()):
        if isinstance(event.tag, str) and event.get(COMPENSATE) is not None:
            event.set(HANDLERS, " ".join(_handlers_within(_scope_of(event))))


def _attach_handler(
    rewriter: Rewriter, boundary: etree._Element, associations: dict[str, etree._Element]
) -> None:
    container = boundary.getparent()
    assert container is not None
    boundary_id = boundary.get("id", "")
    if any(f.get("sourceRef") == boundary_id for f in container if local_name(f) == "sequenceFlow"):
        raise rewriter.refuse(
            boundary,
            "a compensation boundary event has no outgoing sequence flow (it is associated with its handler)",
        )
    activity = _child_by_id(container, boundary.get("attachedToRef", ""))
    if activity is None:
        raise rewriter.refuse(boundary, f"is attached to '{boundary.get('attachedToRef')}', not found here")
    association = associations.get(boundary_id)
    handler = _child_by_id(container, association.get("targetRef", "")) if association is not None else None
    if handler is None or handler.get("isForCompensation") != "true":
        raise rewriter.refuse(
            boundary,
            "compensation boundary event needs an association to its handler, an activity beside it "
            "marked isForCompensation",
        )
    handler_id = handler.get("id", "")
    flows = [f for f in container if local_name(f) == "sequenceFlow"]
    if any(handler_id in (f.get("sourceRef"), f.get("targetRef")) for f in flows):
        raise rewriter.refuse(handler, "a compensation handler has no incoming or outgoing sequence flows")
    activity.set(COMPENSATED_BY, _wrap(container, handler))
    remove(boundary)
    remove(association)  # type: ignore[arg-type]


def _wrap(container: etree._Element, handler: etree._Element) -> str:
    """Put the handler in a subprocess of its own (start → handler → end), where it was."""
    handler_id = handler.get("id", "")
    wrapper = etree.Element(q("subProcess"))
    wrapper_id = f"{handler_id}{WRAPPER_SUFFIX}"
    wrapper.set("id", wrapper_id)
    wrapper.set(HANDLER, handler_id)
    if handler.get("name"):
        wrapper.set("name", handler.get("name", ""))
    handler.addprevious(wrapper)
    del handler.attrib["isForCompensation"]
    for link in handler.findall(q("incoming")) + handler.findall(q("outgoing")):
        handler.remove(link)
    start = etree.SubElement(wrapper, q("startEvent"))
    start.set("id", f"{wrapper_id}_start")
    wrapper.append(handler)  # moves it
    end = etree.SubElement(wrapper, q("endEvent"))
    end.set("id", f"{wrapper_id}_end")
    connect(wrapper, start, handler)
    connect(wrapper, handler, end)
    return wrapper_id


def _mark_throw(rewriter: Rewriter, event: etree._Element, definition: etree._Element) -> None:
    if (definition.get("waitForCompletion") or "true").strip().lower() == "false":
        raise rewriter.refuse(
            event, 'waitForCompletion="false" is not supported: a compensation throw waits for its handlers'
        )
    ref = (definition.get("activityRef") or "").strip()
    if ref:
        scope = _scope_of(event)
        target = _child_by_id(scope, ref)
        if target is None or local_name(target) not in ACTIVITIES:
            raise rewriter.refuse(
                event,
                f"activityRef '{ref}' names no activity of this compensation event's scope "
                f"('{scope.get('id')}'); compensation reaches only activities beside the throw",
            )
    event.set(COMPENSATE, ref)
    remove(definition)


def _scope_of(event: etree._Element) -> etree._Element:
    """The scope a throw compensates: its (sub)process, or an event subprocess's own scope."""
    scope = event.getparent()
    while scope is not None and (local_name(scope) not in _SCOPES or scope.get("triggeredByEvent") == "true"):
        scope = scope.getparent()
    assert scope is not None
    return scope


def _handlers_within(scope: etree._Element) -> list[str]:
    """The wrappers of the handlers of `scope` and of the subprocesses within it."""
    return [el.get("id", "") for el in scope.iter(q("subProcess")) if el.get(HANDLER) is not None]


def _child_by_id(container: etree._Element, element_id: str) -> etree._Element | None:
    for element in container:
        if isinstance(element.tag, str) and element.get("id") == element_id:
            return element
    return None
