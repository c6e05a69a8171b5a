"""What a workflow waits for in signals, and which processes a signal starts."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState


def signal_name(task_spec: Any) -> str | None:
    """The signal a task spec catches or throws (an event-based gateway: the first it waits for), or None."""
    definition = signal_definition(task_spec)
    return definition.name if definition is not None else None


def signal_definition(task_spec: Any) -> Any:
    """The signal event definition of `signal_name`, or None."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        signals = [d for d in definition.event_definitions if isinstance(d, SignalEventDefinition)]
        definition = signals[0] if signals else None
    return definition if isinstance(definition, SignalEventDefinition) else None


def waiting_tasks(workflow: Any) -> list[Any]:
    """The tasks of a workflow and its subprocesses that wait for a signal, from SpiffWorkflow's event
    manager (it holds only waiting catch events, so this costs nothing on most steps). A process's
    own start event is no wait: only the signal its instance was started for reaches it."""
    tasks = workflow.event_manager.tasks
    if not tasks:
        return []
    return [
        t
        for t in tasks.values()
        if t.has_state(TaskState.WAITING) and signal_name(t.task_spec) is not None and not is_process_start(t)
    ]


def is_process_start(task: Any) -> bool:
    return isinstance(task.task_spec, StartEvent) and task.workflow is task.workflow.top_workflow


def start_names(spec: Any) -> frozenset[str]:
    """The signals whose start events start a process spec."""
    return frozenset(name for start in spec.bpmn_start_events if (name := signal_name(start)) is not None)
