"""Cron expressions in `timeCycle` (issue 14 point 8): Quartz for Camunda 7, Spring for Zeebe,
checked at deploy, firing at each match from the time they fire (engine.definitions.cron).

The clock is moved by replacing `cron.now`, so no test waits for a real minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine import Engine
from engine.definitions import cron
from engine.errors import InvalidModel
from engine.store.models import Job
from engine.store.unit_of_work import UnitOfWork

from ..builders import flow, model
from ..conftest import make_engine


@pytest.mark.parametrize(
    ("text", "dialect", "normalized"),
    [
        ("0 0/5 * * * ?", "camunda7", "0 0/5 * * * *"),  # Camunda 7's documented example
        ("0 0 12 ? * 2-6", "camunda7", "0 0 12 * * 1-5"),  # Quartz: 2-6 is Monday to Friday
        ("0 0 12 ? * 1", "camunda7", "0 0 12 * * 0"),  # Quartz: 1 is Sunday
        ("0 0 12 ? * 6#3", "camunda7", "0 0 12 * * 5#3"),  # the third Friday
        ("0 0 12 * * MON-FRI", "camunda8", "0 0 12 * * MON-FRI"),
        ("0 0 12 * * 7", "camunda8", "0 0 12 * * 0"),  # Spring: 7 (or 0) is Sunday
        ("0 0 12 * * 1-5", "camunda8", "0 0 12 * * 1-5"),  # Spring: 1 is Monday
        ("0 0 12 * * ? *", "camunda7", "0 0 12 * * *"),  # a Quartz year of '*'
        ("*/10 * * * * ?", "camunda7", "*/10 * * * * *"),
    ],
)
def test_cron_expressions_are_read_as_their_engine_reads_them(
    text: str, dialect: str, normalized: str
) -> None:
    assert cron.looks_like_cron(text)
    assert cron.normalize(text, dialect) == normalized


def test_iso_cycles_are_not_cron() -> None:
    assert not cron.looks_like_cron("R3/PT10M")
    assert not cron.looks_like_cron("${cycle}")


def _reminder_model(cycle: str, camunda: bool = True) -> bytes:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="ask"/>'
        '<bpmn:boundaryEvent id="remind" attachedToRef="ask" cancelActivity="false">'
        f"<bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}</bpmn:timeCycle></bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent><bpmn:userTask id="reminder"/><bpmn:endEvent id="e"/>'
        + flow("s", "ask")
        + flow("ask", "e")
        + flow("remind", "reminder")
    )
    xml = model(body)
    if camunda:  # drawn in Camunda Modeler for Camunda 7
        xml = xml.replace(
            b'id="d" targetNamespace="t"',
            b'id="d" targetNamespace="t" xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
            b'modeler:executionPlatform="Camunda Platform"',
        )
    return xml


def _timer_due(engine: Engine, instance_id: str) -> list[datetime]:
    with UnitOfWork(engine.db) as uow:
        rows = uow.session.query(Job).filter_by(instance_id=instance_id, kind="timer", status="queued").all()
        return sorted(r.due_at.replace(tzinfo=r.due_at.tzinfo or UTC) for r in rows)


def test_a_cron_cycle_fires_at_each_match_and_waits_for_the_next(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock: list[datetime] = [datetime(2026, 12, 3, 9, 58, 30, tzinfo=UTC)]
    monkeypatch.setattr(cron, "now", lambda: clock[0])
    engine.repository.deploy({"p.bpmn": _reminder_model("0 0/5 * * * ?")})
    started = engine.runtime.start("p", {})
    assert _timer_due(engine, started["id"]) == [datetime(2026, 12, 3, 10, 0, tzinfo=UTC)]

    clock[0] = datetime(2026, 12, 3, 10, 0, 1, tzinfo=UTC)
    fired = engine.runtime.fire_timers(started["id"])
    assert sorted(t["element_id"] for t in fired["tasks"]) == ["ask", "reminder"]
    assert _timer_due(engine, started["id"]) == [datetime(2026, 12, 3, 10, 5, tzinfo=UTC)]

    # Late by an hour: it fires once, then waits for the next match after now — no burst.
    clock[0] += timedelta(hours=1)
    fired = engine.runtime.fire_timers(started["id"])
    assert [t["element_id"] for t in fired["tasks"]].count("reminder") == 2
    assert _timer_due(engine, started["id"]) == [datetime(2026, 12, 3, 11, 5, tzinfo=UTC)]

    # Not yet due: nothing fires.
    fired = engine.runtime.fire_timers(started["id"])
    assert [t["element_id"] for t in fired["tasks"]].count("reminder") == 2


def test_a_cron_cycle_fires_in_another_process_that_loads_the_stored_spec(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock: list[datetime] = [datetime(2026, 12, 3, 9, 0, 0, tzinfo=UTC)]
    monkeypatch.setattr(cron, "now", lambda: clock[0])
    engine.repository.deploy({"p.bpmn": _reminder_model("0 30 9 ? * *")})
    started = engine.runtime.start("p", {})
    other = make_engine(database_url)  # a fresh process: the spec comes from the database
    try:
        clock[0] = datetime(2026, 12, 3, 9, 30, 0, tzinfo=UTC)
        fired = other.runtime.fire_timers(started["id"])
        assert sorted(t["element_id"] for t in fired["tasks"]) == ["ask", "reminder"]
        assert _timer_due(other, started["id"]) == [datetime(2026, 12, 4, 9, 30, tzinfo=UTC)]
    finally:
        other.close()


@pytest.mark.parametrize(
    ("cycle", "reason"),
    [
        ("0 0 25 * * ?", "is not a valid cron expression"),
        ("0 0 12 * * ? 2030", "a year field other than '*' is not supported"),
    ],
)
def test_a_bad_cron_is_refused_at_deploy_naming_the_timer(engine: Engine, cycle: str, reason: str) -> None:
    with pytest.raises(InvalidModel) as refused:
        engine.repository.deploy({"p.bpmn": _reminder_model(cycle)})
    assert reason in refused.value.message and "remind" in refused.value.message


GATEWAY_CRON = (
    '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>'
    '<bpmn:intermediateCatchEvent id="alert"><bpmn:signalEventDefinition signalRef="A"/>'
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:intermediateCatchEvent id="tick"><bpmn:timerEventDefinition>'
    "<bpmn:timeCycle>0 0/5 * * * ?</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    '<bpmn:userTask id="after_alert"/><bpmn:userTask id="after_tick"/>'
    + flow("s", "g")
    + flow("g", "alert")
    + flow("g", "tick")
    + flow("alert", "after_alert")
    + flow("tick", "after_tick")
)


def test_an_event_based_gateway_cron_timer_fires_at_its_first_match(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock: list[datetime] = [datetime(2026, 12, 3, 9, 58, 30, tzinfo=UTC)]
    monkeypatch.setattr(cron, "now", lambda: clock[0])
    xml = model(GATEWAY_CRON).replace(b"<bpmn:process ", b'<bpmn:signal id="A" name="alert"/><bpmn:process ')
    engine.repository.deploy({"p.bpmn": xml}, dialect="camunda7")
    started = engine.runtime.start("p", {})
    assert _timer_due(engine, started["id"]) == [datetime(2026, 12, 3, 10, 0, tzinfo=UTC)]
    clock[0] = datetime(2026, 12, 3, 10, 0, 1, tzinfo=UTC)
    fired = engine.runtime.fire_timers(started["id"])
    assert [t["element_id"] for t in fired["tasks"]] == ["after_tick"]  # once, and only its path
    assert _timer_due(engine, started["id"]) == []


@pytest.mark.parametrize(("dialect", "left_open"), [("camunda7", 2), ("camunda8", 2), ("spiff", 0)])
def test_what_a_non_interrupting_cycle_spawned_outlives_its_activity(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, dialect: str, left_open: int
) -> None:
    # BPMN (Camunda 7, Zeebe): each occurrence's path goes on by itself; SpiffWorkflow (SpiffArena
    # models) ends those paths with the activity.
    clock: list[datetime] = [datetime(2026, 12, 3, 9, 58, 30, tzinfo=UTC)]
    monkeypatch.setattr(cron, "now", lambda: clock[0])
    engine.repository.deploy({"p.bpmn": _reminder_model("0 0/5 * * * ?")}, dialect=dialect)
    started = engine.runtime.start("p", {})
    for minute in (0, 5):
        clock[0] = datetime(2026, 12, 3, 10, minute, 1, tzinfo=UTC)
        fired = engine.runtime.fire_timers(started["id"])
    assert sorted(t["element_id"] for t in fired["tasks"]) == ["ask", "reminder", "reminder"]
    ask = next(t for t in fired["tasks"] if t["element_id"] == "ask")
    after = engine.tasks.complete(ask["id"], {})
    assert [t["element_id"] for t in after["tasks"]] == ["reminder"] * left_open
    assert _timer_due(engine, started["id"]) == []  # the cycle ended with its activity
    assert after["status"] == ("waiting" if left_open else "completed")
