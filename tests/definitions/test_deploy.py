"""Deploying: safe XML, clear refusals, versions by key, specs stored once per version."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from engine import Engine, InvalidModel
from engine.store import UnitOfWork
from engine.store.models import ProcessInstance

from ..builders import flow, model
from ..conftest import MODELS, complete, deploy

EXAMPLES = MODELS.parent.parent / "bpmn"


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_entity_declarations_are_refused(engine: Engine, name: str) -> None:
    with pytest.raises(InvalidModel, match="DOCTYPE"):
        deploy(engine, name)


def test_malformed_xml_names_file_and_line(engine: Engine) -> None:
    with pytest.raises(InvalidModel, match=r"broken\.bpmn:5: not well-formed"):
        deploy(engine, "broken.bpmn")


def test_a_file_without_executable_process_is_refused(engine: Engine) -> None:
    xml = (MODELS / "script.bpmn").read_bytes().replace(b'isExecutable="true"', b'isExecutable="false"')
    with pytest.raises(
        InvalidModel, match=r"script.bpmn:\d+: process '\w+' is not executable \(isExecutable=false\)"
    ):
        engine.repository.deploy({"script.bpmn": xml})


def test_a_service_task_without_microflow_is_refused_by_name(engine: Engine) -> None:
    xml = (MODELS / "service_spiff.bpmn").read_text()
    start = xml.index("<bpmn:extensionElements>", xml.index("<bpmn:serviceTask"))
    end = xml.index("</bpmn:extensionElements>", start) + len("</bpmn:extensionElements>")
    with pytest.raises(InvalidModel, match="service task names no microflow"):
        engine.repository.deploy({"svc.bpmn": (xml[:start] + xml[end:]).encode()})


def test_versions_change_only_with_the_xml(engine: Engine) -> None:
    first = deploy(engine, "script.bpmn")[0]
    again = deploy(engine, "script.bpmn")[0]
    assert (first.version, first.created) == (1, True)
    assert (again.id, again.version, again.created) == (first.id, 1, False)
    changed = (MODELS / "script.bpmn").read_bytes().replace(b"doubled = total * 2", b"doubled = total * 3")
    second = engine.repository.deploy({"script.bpmn": changed})[0]
    assert (second.version, second.created) == (2, True)
    assert engine.repository.get("script")["version"] == 2
    assert engine.repository.get("script", version=1)["version"] == 1
    assert b"total * 3" in engine.repository.xml("script").encode()
    assert [d["version"] for d in engine.repository.list_latest()] == [2]


def test_running_instances_keep_their_version(engine: Engine) -> None:
    deploy(engine, "script.bpmn")
    old = engine.runtime.start("script", {"a": 1, "b": 1})
    changed = (MODELS / "script.bpmn").read_bytes().replace(b"doubled = total * 2", b"doubled = total * 3")
    engine.repository.deploy({"script.bpmn": changed})
    new = engine.runtime.start("script", {"a": 1, "b": 1})
    assert (old["version"], old["variables"]["doubled"]) == (1, 4)
    assert (new["version"], new["variables"]["doubled"]) == (2, 6)
    assert complete(engine, old, "check")["version"] == 1


def test_instance_state_is_stored_without_the_spec(engine: Engine) -> None:
    deploy(engine, "script.bpmn")
    inst = engine.runtime.start("script", {"a": 1, "b": 1})
    with UnitOfWork(engine.db) as uow:
        state = json.loads(
            uow.session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == inst["id"]))
        )
    assert "spec" not in state and "subprocess_specs" not in state
    assert state["tasks"]


def test_specs_are_restored_once_per_version(engine: Engine) -> None:
    deploy(engine, "script.bpmn")
    inst = engine.runtime.start("script", {"a": 1, "b": 1})
    cached = dict(engine.repository._specs)
    complete(engine, inst, "check")
    assert engine.repository._specs == cached and len(cached) == 1


def test_unknown_definition_is_not_found(engine: Engine) -> None:
    from engine import NotFound

    with pytest.raises(NotFound, match="no process definition 'nope'"):
        engine.runtime.start("nope")


def test_a_changed_dmn_table_makes_a_new_version(engine: Engine) -> None:
    first = deploy(engine, "dmn_rule.bpmn", "discount.dmn")[0]
    dmn = (MODELS / "discount.dmn").read_bytes()
    changed = dmn.replace(b"<text>10</text>", b"<text>12</text>")
    assert changed != dmn
    second = engine.repository.deploy(
        {"dmn_rule.bpmn": (MODELS / "dmn_rule.bpmn").read_bytes(), "discount.dmn": changed}
    )[0]
    assert (first.version, second.version) == (1, 2)
    assert engine.runtime.start("dmn_rule", {"amount": 5000})["variables"]["discount"] == 12


# -- several files deployed together -----------------------------------------------------------


def test_a_called_process_deployed_later_is_named_in_a_warning(engine: Engine) -> None:
    [alone] = engine.repository.deploy({"call_parent.bpmn": (MODELS / "call_parent.bpmn").read_bytes()})
    [warning] = alone.warnings
    assert re.match(
        r"call_parent.bpmn:\d+: callActivity 'call' calls process 'call_child', which is not in", warning
    )
    deployed = {d.key for d in deploy(engine, "call_parent.bpmn", "call_child.bpmn")}
    assert deployed == {"call_parent", "call_child"}


def test_a_missing_decision_is_named(engine: Engine) -> None:
    with pytest.raises(InvalidModel, match=r"decision 'discount_decision', which is not in this deployment"):
        engine.repository.deploy({"dmn_rule.bpmn": (MODELS / "dmn_rule.bpmn").read_bytes()})


def test_a_missing_form_file_is_named(engine: Engine) -> None:
    model = (EXAMPLES / "order_camunda8.bpmn").read_bytes()
    with pytest.raises(InvalidModel, match=r"order_camunda8.bpmn: user task 'enter_order' links form"):
        engine.repository.deploy({"order_camunda8.bpmn": model})


def test_a_changed_form_file_makes_a_new_version_of_its_process_only(engine: Engine) -> None:
    names = [
        "order_camunda8.bpmn",
        "order_camunda8_enter.form",
        "order_camunda8_approve.form",
        "hello_task.bpmn",
    ]
    files = {n: (EXAMPLES / n).read_bytes() for n in names}
    first = {d.key: d.version for d in engine.repository.deploy(files)}
    files["order_camunda8_enter.form"] = files["order_camunda8_enter.form"].replace(
        b'"Customer"', b'"Client"'
    )
    again = {d.key: (d.version, d.created) for d in engine.repository.deploy(files)}
    assert first == {"order_camunda8": 1, "hello_task": 1}
    assert again == {"order_camunda8": (2, True), "hello_task": (1, False)}


def test_concurrent_deployments_of_one_new_file_make_one_version(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    xml = (MODELS / "exclusive.bpmn").read_bytes()
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda _n: engine.repository.deploy({"exclusive.bpmn": xml}), range(6)))

    versions = {(d.key, d.version) for outcome in outcomes for d in outcome}
    assert len(versions) == 1
    assert sum(d.created for outcome in outcomes for d in outcome) == 1
    assert [d["version"] for d in engine.repository.list_latest()] == [1]


def test_a_compensation_boundary_event_without_its_handler_is_refused_by_name(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:task id="book"/><bpmn:endEvent id="e"/>'
        '<bpmn:boundaryEvent id="undo_booking" attachedToRef="book"><bpmn:compensateEventDefinition/>'
        '</bpmn:boundaryEvent><bpmn:task id="cancel_booking" isForCompensation="true"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="book"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="book" targetRef="e"/>'
    )
    with pytest.raises(
        InvalidModel, match=r"boundaryEvent 'undo_booking': compensation boundary event needs an association"
    ):
        engine.repository.deploy({"p.bpmn": model(body)})


def test_the_definitions_of_instances_come_with_each_instances_status(engine: Engine) -> None:
    body = '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/>' + flow("s", "t")
    engine.repository.deploy({"p.bpmn": model(body)})
    waiting, held = engine.runtime.start("p")["id"], engine.runtime.start("p")["id"]
    engine.runtime.suspend(held)
    found = engine.repository.for_instances([waiting, held, "no-such-instance"])
    assert {i: (d["key"], d["version"], d["status"]) for i, d in found.items()} == {
        waiting: ("p", 1, "waiting"),
        held: ("p", 1, "suspended"),
    }
