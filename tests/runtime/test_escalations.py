"""Escalations: thrown inside a scope, caught by a boundary event or an event subprocess, which
runs beside the flow (non-interrupting) or instead of it (interrupting)."""

from __future__ import annotations

from engine import Engine

from ..builders import flow, model
from ..conftest import complete

LATE = '<bpmn:escalation id="late" escalationCode="LATE"/>'


def escalating(handler: str, throw: str = "intermediateThrowEvent") -> bytes:
    """Subprocess `work` throws escalation LATE beside user task `inner` (or at its end event)."""
    if throw == "intermediateThrowEvent":
        thrower = (
            '<bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition escalationRef="late"/>'
            "</bpmn:intermediateThrowEvent>" + flow("raise", "re") + '<bpmn:endEvent id="re"/>'
        )
    else:
        thrower = (
            '<bpmn:endEvent id="raise"><bpmn:escalationEventDefinition escalationRef="late"/></bpmn:endEvent>'
        )
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "work")
        + '<bpmn:subProcess id="work"><bpmn:startEvent id="ws"/>'
        + flow("ws", "fork")
        + '<bpmn:parallelGateway id="fork"/>'
        + flow("fork", "raise")
        + flow("fork", "inner")
        + thrower
        + '<bpmn:userTask id="inner"/>'
        + flow("inner", "we")
        + '<bpmn:endEvent id="we"/></bpmn:subProcess>'
        + handler
        + flow("work", "after")
        + '<bpmn:userTask id="after"/>'
        + flow("after", "e")
        + '<bpmn:endEvent id="e"/>'
    )
    return model(body).replace(b"</bpmn:definitions>", LATE.encode() + b"</bpmn:definitions>")


TELL = (
    '<bpmn:scriptTask id="tell" scriptFormat="python"><bpmn:script>told = True</bpmn:script>'
    "</bpmn:scriptTask>" + flow("tell", "te") + '<bpmn:endEvent id="te"/>'
)


def boundary(interrupting: bool) -> str:
    return (
        f'<bpmn:boundaryEvent id="noticed" attachedToRef="work" cancelActivity="{str(interrupting).lower()}">'
        '<bpmn:escalationEventDefinition escalationRef="late"/></bpmn:boundaryEvent>'
        + flow("noticed", "tell")
        + TELL
    )


def open_tasks(instance: dict) -> list[str]:
    return sorted(t["element_id"] for t in instance["tasks"])


def test_a_non_interrupting_escalation_boundary_event_runs_beside_the_subprocess(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": escalating(boundary(False))})
    instance = engine.runtime.start("p", {})
    assert instance["variables"]["told"] is True
    assert open_tasks(instance) == ["inner"]  # the subprocess goes on
    assert open_tasks(complete(engine, instance, "inner")) == ["after"]


def test_an_interrupting_escalation_end_event_ends_the_subprocess(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": escalating(boundary(True), throw="endEvent")})
    instance = engine.runtime.start("p", {})
    assert instance["variables"]["told"] is True
    assert instance["status"] == "completed"  # the escalation path ended the instance; inner cancelled
    cancelled = [
        e["element_id"] for e in engine.history.events(instance["id"]) if e["kind"] == "activity_cancelled"
    ]
    assert "inner" in cancelled


def test_an_escalation_event_subprocess_catches_what_its_scope_throws(engine: Engine) -> None:
    handler_inside = (
        '<bpmn:subProcess id="on_late" triggeredByEvent="true">'
        '<bpmn:startEvent id="late_caught" isInterrupting="false">'
        '<bpmn:escalationEventDefinition escalationRef="late"/></bpmn:startEvent>'
        + flow("late_caught", "tell")
        + TELL
        + "</bpmn:subProcess>"
    )
    xml = escalating("").replace(b"</bpmn:subProcess>", handler_inside.encode() + b"</bpmn:subProcess>", 1)
    engine.repository.deploy({"p.bpmn": xml})
    instance = engine.runtime.start("p", {})
    assert instance["variables"]["told"] is True
    assert open_tasks(instance) == ["inner"]
    assert open_tasks(complete(engine, instance, "inner")) == ["after"]


def test_an_error_is_caught_by_the_innermost_scope_that_catches_it(engine: Engine) -> None:
    """BPMN 2.0 §10.5.4: the error thrown in `inner` is caught by `inner`'s own boundary event; the
    boundary event on the outer subprocess never fires (SpiffWorkflow alone lets both catch)."""
    error = '<bpmn:errorEventDefinition errorRef="broken"/>'
    inner = (
        '<bpmn:subProcess id="inner"><bpmn:startEvent id="is"/>'
        f'<bpmn:endEvent id="throw">{error}</bpmn:endEvent>' + flow("is", "throw") + "</bpmn:subProcess>"
    )
    outer = (
        '<bpmn:subProcess id="outer"><bpmn:startEvent id="os"/>' + inner + '<bpmn:endEvent id="oe"/>'
        f'<bpmn:boundaryEvent id="inner_caught" attachedToRef="inner">{error}</bpmn:boundaryEvent>'
        '<bpmn:userTask id="handled_inside"/>'
        + flow("os", "inner")
        + flow("inner", "oe")
        + flow("inner_caught", "handled_inside")
        + flow("handled_inside", "oe")
        + "</bpmn:subProcess>"
    )
    body = (
        '<bpmn:startEvent id="s"/>' + outer + '<bpmn:endEvent id="e"/>'
        f'<bpmn:boundaryEvent id="outer_caught" attachedToRef="outer">{error}</bpmn:boundaryEvent>'
        '<bpmn:userTask id="handled_outside"/>'
        + flow("s", "outer")
        + flow("outer", "e")
        + flow("outer_caught", "handled_outside")
        + flow("handled_outside", "e")
    )
    xml = model(body).replace(b"</bpmn:process>", b'</bpmn:process><bpmn:error id="broken" errorCode="B"/>')
    engine.repository.deploy({"p.bpmn": xml})
    started = engine.runtime.start("p", {})
    assert [t["element_id"] for t in started["tasks"]] == ["handled_inside"]
    done = complete(engine, started, "handled_inside")
    assert done["status"] == "completed"
    kinds = [(e["kind"], e["element_id"]) for e in engine.history.events(started["id"])]
    assert ("activity_completed", "outer_caught") not in kinds
