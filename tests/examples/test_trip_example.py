"""The trip booking example (bpmn/trip_booking.bpmn with bpmn/trip_microflows.py), as Camunda 7 runs it.

Parallel branches book a hotel and a flight, each writing a process variable; a declined card (a
BPMN error) starts the interrupting error event subprocess, which compensates both bookings
newest first and asks the travel desk to tell the traveller; the non-interrupting SLA timer event
subprocess flags a trip not confirmed within four hours, beside the flow, and ends with its scope.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from engine import Engine, Settings
from engine.jobs import queue as job_queue
from engine.store.models import utcnow
from engine.workers import Worker

from ..conftest import EXAMPLES, complete


@pytest.fixture
def example(database_url: str) -> Iterator[Engine]:
    """An engine with bpmn/'s microflows loaded and trip_booking deployed; no workflow cache."""
    engine = Engine(Settings(database_url=database_url, models_path=EXAMPLES, instance_cache_size=0))
    engine.upgrade()
    engine.repository.deploy({"trip_booking.bpmn": (EXAMPLES / "trip_booking.bpmn").read_bytes()})
    yield engine
    engine.close()


def cancelled() -> list[str]:
    """bpmn/trip_microflows.py's record of the bookings it cancelled."""
    found: list[str] = sys.modules["flowbridge_models.trip_microflows"].CANCELLED
    return found


def completed(engine: Engine, instance: dict[str, Any]) -> list[str]:
    events = engine.history.events(instance["id"])
    return [e["element_id"] for e in events if e["kind"] == "activity_completed"]


def test_a_paid_trip_is_booked_on_both_branches_and_confirmed(example: Engine) -> None:
    instance = example.runtime.start("trip_booking", {"trip_id": "T1", "nights": 2, "amount": 800})
    assert [t["element_id"] for t in instance["tasks"]] == ["confirm_trip"]
    variables = instance["variables"]
    assert (variables["hotel_booking"], variables["flight_booking"]) == ("H-T1-2N", "F-T1")
    assert variables["charged"] == 800
    shown = example.runtime.get(instance["id"])
    timers = [w for w in shown["waiting"] if w.get("element_id") == "four_hours"]
    assert len(timers) == 1  # the SLA waits while the trip does
    done = complete(example, instance, "confirm_trip")
    assert done["status"] == "completed" and done["waiting"] == []  # the SLA ended with its scope
    assert "cancel_hotel" not in completed(example, done)
    assert [e["data"] for e in example.history.events(done["id"]) if e["kind"] == "compensation_thrown"] == []


def test_a_declined_card_cancels_both_bookings_newest_first(example: Engine) -> None:
    before = len(cancelled())
    instance = example.runtime.start("trip_booking", {"trip_id": "T2", "nights": 1, "amount": 9000})
    assert [t["element_id"] for t in instance["tasks"]] == ["tell_traveller"]  # confirm_trip never opened
    variables = instance["variables"]
    assert variables["hotel_cancelled"] is True and variables["flight_cancelled"] is True
    history = completed(example, instance)
    booked = [e for e in history if e in ("book_hotel", "book_flight")]
    undone = [e for e in history if e in ("cancel_hotel", "cancel_flight")]
    handler_of = {"book_hotel": "cancel_hotel", "book_flight": "cancel_flight"}
    assert undone == [handler_of[b] for b in reversed(booked)]
    assert sorted(cancelled()[before:]) == ["F-T2", "H-T2-1N"]
    events = example.history.events(instance["id"])
    [thrown] = [e["data"] for e in events if e["kind"] == "compensation_thrown"]
    assert sorted(thrown["handlers"]) == ["cancel_flight", "cancel_hotel"]
    assert complete(example, instance, "tell_traveller")["status"] == "completed"


class _Later(datetime):
    """SpiffWorkflow's clock, four hours and a minute ahead."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + timedelta(hours=4, minutes=1)


def test_a_trip_not_confirmed_in_four_hours_is_flagged_beside_the_flow(
    example: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = example.runtime.start("trip_booking", {"trip_id": "T3", "nights": 1, "amount": 300})
    monkeypatch.setattr(spiff_timer, "datetime", _Later)
    monkeypatch.setattr(job_queue, "utcnow", lambda: utcnow() + timedelta(hours=4, minutes=1))
    assert Worker(example, concurrency=1).run_until_idle() == 1
    flagged = example.runtime.get(instance["id"])
    assert flagged["variables"]["sla_breached"] is True
    assert [t["element_id"] for t in flagged["tasks"]] == ["confirm_trip"]  # the trip goes on
    assert complete(example, flagged, "confirm_trip")["status"] == "completed"
