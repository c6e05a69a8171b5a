"""Task and execution listeners of Camunda 7 (and Flowable) models, run as microflows on their events;
and the start event's initiator variable."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, InvalidModel
from engine.microflows import call_context

from ..conftest import complete

CAMUNDA = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
    '<bpmn:process id="p" isExecutable="true">{}</bpmn:process></bpmn:definitions>'
)


def extensions(*listeners: str) -> str:
    return "<bpmn:extensionElements>" + "".join(listeners) + "</bpmn:extensionElements>"


def flow(source: str, target: str, inner: str = "") -> str:
    return (
        f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}">'
        f"{inner}</bpmn:sequenceFlow>"
    )


@pytest.fixture
def heard(microflows: Any) -> list[tuple[str | None, str | None]]:
    """Every call of the microflow `Recorder` (a Java class's simple name): (event, element)."""
    calls: list[tuple[str | None, str | None]] = []

    def record(**variables: Any) -> dict[str, Any]:
        context = call_context()
        assert context is not None
        calls.append((context.event, context.element_id))
        return {"heard": len(calls)}

    microflows("Recorder", record)
    return calls


def deploy(engine: Engine, body: str) -> None:
    engine.repository.deploy({"p.bpmn": CAMUNDA.format(body).encode()})


def test_execution_and_task_listeners_run_on_their_events_in_order(
    engine: Engine, heard: list[tuple[str | None, str | None]]
) -> None:
    recorder = 'class="com.acme.Recorder"'
    task = (
        '<bpmn:userTask id="t" camunda:assignee="ada">'
        + extensions(
            f'<camunda:executionListener event="start" {recorder}/>',
            f'<camunda:executionListener event="end" {recorder}/>',
            f'<camunda:taskListener event="create" {recorder}/>',
            f'<camunda:taskListener event="assignment" {recorder}/>',
            f'<camunda:taskListener event="complete" {recorder}/>',
        )
        + "</bpmn:userTask>"
    )
    deploy(
        engine,
        '<bpmn:startEvent id="s"/>' + task + '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e"),
    )
    started = engine.runtime.start("p", {})
    assert heard == [("start", "t"), ("create", "t"), ("assignment", "t")]
    done = complete(engine, started, "t")
    assert heard[3:] == [("complete", "t"), ("end", "t")]
    assert done["status"] == "completed"
    assert done["variables"]["heard"] == 5  # what a listener returns sets variables


def test_an_assignment_listener_runs_when_the_task_is_claimed(
    engine: Engine, heard: list[tuple[str | None, str | None]]
) -> None:
    task = (
        '<bpmn:userTask id="t" camunda:candidateGroups="clerks">'
        + extensions('<camunda:taskListener event="assignment" delegateExpression="${Recorder}"/>')
        + "</bpmn:userTask>"
    )
    deploy(
        engine,
        '<bpmn:startEvent id="s"/>' + task + '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e"),
    )
    started = engine.runtime.start("p", {})
    assert heard == []  # nobody is assigned yet
    engine.tasks.claim(started["tasks"][0]["id"], "bob", groups=["clerks"])
    assert heard == [("assignment", "t")]


def test_take_listeners_and_process_listeners(
    engine: Engine, heard: list[tuple[str | None, str | None]], microflows: Any
) -> None:
    taken: list[Any] = []
    microflows("audit.flow", lambda label: taken.append(label) or {})
    process_listeners = extensions(
        '<camunda:executionListener event="start" class="Recorder"/>',
        '<camunda:executionListener event="end" class="Recorder"/>',
    )
    take = extensions('<camunda:executionListener event="take" expression="${audit.flow(\'s to t\')}"/>')
    deploy(
        engine,
        process_listeners
        + '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/><bpmn:endEvent id="e"/>'
        + flow("s", "t", take)
        + flow("t", "e"),
    )
    started = engine.runtime.start("p", {})
    assert taken == ["s to t"]
    assert [event for event, _ in heard] == ["start"]
    complete(engine, started, "t")
    assert [event for event, _ in heard] == ["start", "end"]


def test_a_python_script_listener_runs_and_other_languages_are_refused_by_name(engine: Engine) -> None:
    # As in Camunda 7, only execution.setVariable sets a variable: the script's own names are its own.
    script = (
        '<camunda:executionListener event="end"><camunda:script scriptFormat="{}">mine = 1\n'
        'execution.setVariable("seen", mine == 1)</camunda:script></camunda:executionListener>'
    )
    body = (
        '<bpmn:startEvent id="s"/><bpmn:task id="t">{}</bpmn:task><bpmn:endEvent id="e"/>'
        + flow("s", "t")
        + flow("t", "e")
    )
    deploy(engine, body.format(extensions(script.format("python"))))
    variables = engine.runtime.start("p", {})["variables"]
    assert variables["seen"] is True and "mine" not in variables
    with pytest.raises(InvalidModel) as refused:
        deploy(engine, body.format(extensions(script.format("groovy"))))
    assert "task 't'" in refused.value.message and "a groovy script" in refused.value.message


def test_a_timeout_task_listener_is_refused_at_deploy(engine: Engine) -> None:
    task = (
        '<bpmn:userTask id="t">'
        + extensions('<camunda:taskListener event="timeout" class="Recorder"/>')
        + "</bpmn:userTask>"
    )
    with pytest.raises(InvalidModel, match="listener on event 'timeout' is not supported"):
        deploy(engine, '<bpmn:startEvent id="s"/>' + task + flow("s", "t"))


def test_a_listener_naming_no_registered_microflow_fails_the_step_by_name(engine: Engine) -> None:
    task = (
        '<bpmn:task id="t">'
        + extensions('<camunda:executionListener event="start" class="com.acme.Missing"/>')
        + "</bpmn:task>"
    )
    deploy(
        engine,
        '<bpmn:startEvent id="s"/>' + task + '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e"),
    )
    with pytest.raises(Exception, match=r"start listener of 't' calls microflow 'com\.acme\.Missing'"):
        engine.runtime.start("p", {})


def test_the_initiator_variable_names_who_started_the_instance(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s" camunda:initiator="starter"/>'
        '<bpmn:userTask id="t" camunda:assignee="${starter}"/>' + flow("s", "t")
    )
    deploy(engine, body)
    started = engine.runtime.start("p", {}, user="ada")
    assert started["variables"]["starter"] == "ada"
    assert engine.tasks.get(started["tasks"][0]["id"])["assignee"] == "ada"


def test_a_flow_listener_without_event_listens_to_the_take_and_sees_its_event_name(
    engine: Engine, microflows: Any
) -> None:
    # Camunda 7: a sequence flow's listeners are take listeners, whatever their event says.
    microflows("audit.note", lambda event: {"noted": event})
    take = extensions('<camunda:executionListener expression="${audit.note(execution.eventName)}"/>')
    deploy(
        engine,
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/><bpmn:endEvent id="e"/>'
        + flow("s", "t", take)
        + flow("t", "e"),
    )
    started = engine.runtime.start("p", {})
    assert started["variables"]["noted"] == "take"  # the process's at once, while 't' waits


def test_what_a_start_listener_sets_is_a_process_variable_while_its_task_waits(
    engine: Engine, microflows: Any
) -> None:
    microflows("Marker", lambda **_: {"marked": True})
    listener = extensions('<camunda:executionListener event="start" class="Marker"/>')
    deploy(
        engine,
        f'<bpmn:startEvent id="s"/><bpmn:userTask id="t">{listener}</bpmn:userTask><bpmn:endEvent id="e"/>'
        + flow("s", "t")
        + flow("t", "e"),
    )
    started = engine.runtime.start("p", {})
    assert started["variables"]["marked"] is True
    assert complete(engine, started, "t")["variables"]["marked"] is True


def test_a_listener_expression_outside_the_subset_is_refused_naming_the_element(engine: Engine) -> None:
    listener = extensions('<camunda:executionListener event="start" expression="${audit.note(a +* b)}"/>')
    with pytest.raises(InvalidModel) as refused:
        deploy(engine, f'<bpmn:startEvent id="s"/><bpmn:task id="t">{listener}</bpmn:task>' + flow("s", "t"))
    assert "task 't'" in refused.value.message and "is not supported" in refused.value.message
