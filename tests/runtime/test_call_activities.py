"""Call activities find their process when they are reached: the latest version unless the model
binds another; a process not deployed is an incident that deploying it and a retry resolve."""

from __future__ import annotations

import pytest

from engine import Engine
from engine.errors import Conflict

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
    engine.repository.deploy({"parent.bpmn": parent(attributes), "child.bpmn": child(1)})
    engine.repository.deploy({"child.bpmn": child(2)})
    instance = engine.runtime.start("parent", {})
    assert run_through(engine, instance["id"])["variables"]["child_version"] == expected


def test_a_zeebe_called_element_is_called(engine: Engine) -> None:
    extension = '<bpmn:extensionElements><zeebe:calledElement processId="child"/></bpmn:extensionElements>'
    engine.repository.deploy({"parent.bpmn": parent("", extension), "child.bpmn": child(3)})
    instance = engine.runtime.start("parent", {})
    assert run_through(engine, instance["id"])["variables"]["child_version"] == 3
