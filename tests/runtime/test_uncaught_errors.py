"""An error nothing catches is never swallowed: the step fails naming its code, and nothing of it
is saved (a job's step then becomes an incident: tests/jobs)."""

from __future__ import annotations

import pytest

from engine import Engine
from engine.errors import StepFailed

from ..builders import flow, model
from ..conftest import complete

THROWS = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "pick")
    + '<bpmn:userTask id="pick"/>'
    + flow("pick", "out_of_stock")
    + '<bpmn:endEvent id="out_of_stock"><bpmn:errorEventDefinition errorRef="no_stock"/></bpmn:endEvent>'
)


def with_error(body: str) -> bytes:
    return model(body).replace(
        b"</bpmn:definitions>", b'<bpmn:error id="no_stock" errorCode="NO_STOCK"/></bpmn:definitions>'
    )


def test_an_error_end_event_nothing_catches_fails_the_step_naming_the_code(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": with_error(THROWS)})
    instance = engine.runtime.start("p", {})
    with pytest.raises(StepFailed, match="error 'NO_STOCK' was thrown and no error boundary event or event"):
        complete(engine, instance, "pick", tried=1)
    still = engine.runtime.get(instance["id"])
    assert (still["status"], [t["element_id"] for t in still["tasks"]]) == ("waiting", ["pick"])
    assert "tried" not in still["variables"]  # nothing of the failed step was saved
    assert [e["kind"] for e in engine.history.events(instance["id"])][-1] == "activity_completed"


def test_the_same_error_with_an_event_subprocess_is_handled(engine: Engine) -> None:
    handler = (
        '<bpmn:subProcess id="on_no_stock" triggeredByEvent="true"><bpmn:startEvent id="caught">'
        '<bpmn:errorEventDefinition errorRef="no_stock"/></bpmn:startEvent>'
        + flow("caught", "reorder")
        + '<bpmn:userTask id="reorder"/>'
        + flow("reorder", "reordered")
        + '<bpmn:endEvent id="reordered"/></bpmn:subProcess>'
    )
    engine.repository.deploy({"p.bpmn": with_error(THROWS + handler)})
    instance = engine.runtime.start("p", {})
    after = complete(engine, instance, "pick")
    assert [t["element_id"] for t in after["tasks"]] == ["reorder"]
