"""Compensation (BPMN 2.0 §10.7) as Camunda 7 runs it: handlers of completed activities, started by
compensation throw events, newest completion first, in subprocesses and for multi-instance
activities. Several cases follow Camunda 7's CompensateEventTest (camunda-bpm-platform,
engine/src/test/.../bpmn/event/compensate, Apache-2.0), with script tasks for its Java delegates."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.errors import InvalidModel

from ..builders import flow, model
from ..conftest import complete, deploy


def script(element_id: str, code: str, extra: str = "", attrs: str = "") -> str:
    return (
        f'<bpmn:scriptTask id="{element_id}" scriptFormat="python"{attrs}>{extra}'
        f"<bpmn:script>{code}</bpmn:script></bpmn:scriptTask>"
    )


def undo(element_id: str, code: str) -> str:
    """A compensation handler: a script task marked isForCompensation."""
    return script(element_id, code, attrs=' isForCompensation="true"')


def compensable(activity: str, handler: str, handler_xml: str | None = None) -> str:
    """A compensation boundary event on `activity`, associated with its handler (a script logging it)."""
    handler_xml = handler_xml or undo(handler, f"log = log + ['{handler}']")
    return (
        f'<bpmn:boundaryEvent id="{activity}_c" attachedToRef="{activity}">'
        "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>"
        + handler_xml
        + f'<bpmn:association id="{activity}_a" sourceRef="{activity}_c" targetRef="{handler}"/>'
    )


def throw(element_id: str = "throw", activity: str | None = None, end: bool = False) -> str:
    ref = f' activityRef="{activity}"' if activity else ""
    tag = "endEvent" if end else "intermediateThrowEvent"
    return f'<bpmn:{tag} id="{element_id}"><bpmn:compensateEventDefinition{ref}/></bpmn:{tag}>'


def logging(element_id: str) -> str:
    return script(element_id, f"log = log + ['{element_id}']")


def tail(after: str) -> str:
    """`after` → user task `wait` → end: the instance stays open so its variables can be read."""
    return flow(after, "wait") + '<bpmn:userTask id="wait"/>' + flow("wait", "e") + '<bpmn:endEvent id="e"/>'


def with_root(body: str, root_elements: str) -> bytes:
    """The model of `body` with errors or messages defined beside its process."""
    return model(body).replace(b"</bpmn:definitions>", root_elements.encode() + b"</bpmn:definitions>")


def run(engine: Engine, body: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": model(body)})
    return engine.runtime.start("p", {"log": [], **(variables or {})})


def open_tasks(instance: dict[str, Any]) -> list[str]:
    return sorted(t["element_id"] for t in instance["tasks"])


def thrown(engine: Engine, instance: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["data"] for e in engine.history.events(instance["id"]) if e["kind"] == "compensation_thrown"]


TWO_BOOKINGS = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "hotel")
    + logging("hotel")
    + compensable("hotel", "undo_hotel")
    + flow("hotel", "flight")
    + logging("flight")
    + compensable("flight", "undo_flight")
)


def test_handlers_of_completed_activities_run_newest_first(engine: Engine) -> None:
    instance = run(engine, TWO_BOOKINGS + flow("flight", "throw") + throw() + tail("throw"))
    assert instance["variables"]["log"] == ["hotel", "flight", "undo_flight", "undo_hotel"]
    assert open_tasks(instance) == ["wait"]  # the throw went on once its handlers had run
    assert thrown(engine, instance) == [{"activity": None, "handlers": ["undo_flight", "undo_hotel"]}]


def test_a_throw_with_an_activity_ref_compensates_that_activity_only(engine: Engine) -> None:
    # Camunda 7: testCompensateActivityRef
    instance = run(engine, TWO_BOOKINGS + flow("flight", "throw") + throw(activity="hotel") + tail("throw"))
    assert instance["variables"]["log"] == ["hotel", "flight", "undo_hotel"]


def test_each_completion_is_compensated_once(engine: Engine) -> None:
    body = (
        TWO_BOOKINGS
        + flow("flight", "first")
        + throw("first", activity="flight")
        + flow("first", "second")
        + throw("second")
        + tail("second")
    )
    instance = run(engine, body)
    assert instance["variables"]["log"] == ["hotel", "flight", "undo_flight", "undo_hotel"]
    assert thrown(engine, instance) == [
        {"activity": "flight", "handlers": ["undo_flight"]},
        {"activity": None, "handlers": ["undo_hotel"]},
    ]


def test_a_throw_with_nothing_to_compensate_is_a_no_op_recorded_in_the_history(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "throw")
        + throw()
        + flow("throw", "hotel")
        + logging("hotel")
        + compensable("hotel", "undo_hotel")
        + tail("hotel")
    )
    instance = run(engine, body)
    assert instance["variables"]["log"] == ["hotel"]  # hotel had not completed when compensation was thrown
    assert thrown(engine, instance) == [{"activity": None, "handlers": []}]


def test_a_handler_that_waits_holds_the_throw_until_it_is_done(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "hotel")
        + logging("hotel")
        + compensable("hotel", "undo_hotel", '<bpmn:userTask id="undo_hotel" isForCompensation="true"/>')
        + flow("hotel", "flight")
        + logging("flight")
        + compensable("flight", "undo_flight")
        + flow("flight", "throw")
        + throw()
        + tail("throw")
    )
    instance = run(engine, body)
    # Both handlers start at once (Camunda 7 and 8); the one that does not wait has run.
    assert instance["variables"]["log"] == ["hotel", "flight", "undo_flight"]
    assert open_tasks(instance) == ["undo_hotel"]
    assert [w["element_id"] for w in engine.runtime.get(instance["id"])["tasks"]] == ["undo_hotel"]
    instance = complete(engine, instance, "undo_hotel", refunded=True)
    assert open_tasks(instance) == ["wait"]
    assert instance["variables"]["refunded"] is True  # what a handler writes is a process variable


def test_a_compensation_end_event_ends_its_path_once_compensation_has(engine: Engine) -> None:
    body = TWO_BOOKINGS + flow("flight", "throw") + throw(end=True)
    instance = run(engine, body)
    assert instance["status"] == "completed"
    assert instance["variables"]["log"] == ["hotel", "flight", "undo_flight", "undo_hotel"]


def mi_subprocess(activity_handler: bool) -> str:
    """Subprocess `scope` books a hotel five times (a sequential multi-instance script task)."""
    inner = (
        '<bpmn:startEvent id="ss"/>'
        + flow("ss", "book")
        + script(
            "book",
            "booked = booked + 1",
            '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
            "<bpmn:loopCardinality>5</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
        )
        + compensable("book", "undo_book", undo("undo_book", "undone = undone + 1"))
        + flow("book", "se")
        + '<bpmn:endEvent id="se"/>'
    )
    scope = f'<bpmn:subProcess id="scope">{inner}</bpmn:subProcess>'
    if activity_handler:
        scope += compensable("scope", "undo_scope")
    return '<bpmn:startEvent id="s"/>' + flow("s", "scope") + scope


def test_compensating_a_subprocess_compensates_each_instance_completed_inside_it(engine: Engine) -> None:
    # Camunda 7: testCompensateSubprocess (the handler of a multi-instance activity runs per instance)
    body = mi_subprocess(False) + flow("scope", "throw") + throw(activity="scope") + tail("throw")
    instance = run(engine, body, {"booked": 0, "undone": 0})
    assert instance["variables"]["booked"] == 5
    assert instance["variables"]["undone"] == 5


def test_a_subprocess_with_a_handler_of_its_own_is_compensated_by_it_alone(engine: Engine) -> None:
    # Camunda 7: testCompensateSubprocessWithBoundaryEvent
    body = mi_subprocess(True) + flow("scope", "throw") + throw() + tail("throw")
    instance = run(engine, body, {"booked": 0, "undone": 0})
    assert instance["variables"]["undone"] == 0
    assert instance["variables"]["log"] == ["undo_scope"]


def test_compensation_thrown_in_a_subprocess_stays_inside_it(engine: Engine) -> None:
    # Camunda 7: compensation is not propagated to the upper levels of the process.
    inner = (
        '<bpmn:startEvent id="ss"/>'
        + flow("ss", "flight")
        + logging("flight")
        + compensable("flight", "undo_flight")
        + flow("flight", "throw")
        + throw()
        + flow("throw", "se")
        + '<bpmn:endEvent id="se"/>'
    )
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "hotel")
        + logging("hotel")
        + compensable("hotel", "undo_hotel")
        + flow("hotel", "trip")
        + f'<bpmn:subProcess id="trip">{inner}</bpmn:subProcess>'
        + tail("trip")
    )
    instance = run(engine, body)
    assert instance["variables"]["log"] == ["hotel", "flight", "undo_flight"]


def test_each_instance_of_a_multi_instance_activity_is_compensated_with_its_element(engine: Engine) -> None:
    # Camunda 7: testCompensateMiSubprocessVariableSnapshots (the handler sees the instance's locals)
    loop = (
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="${hotels}" '
        'camunda:elementVariable="hotel"/>'
    )
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "book")
        + script("book", "execution.setVariable('log', log + [hotel])", loop)  # Camunda 7's scripts
        + compensable(
            "book", "cancel", undo("cancel", "execution.setVariable('log', log + ['cancel ' + hotel])")
        )
        + flow("book", "throw")
        + throw()
        + tail("throw")
    )
    instance = run(engine, body, {"hotels": ["Rupert", "Vogsphere", "Milliways"]})
    assert instance["variables"]["log"] == [
        "Rupert",
        "Vogsphere",
        "Milliways",
        "cancel Milliways",
        "cancel Vogsphere",
        "cancel Rupert",
    ]
    assert "hotel" not in instance["variables"]  # the element variable stayed local to each instance


def test_an_error_event_subprocess_compensates_what_its_scope_completed(engine: Engine) -> None:
    # The saga: an error ends the flow; the event subprocess it starts undoes the bookings.
    handler = (
        '<bpmn:subProcess id="on_error" triggeredByEvent="true">'
        '<bpmn:startEvent id="failed"><bpmn:errorEventDefinition errorRef="no_card"/></bpmn:startEvent>'
        + flow("failed", "undo_all")
        + throw("undo_all")
        + flow("undo_all", "fe")
        + '<bpmn:endEvent id="fe"/></bpmn:subProcess>'
    )
    body = (
        TWO_BOOKINGS
        + flow("flight", "charge")
        + '<bpmn:endEvent id="charge"><bpmn:errorEventDefinition errorRef="no_card"/></bpmn:endEvent>'
        + handler
    )
    xml = with_root(body, '<bpmn:error id="no_card" errorCode="NO_CARD"/>')
    engine.repository.deploy({"p.bpmn": xml})
    instance = engine.runtime.start("p", {"log": []})
    assert instance["status"] == "completed"
    assert instance["variables"]["log"] == ["hotel", "flight", "undo_flight", "undo_hotel"]


def test_an_interrupted_subprocess_leaves_nothing_to_compensate(engine: Engine) -> None:
    # Camunda 7: only a subprocess that completed is compensated.
    inner = (
        '<bpmn:startEvent id="ss"/>'
        + flow("ss", "flight")
        + logging("flight")
        + compensable("flight", "undo_flight")
        + flow("flight", "confirm")
        + '<bpmn:userTask id="confirm"/>'
        + flow("confirm", "se")
        + '<bpmn:endEvent id="se"/>'
    )
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "trip")
        + f'<bpmn:subProcess id="trip">{inner}</bpmn:subProcess>'
        + '<bpmn:boundaryEvent id="stop" attachedToRef="trip"><bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:boundaryEvent>"
        + flow("stop", "throw")
        + throw()
        + tail("throw")
        + flow("trip", "te")
        + '<bpmn:endEvent id="te"/>'
    )
    xml = with_root(body, '<bpmn:message id="m" name="stop"/>')
    engine.repository.deploy({"p.bpmn": xml})
    instance = engine.runtime.start("p", {"log": []})
    engine.messages.correlate("stop")
    instance = engine.runtime.get(instance["id"])
    assert open_tasks(instance) == ["wait"]
    assert instance["variables"]["log"] == ["flight"]
    assert thrown(engine, instance) == [{"activity": None, "handlers": []}]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            '<bpmn:startEvent id="s"/>'
            + flow("s", "t")
            + throw("t", activity="nowhere")
            + flow("t", "e")
            + '<bpmn:endEvent id="e"/>',
            r"intermediateThrowEvent 't': activityRef 'nowhere' names no activity",
        ),
        (
            TWO_BOOKINGS.replace('isForCompensation="true"', "")
            + flow("flight", "e")
            + '<bpmn:endEvent id="e"/>',
            r"boundaryEvent 'hotel_c': compensation boundary event needs an association to its handler",
        ),
        (
            '<bpmn:startEvent id="s"/>'
            + flow("s", "e")
            + '<bpmn:endEvent id="e"/>'
            + logging("lonely").replace("<bpmn:scriptTask ", '<bpmn:scriptTask isForCompensation="true" '),
            r"scriptTask 'lonely': compensation handler is associated with no compensation boundary event",
        ),
        (
            TWO_BOOKINGS + flow("flight", "t") + '<bpmn:intermediateThrowEvent id="t">'
            '<bpmn:compensateEventDefinition waitForCompletion="false"/></bpmn:intermediateThrowEvent>'
            + flow("t", "e")
            + '<bpmn:endEvent id="e"/>',
            r"waitForCompletion=\"false\" is not supported",
        ),
        (
            '<bpmn:startEvent id="s"/>' + flow("s", "e") + '<bpmn:endEvent id="e"/>'
            '<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="c">'
            "<bpmn:compensateEventDefinition/></bpmn:startEvent>"
            + flow("c", "ce")
            + '<bpmn:endEvent id="ce"/></bpmn:subProcess>',
            r"compensation event subprocesses are not supported",
        ),
    ],
    ids=["unknown-activity-ref", "handler-not-marked", "lonely-handler", "no-wait", "event-subprocess"],
)
def test_compensation_that_cannot_run_is_refused_by_name(engine: Engine, body: str, reason: str) -> None:
    with pytest.raises(InvalidModel, match=reason):
        engine.repository.deploy({"p.bpmn": model(body)})


def test_handlers_that_wait_are_each_a_task_with_the_locals_of_the_instance_they_undo(engine: Engine) -> None:
    deploy(engine, "compensation.bpmn")
    instance = engine.runtime.start("compensation", {"rooms": ["r1", "r2"], "booked": []})
    assert instance["variables"]["car"] == "C-1"
    instance = complete(engine, instance, "decide", keep=False)
    # The car was booked last: its handler ran at once; one release task waits per room.
    assert instance["variables"]["car"] is None
    rooms = sorted(t["variables"]["room"] for t in instance["tasks"])
    assert rooms == ["r1", "r2"] and open_tasks(instance) == ["release_room", "release_room"]
    for task in instance["tasks"]:
        instance = engine.tasks.complete(task["id"], {})
    assert instance["status"] == "completed"
    assert "room" not in instance["variables"]
