"""What a case asserts at a point of its run: a `Check` of the instance, its open tasks and its waits.

Everything is read through the engine facade, as the HTTP API shows it: `runtime.get` (status,
variables, open tasks, waits, and the local variables of a receive task waiting for a trigger),
`tasks.get` (a task's assignment, due date and own variables) and
the instance's history (the elements that completed).
"""

from __future__ import annotations

import collections
import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from engine import Engine
from engine.runtime.views import TIMER_EVENT_TYPES


class _NotAsserted(enum.Enum):
    NOT_ASSERTED = "not asserted"


NOT_ASSERTED = _NotAsserted.NOT_ASSERTED
"""A field of `OpenTask` the peer's test does not assert (where None is a value: no assignee)."""


@dataclass(frozen=True)
class OpenTask:
    """What the peer's test asserts of the open user tasks at `element`; None: not asserted.

    `assignee`: the assignee of every open task there (None: unassigned). `assignees`: the
    assignees of the open tasks there, one per task, in any order (a multi-instance task's).
    `candidate_users`, `candidate_groups`: each task's candidates, in any order. `due`: each
    task's due date, ISO 8601 (no zone: UTC); `due_after_created`: how long after its creation it
    is due. `variables`: a subset of each task's own variables (what it shows as `variables`:
    the scope it sees, its input mappings among them); `absent`: names it must not have.
    """

    element: str
    assignee: str | _NotAsserted | None = NOT_ASSERTED
    assignees: tuple[str | None, ...] | None = None
    candidate_users: tuple[str, ...] | None = None
    candidate_groups: tuple[str, ...] | None = None
    due: str | None = None
    due_after_created: timedelta | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """What the peer's test asserts at this point; None: not asserted.

    `status`: the instance's status (waiting, completed, incident, ...). `completed`: elements
    that must have completed by now (a subset; `completed_in_order` compares the whole sequence).
    `not_completed`: elements that must not have. `open`: the element ids of the open user tasks,
    as a sorted list. `variables`: a subset of the instance's variables. `absent`: variable names
    the instance must not have. `tasks`: what the open tasks at some elements show (`OpenTask`).
    `waits`: how many waits of a kind the instance has, for each kind named ("timer", "message",
    "signal", "condition", "trigger", "user_task", "service_task", "incident", "error"; `wait_kind`).
    `local_variables`: for an element where a receive task waits for a trigger, a subset of its
    local variables (Camunda's variables of that execution), as each such wait shows them.
    """

    status: str | None = None
    completed: tuple[str, ...] = ()
    completed_in_order: tuple[str, ...] | None = None
    not_completed: tuple[str, ...] = ()
    open: tuple[str, ...] | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    absent: tuple[str, ...] = ()
    tasks: tuple[OpenTask, ...] = ()
    waits: dict[str, int] = field(default_factory=dict)
    local_variables: dict[str, dict[str, Any]] = field(default_factory=dict)


EVENT_KINDS = {
    "MessageEventDefinition": "message",
    "SignalEventDefinition": "signal",
    "ConditionalEventDefinition": "condition",
    **{name: "timer" for name in TIMER_EVENT_TYPES},
}
"""The kind of a wait for an event, by SpiffWorkflow's event definition class."""


def wait_kind(wait: dict[str, Any]) -> str:
    """A wait's kind as `Check.waits` counts it: its `kind`, or for an event the kind of event."""
    if wait.get("kind") == "event":
        event_type = str(wait.get("event_type"))
        return EVENT_KINDS.get(event_type, event_type)
    return str(wait.get("kind"))


def check(engine: Engine, instance_id: str, check: Check) -> None:
    """Assert `check` of the instance (AssertionError saying what differs)."""
    shown = engine.runtime.get(instance_id)
    done = completed_elements(engine, instance_id)
    where = f"(status {shown['status']}, open {open_elements(shown)}, completed {done})"
    if check.status is not None:
        assert shown["status"] == check.status, where
    missing = [e for e in check.completed if e not in done]
    assert not missing, f"not completed: {missing} {where}"
    if check.completed_in_order is not None:
        assert tuple(done) == check.completed_in_order, where
    unexpected = [e for e in check.not_completed if e in done]
    assert not unexpected, f"completed, but must not have: {unexpected} {where}"
    if check.open is not None:
        assert open_elements(shown) == sorted(check.open), where
    _check_variables(shown["variables"], check.variables, check.absent, "the instance")
    for expected in check.tasks:
        found = [engine.tasks.get(t["id"]) for t in shown["tasks"] if t["element_id"] == expected.element]
        assert found, f"no open task {expected.element} {where}"
        _check_tasks(found, expected)
    for element, expected_locals in check.local_variables.items():
        triggers = [w for w in shown["waiting"] if w.get("kind") == "trigger" and w["element_id"] == element]
        assert triggers, f"no receive task waits for a trigger at {element}; waiting: {shown['waiting']}"
        for wait in triggers:
            _check_variables(wait["local_variables"], expected_locals, (), f"receive task {element}")
    if check.waits:
        kinds = collections.Counter(wait_kind(w) for w in shown["waiting"])
        counted = {kind: kinds[kind] for kind in check.waits}
        assert counted == check.waits, f"waits {counted}, not {check.waits}; waiting: {shown['waiting']}"


def _check_tasks(found: list[dict[str, Any]], expected: OpenTask) -> None:
    at = f"task {expected.element}"
    if expected.assignee is not NOT_ASSERTED:
        assert all(t["assignee"] == expected.assignee for t in found), (
            f"{at}: assignee {[t['assignee'] for t in found]}, not {expected.assignee!r}"
        )
    if expected.assignees is not None:
        got = sorted((t["assignee"] for t in found), key=str)
        assert got == sorted(expected.assignees, key=str), f"{at}: assignees {got}, not {expected.assignees}"
    for name in ("candidate_users", "candidate_groups"):
        wanted = getattr(expected, name)
        if wanted is not None:
            for t in found:
                assert sorted(t[name]) == sorted(wanted), f"{at}: {name} {t[name]}, not {list(wanted)}"
    for t in found:
        if expected.due is not None:
            assert t["due_at"] is not None, f"{at}: no due date, not {expected.due}"
            due = t["due_at"]
            assert _moment(due) == _moment(expected.due), f"{at}: due {due}, not {expected.due}"
        if expected.due_after_created is not None:
            assert t["due_at"] is not None, f"{at}: no due date"
            after = _moment(t["due_at"]) - _moment(t["created_at"])
            assert after == expected.due_after_created, f"{at}: due {after} after its creation"
        _check_variables(t["variables"] or {}, expected.variables, expected.absent, at)


def _check_variables(
    variables: dict[str, Any], expected: dict[str, Any], absent: tuple[str, ...], of: str
) -> None:
    for name, value in expected.items():
        assert name in variables, f"{of}: no variable {name!r}; variables: {sorted(variables)}"
        assert variables[name] == value, f"{of}: {name} = {variables[name]!r}, not {value!r}"
    present = [name for name in absent if name in variables]
    assert not present, f"{of}: variables that must not be set: {present}"


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def completed_elements(engine: Engine, instance_id: str) -> list[str]:
    """The element ids that completed, in the order they did (from the instance's history)."""
    return [
        event["element_id"]
        for event in engine.history.events(instance_id)
        if event["kind"] == "activity_completed" and event["element_id"]
    ]


def open_elements(shown: dict[str, Any]) -> list[str]:
    """The element ids of an instance's open user tasks, sorted."""
    return sorted(t["element_id"] for t in shown["tasks"])
