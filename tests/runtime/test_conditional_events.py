"""Conditional events are evaluated when variables change, and a condition over a variable that
is not set is false, not an error."""

from __future__ import annotations

from typing import Any

from engine import Engine

from ..conftest import complete, deploy


def open_tasks(instance: dict[str, Any]) -> list[str]:
    return sorted(t["element_id"] for t in instance["tasks"])


def finished(engine: Engine, instance: dict[str, Any]) -> list[str]:
    return [
        e["element_id"] for e in engine.history.events(instance["id"]) if e["kind"] == "activity_completed"
    ]


def test_a_condition_waits_while_its_variable_is_unset_and_fires_when_it_becomes_true(engine: Engine) -> None:
    deploy(engine, "conditional_events.bpmn")
    instance = engine.runtime.start("conditional_events", {})  # `risk` is not set: false, no error
    assert open_tasks(instance) == ["rate", "work"]
    assert ("event", "ConditionalEventDefinition") in {
        (w["kind"], w.get("event_type")) for w in instance["waiting"]
    }
    instance = complete(engine, instance, "rate", risk=3)
    assert open_tasks(instance) == ["rate_again", "work"]  # written, but 3 is not > 5
    instance = complete(engine, instance, "rate_again", risk=9)
    assert open_tasks(instance) == ["escalate", "work"]  # another branch's write made it true
    assert "risky" in finished(engine, instance)


def test_a_non_interrupting_conditional_boundary_event_fires_beside_its_task(engine: Engine) -> None:
    deploy(engine, "conditional_events.bpmn")
    instance = engine.runtime.start("conditional_events", {"risk": 1})
    instance = complete(engine, instance, "rate", urgent=True)
    assert instance["variables"]["urgency_noted"] is True
    assert "work" in open_tasks(instance)  # non-interrupting: the task stays
