"""Starting where the model starts: a person or client starting a process by key starts it as
Camunda 7's API does; a trigger (a message, a start timer's job) starts it at its start event."""

from __future__ import annotations

import pytest

from engine import Engine, InvalidInput

from ..builders import flow, model

MESSAGE = '<bpmn:messageEventDefinition messageRef="order_placed"/>'
TIMER = "<bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition>"
AFTER = '<bpmn:userTask id="handle"/><bpmn:endEvent id="e"/>' + flow("handle", "e")
START_TO_HANDLE = flow("placed", "handle") + AFTER


def deployed(engine: Engine, body: str) -> None:
    xml = model(body).replace(
        b"</bpmn:definitions>", b'<bpmn:message id="order_placed" name="order_placed"/></bpmn:definitions>'
    )
    engine.repository.deploy({"p.bpmn": xml})


def finished(engine: Engine, instance_id: str) -> list[str]:
    return [e["element_id"] for e in engine.history.events(instance_id) if e["kind"] == "activity_completed"]


@pytest.mark.parametrize("trigger", [MESSAGE, TIMER], ids=["message", "timer"])
def test_a_process_whose_only_start_waits_for_a_trigger_runs_from_it_at_once(
    engine: Engine, trigger: str
) -> None:
    deployed(
        engine, f'<bpmn:startEvent id="placed">{trigger}</bpmn:startEvent>' + flow("placed", "handle") + AFTER
    )
    instance = engine.runtime.start("p", {"order": 1})
    assert [t["element_id"] for t in instance["tasks"]] == ["handle"]
    assert "placed" in finished(engine, instance["id"])
    assert not [w for w in instance["waiting"] if w["kind"] == "event"]


def test_a_message_still_starts_it_at_its_start_event(engine: Engine) -> None:
    deployed(
        engine, f'<bpmn:startEvent id="placed">{MESSAGE}</bpmn:startEvent>' + flow("placed", "handle") + AFTER
    )
    started = engine.messages.correlate("order_placed", variables={"order": 2})["started"]
    [instance_id] = started
    instance = engine.runtime.get(instance_id)
    assert [t["element_id"] for t in instance["tasks"]] == ["handle"]
    assert instance["variables"]["order"] == 2


def test_with_a_plain_start_event_beside_them_the_plain_one_is_used(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="plain"/>'
        f'<bpmn:startEvent id="placed">{MESSAGE}</bpmn:startEvent>'
        '<bpmn:userTask id="by_hand"/>'
        + flow("plain", "by_hand")
        + flow("placed", "handle")
        + flow("by_hand", "e")
        + AFTER
    )
    deployed(engine, body)
    instance = engine.runtime.start("p", {})
    assert [t["element_id"] for t in instance["tasks"]] == ["by_hand"]
    assert not [w for w in instance["waiting"] if w.get("name") == "order_placed"]


def test_a_process_whose_start_events_all_wait_for_triggers_refuses_a_start_naming_them(
    engine: Engine,
) -> None:
    body = (
        f'<bpmn:startEvent id="placed">{MESSAGE}</bpmn:startEvent>'
        f'<bpmn:startEvent id="daily">{TIMER}</bpmn:startEvent>'
        + flow("placed", "handle")
        + flow("daily", "handle")
        + AFTER
    )
    deployed(engine, body)
    with pytest.raises(InvalidInput, match=r"no plain start event.*'placed' \(message\).*'daily' \(timer\)"):
        engine.runtime.start("p", {})
    assert engine.runtime.list(key="p")["total"] == 0  # nothing half-started
    assert engine.messages.correlate("order_placed")["started"]  # its triggers still start it
