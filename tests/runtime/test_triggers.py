"""Receive tasks without a message: a wait state in Camunda 7, Flowable and plain BPMN models, moved on
by a trigger (Camunda 7's `runtimeService.signal`); SpiffArena and Zeebe models pass through them."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Conflict, Engine, InvalidInput, NotFound
from engine.accounts import Principal
from engine.errors import InstanceEnded, InstanceSuspended, NotWaiting

from ..builders import BPMN, flow

CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
SPIFF = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
ZEEBE = 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'
FLOWABLE = 'xmlns:flowable="http://flowable.org/bpmn"'

INPUTS = (
    "<bpmn:extensionElements><camunda:inputOutput>"
    '<camunda:inputParameter name="local">${amount * 2}</camunda:inputParameter>'
    '<camunda:outputParameter name="doubled">${local}</camunda:outputParameter>'
    "</camunda:inputOutput></bpmn:extensionElements>"
)


def document(body: str, namespaces: str = CAMUNDA, key: str = "p", root: str = "") -> bytes:
    """A one-process document declaring only `namespaces`, so its dialect is theirs."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="{BPMN}" {namespaces} '
        f'id="d" targetNamespace="t">{root}<bpmn:process id="{key}" isExecutable="true">{body}'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


def waiting_at(receive: str) -> str:
    """start → `receive` (a receive task's XML, id `wait`) → end."""
    return (
        '<bpmn:startEvent id="s"/>'
        + receive
        + '<bpmn:endEvent id="e"/>'
        + flow("s", "wait")
        + flow("wait", "e")
    )


PLAIN = waiting_at('<bpmn:receiveTask id="wait" name="Wait for the clerk"/>')
MAPPED = waiting_at(f'<bpmn:receiveTask id="wait">{INPUTS}</bpmn:receiveTask>')


def start(
    engine: Engine, xml: bytes, variables: dict[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": xml})
    return engine.runtime.start("p", variables or {}, **options)


def triggers(instance: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in instance["waiting"] if w["kind"] == "trigger"]


def kinds(engine: Engine, instance_id: str) -> list[str]:
    return [e["kind"] for e in engine.history.events(instance_id)]


@pytest.mark.parametrize("namespaces", [CAMUNDA, FLOWABLE, ""], ids=["camunda7", "flowable", "bpmn"])
def test_a_receive_task_without_a_message_waits_for_a_trigger(engine: Engine, namespaces: str) -> None:
    instance = start(engine, document(PLAIN, namespaces))
    assert instance["status"] == "waiting"
    [wait] = triggers(engine.runtime.get(instance["id"]))
    assert wait["element_id"] == "wait" and wait["name"] == "Wait for the clerk"
    assert wait["local_variables"] == {} and wait["task_id"]

    done = engine.triggers.trigger(instance["id"], "wait", {"checked": True})
    assert done["status"] == "completed" and done["variables"] == {"checked": True}
    assert "triggered" in kinds(engine, instance["id"])


@pytest.mark.parametrize("namespaces", [SPIFF, ZEEBE], ids=["spiff", "camunda8"])
def test_spiffarena_and_zeebe_models_pass_through_it_as_before(engine: Engine, namespaces: str) -> None:
    # SpiffWorkflow runs it straight through; Zeebe refuses it at deploy, Flowbridge keeps running it.
    assert start(engine, document(PLAIN, namespaces))["status"] == "completed"


def test_its_inputs_are_local_to_it_and_its_outputs_apply_when_it_is_left(engine: Engine) -> None:
    instance = start(engine, document(MAPPED), {"amount": 21})
    [wait] = triggers(instance)
    assert wait["local_variables"] == {"local": 42}
    assert "local" not in instance["variables"]  # not the process's

    done = engine.triggers.trigger(instance["id"], "wait")
    assert done["variables"] == {"amount": 21, "doubled": 42}


def test_the_trigger_writes_its_variables_as_a_completion_does(engine: Engine) -> None:
    # A variable named like a local one stays local (Camunda sets it on the execution that has it).
    instance = start(engine, document(MAPPED), {"amount": 1})
    done = engine.triggers.trigger(instance["id"], "wait", {"note": "ok", "local": 5})
    assert done["variables"] == {"amount": 1, "note": "ok", "doubled": 5}
    [event] = [e for e in engine.history.events(instance["id"]) if e["kind"] == "triggered"]
    assert event["element_id"] == "wait" and event["data"] == {"variables": {"note": "ok", "local": 5}}


def test_a_second_trigger_is_a_conflict_and_changes_nothing(engine: Engine) -> None:
    body = waiting_at('<bpmn:receiveTask id="wait"/>').replace(
        '<bpmn:endEvent id="e"/>', '<bpmn:userTask id="e"/>'
    )
    instance = start(engine, document(body))
    engine.triggers.trigger(instance["id"], "wait", {"n": 1})
    before = engine.runtime.get(instance["id"])
    history = kinds(engine, instance["id"])

    with pytest.raises(NotWaiting) as refused:
        engine.triggers.trigger(instance["id"], "wait", {"n": 2})
    assert isinstance(refused.value, Conflict)
    assert refused.value.message == f"instance {instance['id']} does not wait at receive task 'wait'"
    assert engine.runtime.get(instance["id"]) == before and kinds(engine, instance["id"]) == history


def test_bad_targets_are_refused_by_name(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:receiveTask id="wait"/><bpmn:userTask id="u"/><bpmn:endEvent id="e"/>'
    )
    body += flow("s", "wait") + flow("wait", "u") + flow("u", "e")
    instance = start(engine, document(body))
    with pytest.raises(NotFound, match="no process instance nope"):
        engine.triggers.trigger("nope", "wait")
    with pytest.raises(InvalidInput, match="process has no element 'missing'"):
        engine.triggers.trigger(instance["id"], "missing")
    with pytest.raises(InvalidInput, match="'u' is a User Task, not a receive task: only a receive"):
        engine.triggers.trigger(instance["id"], "u")
    with pytest.raises(InvalidInput, match="'_fb_x' is the engine's own"):
        engine.triggers.trigger(instance["id"], "wait", {"_fb_x": 1})
    with pytest.raises(NotWaiting, match="does not wait at task nope at receive task 'wait'"):
        engine.triggers.trigger(instance["id"], "wait", task_id="nope")
    assert engine.runtime.get(instance["id"])["status"] == "waiting"


def test_a_suspended_or_ended_instance_is_refused_as_every_step_refuses(engine: Engine) -> None:
    instance = start(engine, document(PLAIN))
    engine.runtime.suspend(instance["id"])
    with pytest.raises(InstanceSuspended):
        engine.triggers.trigger(instance["id"], "wait")
    engine.runtime.terminate(instance["id"])
    with pytest.raises(InstanceEnded):
        engine.triggers.trigger(instance["id"], "wait")


def test_one_trigger_moves_on_one_instance_of_a_parallel_multi_instance_receive_task(engine: Engine) -> None:
    loop = "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality>"
    body = waiting_at(
        f'<bpmn:receiveTask id="wait">{loop}</bpmn:multiInstanceLoopCharacteristics></bpmn:receiveTask>'
    )
    instance = start(engine, document(body))
    waits = triggers(instance)
    assert sorted(w["local_variables"]["loopCounter"] for w in waits) == [0, 1, 2]

    chosen = next(w for w in waits if w["local_variables"]["loopCounter"] == 2)
    after = engine.triggers.trigger(instance["id"], "wait", task_id=chosen["task_id"])
    assert sorted(w["local_variables"]["loopCounter"] for w in triggers(after)) == [0, 1]
    after = engine.triggers.trigger(instance["id"], "wait")  # the first that began to wait
    assert [w["local_variables"]["loopCounter"] for w in triggers(after)] == [1]
    assert engine.triggers.trigger(instance["id"], "wait")["status"] == "completed"


def test_a_receive_task_waiting_for_its_message_moves_on_too(engine: Engine) -> None:
    # Camunda 7's signal leaves a receive task whether or not it names a message.
    root = '<bpmn:message id="m" name="paid"/>'
    instance = start(engine, document(waiting_at('<bpmn:receiveTask id="wait" messageRef="m"/>'), root=root))
    assert [w["kind"] for w in instance["waiting"]] == ["event"]
    assert engine.triggers.trigger(instance["id"], "wait")["status"] == "completed"
    with pytest.raises(NotFound, match="no instance waits for message 'paid'"):
        engine.messages.correlate("paid")  # its subscription went with it


def test_who_may_trigger_as_who_may_deliver_a_message(engine: Engine) -> None:
    def started_by(user: str) -> str:
        return str(start(engine, document(PLAIN), starter=Principal(user), user=user)["id"])

    first = started_by("carol")
    with pytest.raises(NotFound, match=f"no process instance {first}"):
        engine.triggers.trigger(first, "wait", sender=Principal("bob", ("clerks",)))
    assert engine.runtime.get(first)["status"] == "waiting"  # nothing changed
    assert engine.triggers.trigger(first, "wait", sender=Principal("carol"))["status"] == "completed"
    [event] = [e for e in engine.history.events(first) if e["kind"] == "triggered"]
    assert event["user"] == "carol"

    second = started_by("carol")
    engine.triggers.trigger(second, "wait", sender=Principal("ada", admin=True))
    third = started_by("carol")
    engine.triggers.trigger(third, "wait", sender=Principal("payments", ("integrations",)))
    assert {engine.runtime.get(i)["status"] for i in (second, third)} == {"completed"}
