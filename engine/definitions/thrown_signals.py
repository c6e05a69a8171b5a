"""Signals an instance throws, noted as they are thrown, for the broadcast to every other instance.

SpiffWorkflow delivers a thrown signal to the catchers of the same instance only, and keeps it for
the application only when none of them caught it. BPMN broadcasts a signal to every instance that
waits for it; so each signal throw event's spec (intermediate and end) notes the signal's name
on its top workflow when it completes (`workflow.thrown_signals`), and the signal step effect
(`engine.signals`) turns the notes into a broadcast job in the step that threw them.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent

NOTES = "thrown_signals"
"""The top workflow's attribute: [(signal name, element id)] thrown since the step began."""


def arm(process_specs: list[Any]) -> None:
    """Make the signal throw events of these specs note what they throw (once per spec object)."""
    for process in process_specs:
        for task_spec in process.task_specs.values():
            if _throws_signal(task_spec) and not task_spec.completed_event.is_connected(_thrown):
                task_spec.completed_event.connect(_thrown)


def take(workflow: Any) -> list[tuple[str, str | None]]:
    """The signals thrown since the last take, oldest first; the notes are cleared."""
    notes: list[tuple[str, str | None]] = getattr(workflow, NOTES, None) or []
    setattr(workflow, NOTES, [])
    return notes


def _thrown(workflow: Any, task: Any) -> None:
    top = workflow.top_workflow
    notes = getattr(top, NOTES, None)
    if notes is None:
        notes = []
        setattr(top, NOTES, notes)
    notes.append((task.task_spec.event_definition.name, task.task_spec.bpmn_id))


def _throws_signal(task_spec: Any) -> bool:
    return isinstance(task_spec, ThrowingEvent) and isinstance(
        getattr(task_spec, "event_definition", None), SignalEventDefinition
    )
