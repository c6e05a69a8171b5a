"""A user task's due date, follow-up date and priority, as Camunda 7 and Zeebe models give them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine import Engine, InvalidModel

from ..builders import flow, model

CAMUNDA7 = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
    '<bpmn:process id="p" isExecutable="true">{}</bpmn:process></bpmn:definitions>'
)


def open_task(engine: Engine, xml: bytes, **variables: object) -> dict:
    engine.repository.deploy({"p.bpmn": xml})
    started = engine.runtime.start("p", dict(variables))
    task: dict = engine.tasks.get(started["tasks"][0]["id"])
    return task


def test_camunda7_follow_up_date_priority_and_a_due_date_after_creation(engine: Engine) -> None:
    task = (
        '<bpmn:userTask id="t" camunda:dueDate="P2DT2H30M" camunda:followUpDate="${followUp}" '
        'camunda:priority="${urgency * 10}"/>'
    )
    before = datetime.now(UTC)
    shown = open_task(
        engine,
        CAMUNDA7.format('<bpmn:startEvent id="s"/>' + task + flow("s", "t")).encode(),
        followUp="2026-12-24T09:00:00+00:00",
        urgency=7,
    )
    due = datetime.fromisoformat(shown["due_at"])
    assert (
        before + timedelta(days=2, hours=2, minutes=29)
        <= due
        <= datetime.now(UTC) + timedelta(days=2, hours=2, minutes=31)
    )
    assert shown["follow_up_at"].startswith("2026-12-24T09:00:00")
    assert shown["priority"] == 70
    # The task lists show the same (the row the step saved).
    [listed] = engine.tasks.list()["items"]
    assert (listed["priority"], listed["follow_up_at"]) == (70, shown["follow_up_at"])


def test_zeebe_task_schedule_and_priority_definition(engine: Engine) -> None:
    task = (
        '<bpmn:userTask id="t"><bpmn:extensionElements><zeebe:userTask/>'
        '<zeebe:taskSchedule dueDate="2026-12-20T10:00:00Z" followUpDate="=follow"/>'
        '<zeebe:priorityDefinition priority="80"/></bpmn:extensionElements></bpmn:userTask>'
    )
    shown = open_task(
        engine, model('<bpmn:startEvent id="s"/>' + task + flow("s", "t")), follow="2026-12-18T10:00:00Z"
    )
    assert shown["due_at"].startswith("2026-12-20T10:00:00")
    assert shown["follow_up_at"].startswith("2026-12-18T10:00:00")
    assert shown["priority"] == 80


def test_without_a_priority_a_task_has_camundas_default_and_a_bad_one_is_refused(engine: Engine) -> None:
    shown = open_task(engine, model('<bpmn:startEvent id="s"/><bpmn:userTask id="t"/>' + flow("s", "t")))
    assert (shown["priority"], shown["follow_up_at"]) == (50, None)
    bad = '<bpmn:userTask id="t" camunda:priority="high"/>'
    with pytest.raises(InvalidModel, match="priority 'high' is not a whole number"):
        engine.repository.deploy(
            {"q.bpmn": CAMUNDA7.format('<bpmn:startEvent id="s"/>' + bad + flow("s", "t")).encode()}
        )
