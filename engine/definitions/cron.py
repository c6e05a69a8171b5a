"""Cron expressions in `timeCycle`, as the engines that draw them read them (croniter computes).

Camunda 7 reads a `timeCycle` like `0 0/5 * * * ?` as a Quartz cron expression: seconds first,
`?` for "no specific value", days of the week 1-7 from Sunday. Camunda 8 (Zeebe) reads Spring's
cron: the same six fields, but days of the week 0-7 with Sunday 0 or 7. A cycle timer with a cron
fires at each match, for as long as it waits, computed from the time it fires (a timer that comes
due late fires once, then waits for the next match — no burst of missed ones).

At deploy the expression is checked and rewritten to croniter's form (seconds first, days of the
week 0-6 from Sunday) behind `PREFIX`; `CronTimerEventDefinition` is the cycle timer that reads it.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from croniter import croniter
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.util.task import TaskState

PREFIX = "cron:"
"""What a checked cron expression is stored behind, so a cycle timer tells it from ISO 8601."""
_FIELD = re.compile(r"^[0-9A-Za-z*?/,\-#LW]+$")
_NUMBERED_DAY = re.compile(r"(?<![#/\d])([0-7])(?!\d)")
"""A day of the week by number (not the n of `2#1`, nor a step `*/2`)."""


def looks_like_cron(text: str) -> bool:
    """Whether a `timeCycle` value is written as a cron expression (6 or 7 fields of cron syntax)."""
    fields = text.split()
    return len(fields) in (6, 7) and all(_FIELD.match(f) for f in fields)


def normalize(text: str, dialect: str) -> str:
    """The cron expression in croniter's form; ValueError saying why it is not one.

    A Quartz year (the seventh field) must be `*` or empty: croniter has no years to match.
    """
    fields = text.split()
    if len(fields) == 7:
        if fields[6] not in ("*", "?"):
            raise ValueError(f"cron expression {text!r}: a year field other than '*' is not supported")
        fields = fields[:6]
    if len(fields) != 6:
        raise ValueError(f"cron expression {text!r} needs 6 fields (seconds first), not {len(fields)}")
    fields[5] = _weekdays(fields[5], dialect)
    fields = ["*" if f == "?" else f for f in fields]
    expression = " ".join(fields)
    if not croniter.is_valid(expression, second_at_beginning=True):
        raise ValueError(f"{text!r} is not a valid cron expression")
    return expression


def _weekdays(field: str, dialect: str) -> str:
    if dialect == "camunda8":  # Spring: 0 or 7 is Sunday, 1 Monday
        return _NUMBERED_DAY.sub(lambda m: "0" if m.group(1) == "7" else m.group(1), field)
    # Quartz (Camunda 7, and the other dialects): 1 is Sunday, 7 Saturday.
    return _NUMBERED_DAY.sub(lambda m: str(max(int(m.group(1)) - 1, 0)), field)


def now() -> datetime:
    """The current time, in UTC, by the clock SpiffWorkflow's own timers read (one clock for every
    timer; a test that moves it, or replaces this function, moves cron cycles too)."""
    current: datetime = spiff_timer.datetime.now(UTC)
    return current


def next_after(expression: str, moment: datetime) -> datetime:
    """The first moment after `moment` that the (normalized) expression matches, in UTC."""
    found: datetime = croniter(expression, moment, second_at_beginning=True).get_next(datetime)
    return found.astimezone(UTC)


class CronTimerEventDefinition(CycleTimerEventDefinition):
    """A cycle timer whose cycle is a cron expression (behind `PREFIX`), or ISO 8601 as before."""

    def cycle_complete(self, my_task: Any) -> bool:
        """Whether the timer fires now; it waits again for the next match after firing."""
        event_value = my_task._get_internal_data("event_value")
        if event_value is None or "cron" not in event_value:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if not (isinstance(value, str) and value.startswith(PREFIX)):
                return bool(super().cycle_complete(my_task))
            expression = value[len(PREFIX) :]
            first = next_after(expression, now())
            event_value = {"cycles": -1, "cron": expression, "next": first.isoformat()}
        moment = now()
        ready = datetime.fromisoformat(event_value["next"]) <= moment
        if ready:
            event_value["next"] = next_after(event_value["cron"], moment).isoformat()
        my_task._set_internal_data(event_value=event_value)
        return ready

    def details(self, my_task: Any) -> Any:
        """The wait, reported as SpiffWorkflow's cycle timer reports it (a timer wait, with its job)."""
        pending = super().details(my_task)
        pending.event_type = CycleTimerEventDefinition.__name__
        return pending


class FirstOccurrenceTimerEventDefinition(CronTimerEventDefinition):
    """A cycle on an intermediate catch event, an interrupting boundary event or an event-based
    gateway: it fires once, at the cycle's first occurrence, and the flow goes on (Camunda 7; such
    an event can only complete once). SpiffWorkflow would run the path after it again at every
    cycle and never complete it; at a gateway, it would never fire."""

    def has_fired(self, my_task: Any) -> bool:
        """Whether the first occurrence has passed (then the event completes)."""
        if my_task._get_internal_data("event_fired", False):
            return True
        at_gateway = my_task.task_spec.event_definition is not self
        if at_gateway and my_task.internal_data.get("seen_events"):
            return False  # the event-based gateway caught another event first: that one wins
        if self.cycle_complete(my_task):
            if at_gateway:
                return True  # the gateway takes the timer's path (it makes its children itself)
            my_task._set_internal_data(event_fired=True)
            # SpiffWorkflow makes a cycle timer's children per cycle, never up front: make them once.
            my_task._sync_children(my_task.task_spec.outputs, TaskState.FUTURE)
            for child in my_task.children:
                child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
            return True
        return False

    def update_task(self, my_task: Any) -> None:
        """Nothing per cycle: the event fires once (`has_fired`)."""


class RepeatingTimerEventDefinition(FirstOccurrenceTimerEventDefinition):
    """A cycle on a non-interrupting boundary event: each occurrence completes the event, whose
    path goes on by itself, and a new event waits beside the activity for the next occurrence
    (BPMN; Camunda 7 and Zeebe). SpiffWorkflow hangs every occurrence's path under the one event
    that keeps waiting, so those paths were cancelled with it when the activity completed."""

    def has_fired(self, my_task: Any) -> bool:
        """Whether this occurrence has come (then the next one waits in a new event)."""
        if my_task._get_internal_data("event_fired", False):
            return True
        if not super().has_fired(my_task):
            return False
        cycle = my_task._get_internal_data("event_value")
        if isinstance(cycle, dict) and cycle.get("cycles") != 0:
            spec = my_task.task_spec
            again = my_task.parent._add_child(spec, TaskState.FUTURE)
            again._set_internal_data(event_value=copy.deepcopy(cycle))
            spec._update(again)  # WAITING for the next occurrence, and known to the event manager
        return True


def arm(process_specs: list[Any]) -> None:
    """Make every cycle timer of an intermediate catch event, an interrupting boundary event or an
    event-based gateway a `FirstOccurrenceTimerEventDefinition`, and any other whose cycle is a cron
    literal a `CronTimerEventDefinition`."""
    for process in process_specs:
        for task_spec in process.task_specs.values():
            definition: Any = getattr(task_spec, "event_definition", None)
            if isinstance(task_spec, EventBasedGateway):
                for timer in definition.event_definitions:
                    if type(timer) is CycleTimerEventDefinition:
                        timer.__class__ = FirstOccurrenceTimerEventDefinition
                continue
            if type(definition) is not CycleTimerEventDefinition:
                continue
            if isinstance(task_spec, IntermediateCatchEvent) or (
                isinstance(task_spec, BoundaryEvent) and task_spec.cancel_activity
            ):
                definition.__class__ = FirstOccurrenceTimerEventDefinition
            elif _is_cron_literal(definition.expression):
                definition.__class__ = CronTimerEventDefinition


def _is_cron_literal(expression: Any) -> bool:
    try:
        value = ast.literal_eval(expression) if isinstance(expression, str) else None
    except (ValueError, SyntaxError):
        return False
    return isinstance(value, str) and value.startswith(PREFIX)


REPEATING_DIALECTS = frozenset({"camunda7", "camunda8", "bpmn"})
"""Dialects whose non-interrupting cycle timers repeat as BPMN says (`RepeatingTimerEventDefinition`);
SpiffArena models keep SpiffWorkflow's meaning."""


def arm_repeating(process_specs: list[Any], dialects: Mapping[str, str]) -> None:
    """Make the cycle timers of non-interrupting boundary events `RepeatingTimerEventDefinition`s,
    in each process spec whose file's dialect (`dialects`, by file name) is in REPEATING_DIALECTS.

    At parse time, after `arm`: the stored spec keeps the class."""
    for process in process_specs:
        if dialects.get(getattr(process, "file", None) or "") not in REPEATING_DIALECTS:
            continue
        for task_spec in process.task_specs.values():
            definition: Any = getattr(task_spec, "event_definition", None)
            if (
                isinstance(task_spec, BoundaryEvent)
                and not task_spec.cancel_activity
                and type(definition) in (CycleTimerEventDefinition, CronTimerEventDefinition)
            ):
                definition.__class__ = RepeatingTimerEventDefinition
