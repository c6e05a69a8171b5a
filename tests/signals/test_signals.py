"""Signals are broadcast (BPMN 2.0 §10.5.6): every instance that waits for one receives it, at a catch
event, a boundary event, an event-based gateway or an event subprocess's start event, and every
process whose start event it is starts; a signal thrown in an instance reaches the others too."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine import Engine
from engine.errors import InvalidInput
from engine.store.models import Job, SignalSubscription
from engine.store.unit_of_work import UnitOfWork
from engine.workers import Worker

from ..builders import flow, model
from ..conftest import complete

ALARM = '<bpmn:signal id="alarm" name="alarm"/>'


def signal_model(body: str, key: str) -> bytes:
    return model(body, key=key).replace(b"</bpmn:definitions>", ALARM.encode() + b"</bpmn:definitions>")


def catching(definition: str = '<bpmn:signalEventDefinition signalRef="alarm"/>') -> str:
    return (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "wait_alarm")
        + f'<bpmn:intermediateCatchEvent id="wait_alarm">{definition}</bpmn:intermediateCatchEvent>'
        + flow("wait_alarm", "after")
        + '<bpmn:userTask id="after"/>'
        + flow("after", "e")
        + '<bpmn:endEvent id="e"/>'
    )


BOUNDARY = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "work")
    + '<bpmn:userTask id="work"/>'
    + flow("work", "e")
    + '<bpmn:endEvent id="e"/>'
    + '<bpmn:boundaryEvent id="alarmed" attachedToRef="work"><bpmn:signalEventDefinition signalRef="alarm"/>'
    + "</bpmn:boundaryEvent>"
    + flow("alarmed", "evacuate")
    + '<bpmn:userTask id="evacuate"/>'
    + flow("evacuate", "ee")
    + '<bpmn:endEvent id="ee"/>'
)
STARTED = (
    '<bpmn:startEvent id="s"><bpmn:signalEventDefinition signalRef="alarm"/></bpmn:startEvent>'
    + flow("s", "respond")
    + '<bpmn:userTask id="respond"/>'
    + flow("respond", "e")
    + '<bpmn:endEvent id="e"/>'
)
ESP = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "work")
    + '<bpmn:userTask id="work"/>'
    + flow("work", "e")
    + '<bpmn:endEvent id="e"/>'
    + '<bpmn:subProcess id="on_alarm" triggeredByEvent="true">'
    + '<bpmn:startEvent id="alarm_start" isInterrupting="false">'
    + '<bpmn:signalEventDefinition signalRef="alarm"/></bpmn:startEvent>'
    + flow("alarm_start", "note")
    + '<bpmn:scriptTask id="note" scriptFormat="python"><bpmn:script>alarms = alarms + 1</bpmn:script>'
    + "</bpmn:scriptTask>"
    + flow("note", "ne")
    + '<bpmn:endEvent id="ne"/></bpmn:subProcess>'
)
THROWER = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "raise")
    + '<bpmn:intermediateThrowEvent id="raise"><bpmn:signalEventDefinition signalRef="alarm"/>'
    + "</bpmn:intermediateThrowEvent>"
    + flow("raise", "e")
    + '<bpmn:endEvent id="e"/>'
)


def open_tasks(instance: dict[str, Any]) -> list[str]:
    return sorted(t["element_id"] for t in instance["tasks"])


def subscriptions(engine: Engine) -> list[tuple[str, str]]:
    with UnitOfWork(engine.db) as uow:
        rows = uow.session.scalars(select(SignalSubscription).order_by(SignalSubscription.id)).all()
        return [(r.instance_id, r.name) for r in rows]


def test_a_broadcast_reaches_every_waiting_instance_and_starts_the_processes_it_starts(
    engine: Engine,
) -> None:
    engine.repository.deploy(
        {
            "catch.bpmn": signal_model(catching(), "catcher"),
            "boundary.bpmn": signal_model(BOUNDARY, "worker"),
            "start.bpmn": signal_model(STARTED, "responder"),
            "esp.bpmn": signal_model(ESP, "watcher"),
        }
    )
    catchers = [engine.runtime.start("catcher", {}) for _ in range(2)]
    worker = engine.runtime.start("worker", {})
    watcher = engine.runtime.start("watcher", {"alarms": 0})
    assert {name for _, name in subscriptions(engine)} == {"alarm"}
    waits = engine.runtime.get(worker["id"])["waiting"]
    assert any(w.get("event_type") == "SignalEventDefinition" and w["name"] == "alarm" for w in waits)

    outcome = engine.signals.broadcast("alarm", {"level": 3})

    assert sorted(outcome["delivered_to"]) == sorted(
        [*(c["id"] for c in catchers), worker["id"], watcher["id"]]
    )
    [started] = outcome["started"]
    assert open_tasks(engine.runtime.get(started)) == ["respond"]
    assert engine.runtime.get(started)["variables"] == {"level": 3}
    for catcher in catchers:
        after = engine.runtime.get(catcher["id"])
        assert open_tasks(after) == ["after"]
        assert after["variables"]["level"] == 3  # a broadcast's variables become process variables
    assert open_tasks(engine.runtime.get(worker["id"])) == ["evacuate"]  # the boundary event interrupted
    again = engine.runtime.get(watcher["id"])
    assert open_tasks(again) == ["work"] and again["variables"]["alarms"] == 1
    # Only the non-interrupting event subprocess still listens; a second alarm reaches it alone.
    assert [i for i, _ in subscriptions(engine)] == [watcher["id"]]
    second = engine.signals.broadcast("alarm")
    assert second["delivered_to"] == [watcher["id"]]
    assert engine.runtime.get(watcher["id"])["variables"]["alarms"] == 2
    kinds = [e["kind"] for e in engine.history.events(catchers[0]["id"])]
    assert "signal_received" in kinds


def test_a_signal_nobody_waits_for_is_lost_quietly(engine: Engine) -> None:
    assert engine.signals.broadcast("nobody") == {"delivered_to": [], "started": []}


def test_a_signal_an_instance_throws_reaches_the_other_instances(engine: Engine) -> None:
    engine.repository.deploy(
        {"catch.bpmn": signal_model(catching(), "catcher"), "throw.bpmn": signal_model(THROWER, "thrower")}
    )
    catcher = engine.runtime.start("catcher", {})
    thrower = engine.runtime.start("thrower", {})
    assert thrower["status"] == "completed"
    with UnitOfWork(engine.db) as uow:
        [job] = uow.session.scalars(select(Job).where(Job.kind == "signal")).all()
        assert job.payload["name"] == "alarm" and job.instance_id == thrower["id"]
    assert Worker(engine, concurrency=1).run_until_idle() == 1
    assert open_tasks(engine.runtime.get(catcher["id"])) == ["after"]
    assert "signal_thrown" in [e["kind"] for e in engine.history.events(thrower["id"])]


def test_a_signal_thrown_in_an_instance_reaches_its_own_catchers_at_once(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "fork")
        + '<bpmn:parallelGateway id="fork"/>'
        + flow("fork", "wait_alarm")
        + '<bpmn:intermediateCatchEvent id="wait_alarm"><bpmn:signalEventDefinition signalRef="alarm"/>'
        + "</bpmn:intermediateCatchEvent>"
        + flow("wait_alarm", "after")
        + '<bpmn:userTask id="after"/>'
        + flow("after", "e")
        + '<bpmn:endEvent id="e"/>'
        + flow("fork", "go")
        + '<bpmn:userTask id="go"/>'
        + flow("go", "raise")
        + '<bpmn:endEvent id="raise"><bpmn:signalEventDefinition signalRef="alarm"/></bpmn:endEvent>'
    )
    engine.repository.deploy({"p.bpmn": signal_model(body, "p")})
    instance = engine.runtime.start("p", {})
    assert open_tasks(instance) == ["go"]
    instance = complete(engine, instance, "go")
    assert open_tasks(instance) == ["after"]
    assert subscriptions(engine) == []  # the wait ended with the catch


def test_suspended_and_ended_instances_receive_nothing(engine: Engine) -> None:
    engine.repository.deploy({"catch.bpmn": signal_model(catching(), "catcher")})
    suspended = engine.runtime.start("catcher", {})
    ended = engine.runtime.start("catcher", {})
    engine.runtime.suspend(suspended["id"])
    engine.runtime.terminate(ended["id"])
    assert [i for i, _ in subscriptions(engine)] == [suspended["id"]]  # a terminated instance's wait went
    assert engine.signals.broadcast("alarm")["delivered_to"] == []
    engine.runtime.resume(suspended["id"])
    assert engine.signals.broadcast("alarm")["delivered_to"] == [suspended["id"]]


@pytest.mark.parametrize("name", ["", "   ", "x" * 256, 7])
def test_a_signal_needs_a_name(engine: Engine, name: Any) -> None:
    with pytest.raises(InvalidInput, match="a signal needs a name"):
        engine.signals.broadcast(name)
