"""Call activities find their process when they are reached: the latest version unless the model
binds another; a process not deployed is an incident that deploying it and a retry resolve."""

from __future__ import annotations

from typing import Any

import pytest

from engine import BpmnError, Engine
from engine.errors import Conflict, InvalidModel

from ..builders import flow, model
from ..conftest import complete


def parent(call_attributes: str = "", extension: str = "") -> bytes:
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "call")
        + f'<bpmn:callActivity id="call" {call_attributes}>{extension}</bpmn:callActivity>'
        + flow("call", "after")
        + '<bpmn:userTask id="after"/>'
        + flow("after", "e")
        + '<bpmn:endEvent id="e"/>'
    )
    return model(body, key="parent")


def child(version_mark: int) -> bytes:
    body = (
        '<bpmn:startEvent id="cs"/>'
        + flow("cs", "mark")
        + f'<bpmn:scriptTask id="mark" scriptFormat="python"><bpmn:script>child_version = {version_mark}'
        "</bpmn:script></bpmn:scriptTask>"
        + flow("mark", "child_task")
        + '<bpmn:userTask id="child_task"/>'
        + flow("child_task", "ce")
        + '<bpmn:endEvent id="ce"/>'
    )
    return model(body, key="child")


def run_through(engine: Engine, instance_id: str) -> dict:
    """Complete the child's task and see which version of the child ran."""
    instance = engine.runtime.get(instance_id)
    assert [t["element_id"] for t in instance["tasks"]] == ["child_task"]
    return complete(engine, instance, "child_task")


def test_a_parent_deploys_without_its_child_and_waits_with_an_incident_until_it_is_deployed(
    engine: Engine,
) -> None:
    [deployed] = engine.repository.deploy({"parent.bpmn": parent('calledElement="child"')})
    assert "calls process 'child', which is not in this deployment" in deployed.warnings[0]
    instance = engine.runtime.start("parent", {})
    assert instance["status"] == "incident"
    [incident] = engine.runtime.get(instance["id"])["incidents"]
    assert incident["element_id"] == "call" and "process 'child'" in incident["error"]
    with pytest.raises(Conflict, match="cannot be retried yet"):
        engine.incidents.retry(incident["id"])  # still not deployed: the incident stays open
    assert engine.incidents.get(incident["id"])["status"] == "open"

    engine.repository.deploy({"child.bpmn": child(1)})
    assert engine.incidents.retry(incident["id"])["status"] == "resolved"
    after = run_through(engine, instance["id"])
    assert [t["element_id"] for t in after["tasks"]] == ["after"]
    assert after["variables"]["child_version"] == 1
    assert complete(engine, after, "after")["status"] == "completed"


def test_the_latest_version_is_called_by_default(engine: Engine) -> None:
    engine.repository.deploy({"parent.bpmn": parent('calledElement="child"'), "child.bpmn": child(1)})
    engine.repository.deploy({"child.bpmn": child(2)})
    instance = engine.runtime.start("parent", {})
    assert run_through(engine, instance["id"])["variables"]["child_version"] == 2


@pytest.mark.parametrize(
    ("binding", "expected"),
    [
        ('camunda:calledElementBinding="version" camunda:calledElementVersion="1"', 1),
        ('camunda:calledElementBinding="deployment"', 1),
        ('camunda:calledElementBinding="latest"', 2),
    ],
    ids=["version", "deployment", "latest"],
)
def test_camunda_bindings_choose_the_version(engine: Engine, binding: str, expected: int) -> None:
    attributes = f'calledElement="child" {binding}'
    # A Camunda 7 call activity hands back only what its camunda:out mappings name.
    out = '<bpmn:extensionElements><camunda:out variables="all"/></bpmn:extensionElements>'
    engine.repository.deploy({"parent.bpmn": parent(attributes, out), "child.bpmn": child(1)})
    engine.repository.deploy({"child.bpmn": child(2)})
    instance = engine.runtime.start("parent", {})
    assert run_through(engine, instance["id"])["variables"]["child_version"] == expected


def test_a_zeebe_called_element_is_called(engine: Engine) -> None:
    extension = '<bpmn:extensionElements><zeebe:calledElement processId="child"/></bpmn:extensionElements>'
    engine.repository.deploy({"parent.bpmn": parent("", extension), "child.bpmn": child(3)})
    instance = engine.runtime.start("parent", {})
    assert run_through(engine, instance["id"])["variables"]["child_version"] == 3


def camunda7(document: bytes) -> bytes:
    """The document without the Zeebe namespace the builders declare: a Camunda 7 model."""
    return document.replace(b'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" ', b"")


def waiting_child(*before: str) -> bytes:
    """A called process running the elements `before` (ids a, b, ...), then waiting at `child_task`."""
    ids = [chr(ord("a") + i) for i in range(len(before))]
    body = '<bpmn:startEvent id="cs"/>' + "".join(before)
    for source, target in zip(["cs", *ids], [*ids, "child_task"], strict=True):
        body += flow(source, target)
    body += '<bpmn:userTask id="child_task"/>' + flow("child_task", "ce") + '<bpmn:endEvent id="ce"/>'
    return camunda7(model(body, key="child"))


def test_a_called_element_expression_calls_the_process_it_names_when_reached(engine: Engine) -> None:
    passing = '<bpmn:extensionElements><camunda:out variables="all"/></bpmn:extensionElements>'
    files = {"parent.bpmn": camunda7(parent('calledElement="${target}"', passing)), "child.bpmn": child(7)}
    deployed = engine.repository.deploy(files)
    assert not [w for d in deployed for w in d.warnings]  # nothing to check at deploy
    instance = engine.runtime.start("parent", {"target": "child"})
    after = run_through(engine, instance["id"])  # the called process, restored between the steps
    assert [t["element_id"] for t in after["tasks"]] == ["after"]
    assert after["variables"]["child_version"] == 7


def test_a_called_element_expression_naming_no_deployed_process_is_an_incident_naming_both(
    engine: Engine,
) -> None:
    engine.repository.deploy({"parent.bpmn": camunda7(parent('calledElement="#{target}"'))})
    instance = engine.runtime.start("parent", {"target": "nowhere"})
    assert instance["status"] == "incident"
    [incident] = engine.runtime.get(instance["id"])["incidents"]
    assert incident["element_id"] == "call"
    assert "process 'nowhere'" in incident["error"] and "#{target}" in incident["error"]

    engine.repository.deploy({"child.bpmn": child(1)})
    with pytest.raises(Conflict, match="process 'nowhere'"):
        engine.incidents.retry(incident["id"])  # evaluated again: still no such process


def test_a_called_element_expression_that_names_no_process_is_an_incident(engine: Engine) -> None:
    engine.repository.deploy({"parent.bpmn": parent('calledElement="${target}"'), "child.bpmn": child(1)})
    instance = engine.runtime.start("parent", {"target": None})
    [incident] = engine.runtime.get(instance["id"])["incidents"]
    assert "names None, not a process id" in incident["error"]


def test_a_called_element_expression_that_does_not_translate_is_refused_at_deploy(engine: Engine) -> None:
    with pytest.raises(InvalidModel, match="calledElement"):
        engine.repository.deploy({"parent.bpmn": parent('calledElement="${a +* b}"')})


def test_camunda_local_out_variables_are_seen_by_the_output_mappings_alone(engine: Engine) -> None:
    extension = (
        "<bpmn:extensionElements><camunda:inputOutput>"
        '<camunda:outputParameter name="doubled">${got * 2}</camunda:outputParameter>'
        "</camunda:inputOutput>"
        '<camunda:in variables="all"/>'
        '<camunda:out source="made" target="got" local="true"/>'
        "</bpmn:extensionElements>"
    )
    engine.repository.deploy(
        {"parent.bpmn": camunda7(parent('calledElement="child"', extension)), "child.bpmn": waiting_child()}
    )
    instance = engine.runtime.start("parent", {})
    after = complete(engine, engine.runtime.get(instance["id"]), "child_task", made=21)
    assert after["variables"]["doubled"] == 42
    assert "got" not in after["variables"] and "made" not in after["variables"]


def test_camunda_out_variables_pass_when_a_bpmn_error_of_the_called_process_is_caught(
    engine: Engine, microflows: Any
) -> None:
    def fail(**_: Any) -> None:
        raise BpmnError("broken", "it broke")

    microflows("fail", fail)
    thrower = waiting_child('<bpmn:userTask id="a"/>', '<bpmn:serviceTask id="b" camunda:class="fail"/>')
    caught = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "call")
        + '<bpmn:callActivity id="call" calledElement="child"><bpmn:extensionElements>'
        '<camunda:out variables="all"/></bpmn:extensionElements></bpmn:callActivity>'
        + flow("call", "e")
        + '<bpmn:endEvent id="e"/>'
        + '<bpmn:boundaryEvent id="on_error" attachedToRef="call"><bpmn:errorEventDefinition/>'
        "</bpmn:boundaryEvent>" + flow("on_error", "handle") + '<bpmn:userTask id="handle"/>'
    )
    engine.repository.deploy({"parent.bpmn": camunda7(model(caught, key="parent")), "child.bpmn": thrower})
    instance = engine.runtime.start("parent", {})
    after = complete(engine, engine.runtime.get(instance["id"]), "a", made="in the child")
    assert [t["element_id"] for t in after["tasks"]] == ["handle"]
    assert after["variables"]["made"] == "in the child"
    assert after["variables"]["error_code"] == "broken"


def test_a_camunda_source_expression_without_braces_is_a_literal(engine: Engine) -> None:
    extension = (
        '<bpmn:extensionElements><camunda:in sourceExpression="hello" target="greeting"/>'
        '<camunda:out sourceExpression="${greeting} back" target="answer"/></bpmn:extensionElements>'
    )
    engine.repository.deploy(
        {"parent.bpmn": camunda7(parent('calledElement="child"', extension)), "child.bpmn": waiting_child()}
    )
    instance = engine.runtime.start("parent", {})
    [task] = engine.runtime.get(instance["id"])["tasks"]
    assert engine.tasks.get(task["id"])["variables"] == {"greeting": "hello"}
    assert (
        complete(engine, engine.runtime.get(instance["id"]), "child_task")["variables"]["answer"]
        == "hello back"
    )
