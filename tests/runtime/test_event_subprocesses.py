"""Event subprocesses as BPMN 2.0 §10.3.6 says: started by their trigger while their scope is
active, interrupting or beside it, and gone with their scope (in the top process and nested)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from engine import Engine, InvalidModel

from ..builders import flow, model
from ..conftest import complete, deploy
from ..differential import Clock


def finished(engine: Engine, instance: dict[str, Any]) -> list[str]:
    """The elements that completed, in order."""
    return [
        e["element_id"] for e in engine.history.events(instance["id"]) if e["kind"] == "activity_completed"
    ]


def open_tasks(instance: dict[str, Any]) -> list[str]:
    return sorted(t["element_id"] for t in instance["tasks"])


def waits(instance: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((w["kind"], w.get("event_type") or w.get("element_id") or "") for w in instance["waiting"])


@pytest.fixture
def clock() -> Iterator[Clock]:
    """SpiffWorkflow's clock, moved forward by the test."""
    with Clock().installed() as shifted:
        yield shifted


def test_an_error_event_subprocess_waits_on_the_happy_path(engine: Engine) -> None:
    deploy(engine, "esp_error.bpmn")
    instance = engine.runtime.start("esp_error", {"amount": 50})
    assert open_tasks(instance) == ["ship"]
    assert ("event", "ErrorEventDefinition") in waits(engine.runtime.get(instance["id"]))
    done = complete(engine, instance, "ship")
    assert done["status"] == "completed"
    assert done["waiting"] == []
    assert "handle_failure" not in finished(engine, instance)
    assert "on_failure" not in finished(engine, instance)


def test_a_thrown_error_starts_the_error_event_subprocess(engine: Engine) -> None:
    deploy(engine, "esp_error.bpmn")
    instance = engine.runtime.start("esp_error", {"amount": 500})
    assert open_tasks(instance) == ["handle_failure"]
    done = complete(engine, instance, "handle_failure")
    assert (done["status"], done["variables"]["amount"]) == ("completed", 500)
    assert {"handle_failure", "on_failure"} <= set(finished(engine, instance))
    assert "ship" not in finished(engine, instance)


def test_an_interrupting_event_subprocess_in_a_subprocess_cancels_the_rest_of_it(engine: Engine) -> None:
    deploy(engine, "esp_nested.bpmn")
    instance = engine.runtime.start("esp_nested", {})
    assert open_tasks(instance) == ["check", "notes"]
    after = complete(engine, instance, "check", ok=False)
    assert open_tasks(after) == ["after"]  # notes was cancelled with the rest of `work`
    assert after["variables"].get("fixed") is True
    assert "notes" not in finished(engine, instance)
    events = [(e["kind"], e["element_id"]) for e in engine.history.events(instance["id"])]
    assert ("activity_cancelled", "notes") in events
    assert complete(engine, after, "after")["status"] == "completed"


def test_the_nested_error_handler_stays_quiet_when_the_check_passes(engine: Engine) -> None:
    deploy(engine, "esp_nested.bpmn")
    instance = engine.runtime.start("esp_nested", {})
    instance = complete(engine, instance, "check", ok=True)
    assert open_tasks(instance) == ["notes"]
    instance = complete(engine, instance, "notes")
    assert open_tasks(instance) == ["after"]
    assert "fix" not in finished(engine, instance)


def test_a_non_interrupting_timer_event_subprocess_fires_each_cycle_and_ends_with_its_scope(
    engine: Engine, clock: Clock
) -> None:
    deploy(engine, "esp_timer.bpmn")
    instance = engine.runtime.start("esp_timer", {})
    assert ("event", "CycleTimerEventDefinition") in waits(engine.runtime.get(instance["id"]))
    for hour in (1, 2):
        clock.offset += timedelta(hours=1, seconds=5)
        shown = engine.runtime.fire_timers(instance["id"])
        assert finished(engine, instance).count("remind") == hour
        assert open_tasks(shown) == ["approve"]  # the reminder runs beside the task
    done = complete(engine, engine.runtime.get(instance["id"]), "approve")
    assert done["status"] == "completed"  # the subscription ended with the scope's flow
    assert done["waiting"] == []
    assert done["variables"]["reminded"] is True


def test_message_event_subprocesses_interrupting_and_not(engine: Engine) -> None:
    deploy(engine, "esp_message.bpmn")
    instance = engine.runtime.start("esp_message", {})
    shown = engine.runtime.get(instance["id"])
    assert {w.get("name") for w in shown["waiting"] if w["kind"] == "event"} >= {
        "address_changed",
        "order_cancelled",
    }
    for _ in range(2):
        assert engine.messages.correlate("address_changed")["delivered_to"] == [instance["id"]]
    assert finished(engine, instance).count("note_address") == 2
    assert open_tasks(engine.runtime.get(instance["id"])) == ["pack"]
    engine.messages.correlate("order_cancelled")
    done = engine.runtime.get(instance["id"])
    assert (done["status"], done["tasks"], done["variables"].get("cancelled")) == ("completed", [], True)
    assert "pack" not in finished(engine, instance)


def test_after_the_scope_ends_its_message_event_subprocesses_no_longer_listen(engine: Engine) -> None:
    deploy(engine, "esp_message.bpmn")
    instance = engine.runtime.start("esp_message", {})
    assert complete(engine, instance, "pack")["status"] == "completed"
    with pytest.raises(Exception, match="order_cancelled"):
        engine.messages.correlate("order_cancelled")


ESP = (
    '<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es">'
    '<bpmn:errorEventDefinition errorRef="{ref}"/></bpmn:startEvent>'
    + flow("es", "ee")
    + '<bpmn:endEvent id="ee"/></bpmn:subProcess>'
)


def test_an_error_reference_to_nothing_is_refused_naming_it(engine: Engine) -> None:
    body = '<bpmn:startEvent id="s"/>' + flow("s", "e") + '<bpmn:endEvent id="e"/>' + ESP.format(ref="nope")
    with pytest.raises(
        InvalidModel, match="errorEventDefinition names error 'nope', which the file does not"
    ):
        engine.repository.deploy({"p.bpmn": model(body)})


def test_an_event_subprocess_in_a_scope_with_two_start_events_is_refused(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s1"/><bpmn:startEvent id="s2"><bpmn:messageEventDefinition/></bpmn:startEvent>'
        + flow("s1", "e")
        + flow("s2", "e")
        + '<bpmn:endEvent id="e"/>'
        + ESP.format(ref="")
    )
    with pytest.raises(InvalidModel, match="exactly one start event of its own, it has 2"):
        engine.repository.deploy({"p.bpmn": model(body)})
