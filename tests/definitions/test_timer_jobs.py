"""Timers of Camunda 7 models fire by their job (engine.definitions.timer_jobs): one already due when
the flow reaches it waits, and a signal sent before its job runs wins an event-based gateway. Zeebe,
SpiffArena and plain models fire a due timer at once, as SpiffWorkflow does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import Engine
from engine.store.models import Job
from engine.store.unit_of_work import UnitOfWork

from ..builders import flow, model

DUE_AT_ONCE = (
    '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>PT0S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    '<bpmn:endEvent id="e"/>' + flow("s", "wait") + flow("wait", "e")
)
GATEWAY = (
    '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>'
    '<bpmn:intermediateCatchEvent id="alert"><bpmn:signalEventDefinition signalRef="A"/>'
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>PT0S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    '<bpmn:userTask id="after_alert"/><bpmn:userTask id="after_timeout"/>'
    + flow("s", "g")
    + flow("g", "alert")
    + flow("g", "timeout")
    + flow("alert", "after_alert")
    + flow("timeout", "after_timeout")
)


def _timer_jobs(engine: Engine, instance_id: str) -> list[str]:
    with UnitOfWork(engine.db) as uow:
        query = select(Job.status).where(Job.instance_id == instance_id, Job.kind == "timer")
        return list(uow.session.scalars(query))


def _gateway_model() -> bytes:
    return model(GATEWAY).replace(b"<bpmn:process ", b'<bpmn:signal id="A" name="alert"/><bpmn:process ', 1)


def test_a_camunda7_timer_already_due_waits_for_its_job(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": model(DUE_AT_ONCE)}, dialect="camunda7")
    started = engine.runtime.start("p", {})
    assert started["status"] == "waiting"
    shown = engine.runtime.get(started["id"])
    [wait] = shown["waiting"]
    assert (wait["event_type"], wait["job_status"]) == ("DurationTimerEventDefinition", "queued")
    assert _timer_jobs(engine, started["id"]) == ["queued"]
    assert engine.runtime.fire_timers(started["id"])["status"] == "completed"


def test_a_signal_sent_before_the_due_timer_job_runs_wins_the_gateway(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": _gateway_model()}, dialect="camunda7")
    started = engine.runtime.start("p", {})
    assert (started["status"], started["tasks"]) == ("waiting", [])
    assert engine.signals.broadcast("alert")["delivered_to"] == [started["id"]]
    after = engine.runtime.get(started["id"])
    assert [t["element_id"] for t in after["tasks"]] == ["after_alert"]  # only the signal's path
    assert _timer_jobs(engine, started["id"]) == ["cancelled"]


def test_the_due_timer_job_wins_the_gateway_when_it_runs_first(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": _gateway_model()}, dialect="camunda7")
    started = engine.runtime.start("p", {})
    fired = engine.runtime.fire_timers(started["id"])
    assert [t["element_id"] for t in fired["tasks"]] == ["after_timeout"]
    assert engine.signals.broadcast("alert")["delivered_to"] == []  # the gateway waits no more


@pytest.mark.parametrize("dialect", ["camunda8", "spiff", "bpmn"])
def test_other_dialects_fire_a_due_timer_at_once(engine: Engine, dialect: str) -> None:
    engine.repository.deploy({"p.bpmn": model(DUE_AT_ONCE)}, dialect=dialect)
    assert engine.runtime.start("p", {})["status"] == "completed"
