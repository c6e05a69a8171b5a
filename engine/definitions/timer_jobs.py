"""Timers that fire by their job, as Camunda 7's do: only a timer job's step fires them.

Camunda 7 makes every timer a job, which its job executor runs after the step that reached the
timer has been committed. So a `PT0S` timer (or a date already past) does not fire inside that
step: the instance waits, and a signal or message sent before the job runs wins an event-based
gateway. SpiffWorkflow fires a timer that is due whenever it looks at it (as the flow reaches it,
and after every task that completes); Zeebe and SpiffArena models keep that, so only the timers
of Camunda 7 models are made `JobDurationTimer` and `JobTimeDate` here (at parse time: the stored
spec keeps their classes).

A waiting timer is a timer job either way (engine.jobs.outbox; due at once here). Such a timer
fires only while the engine fires due timers (`firing`, in a timer job's step: engine.runtime).
At an event-based gateway the event caught first wins: a timer does not fire beside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent

DIALECTS = frozenset({"camunda7"})
"""Dialects whose timers fire by their job (Flowable's models are read as Camunda 7's)."""
_FIRING: ContextVar[bool] = ContextVar("flowbridge_firing_timers", default=False)


@contextmanager
def firing() -> Iterator[None]:
    """While the engine fires due timers: timers that fire by their job may fire."""
    token = _FIRING.set(True)
    try:
        yield
    finally:
        _FIRING.reset(token)


class _FiresByJob:
    """A timer that fires only while the engine fires due timers (`firing`)."""

    spiff_name = ""
    """SpiffWorkflow's class name, which waits report as their `event_type`."""

    def has_fired(self, my_task: Any) -> bool:
        """Whether the timer fires now: when due, while timers are fired; fired on purpose, always."""
        if my_task._get_internal_data("event_fired", False):
            return True  # fired on purpose (a timer start event started by hand), or fired already
        if my_task.internal_data.get("seen_events"):
            return False  # an event-based gateway caught another event first: that one wins
        fired: bool = super().has_fired(my_task)  # type: ignore[misc]  # records the due time
        if fired and not _FIRING.get():
            my_task._set_internal_data(event_fired=False)
            return False  # due, but its job fires it, in a step of its own
        return fired

    def details(self, my_task: Any) -> PendingBpmnEvent:
        """The wait, reported as SpiffWorkflow's own timer class reports it."""
        pending: PendingBpmnEvent = super().details(my_task)  # type: ignore[misc]
        pending.event_type = self.spiff_name
        return pending


class JobDurationTimerEventDefinition(_FiresByJob, DurationTimerEventDefinition):
    """A `timeDuration` timer that fires by its job."""

    spiff_name = "DurationTimerEventDefinition"


class JobTimeDateEventDefinition(_FiresByJob, TimeDateEventDefinition):
    """A `timeDate` timer that fires by its job."""

    spiff_name = "TimeDateEventDefinition"


JOB_TIMERS: dict[type, type] = {
    DurationTimerEventDefinition: JobDurationTimerEventDefinition,
    TimeDateEventDefinition: JobTimeDateEventDefinition,
}
"""SpiffWorkflow's timer class → the one that fires by its job."""


def arm(process_specs: list[Any], dialects: Mapping[str, str]) -> None:
    """Make the duration and date timers of each process spec whose file's dialect (`dialects`,
    by file name) is in DIALECTS fire by their job: those of catch, boundary and start events,
    and those an event-based gateway waits for."""
    for process in process_specs:
        if dialects.get(getattr(process, "file", None) or "") not in DIALECTS:
            continue
        for task_spec in process.task_specs.values():
            definition: Any = getattr(task_spec, "event_definition", None)
            nested = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else []
            for timer in [definition, *nested]:
                job_timer = JOB_TIMERS.get(type(timer))
                if job_timer is not None:
                    timer.__class__ = job_timer
