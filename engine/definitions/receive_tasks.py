"""Receive tasks that name no message: a wait state that a trigger ends, where the model's engine says so.

Camunda 7 (and Flowable, whose ancestor it is) and plain BPMN make a receive task without a
message a wait state, left only when the instance is signalled at it (Camunda 7's
`runtimeService.signal(executionId)`; Flowbridge's `engine.triggers.trigger`). Its input mappings
are local to the waiting element, its output mappings apply when it is left. SpiffWorkflow runs
such a task straight through, and so do SpiffArena models; Zeebe refuses it at deploy ("Must
reference a message"), and Flowbridge keeps running Zeebe models' straight through, as before.

The parser (`ReceiveTaskParser`) gives such a task a `TriggerEventDefinition`: SpiffWorkflow's
catching-event machinery keeps the task waiting (and known to the event manager) until something
marks it fired, which only a trigger does. The instance's waits list it as
`{"kind": "trigger", ...}` (`trigger_wait`).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.base import EventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import ReceiveTask as ReceiveTaskMixin
from SpiffWorkflow.spiff.parser.event_parsers import SpiffReceiveTaskParser
from SpiffWorkflow.util.task import TaskState

from .dialects import dialect_of
from .local_variables import snapshot

WAITING_DIALECTS = frozenset({"camunda7", "bpmn"})
"""Dialects whose engines wait at a receive task that names no message (Flowable's is camunda7)."""
EVENT_TYPE = "TriggerEventDefinition"
"""The event type SpiffWorkflow reports for such a wait (`workflow.waiting_events()`)."""


class TriggerEventDefinition(EventDefinition):
    """What a receive task without a message waits for: a trigger, which no event of the flow is.

    Not a NoneEventDefinition, which SpiffWorkflow fires as soon as the task is reached.
    """

    def catches(self, my_task: Any, event: Any) -> bool:
        # Nothing thrown inside a flow ends this wait; only `fire` does, on one task.
        return False


class ReceiveTaskParser(SpiffReceiveTaskParser):
    """SpiffWorkflow's receive task parser; a task that names no message waits for a trigger in the
    dialects that say so (`WAITING_DIALECTS`)."""

    def create_task(self) -> Any:
        task = super().create_task()
        if isinstance(task.event_definition, NoneEventDefinition) and waits_for_trigger(self._dialect()):
            task.event_definition = TriggerEventDefinition()
        return task

    def _dialect(self) -> str:
        # The deployment's dialect of the file (detected, or the one it was deployed as).
        known = getattr(self.process_parser.parser, "dialects", {})
        found = known.get(self.filename)
        return found if found is not None else dialect_of(self.node.getroottree().getroot())


def waits_for_trigger(dialect: str) -> bool:
    """Whether a receive task without a message waits in models of `dialect`."""
    return dialect in WAITING_DIALECTS


def is_receive_task(spec: Any) -> bool:
    """Whether the task spec is a receive task's (with or without a message)."""
    return isinstance(spec, ReceiveTaskMixin)


def waits_at(task: Any) -> bool:
    """Whether the task is a receive task waiting now (for a trigger, or for its message)."""
    return is_receive_task(task.task_spec) and task.has_state(TaskState.WAITING)


def fire(task: Any) -> None:
    """End a waiting receive task's wait, as a caught event does: it becomes ready to run on."""
    task._set_internal_data(event_fired=True)
    task.task_spec._update(task)


def trigger_wait(task: Any) -> dict[str, Any] | None:
    """The wait a live task shows when it waits for a trigger, else None: its element, name and
    task id, and its local variables (its input mappings', a multi-instance instance's)."""
    spec = task.task_spec
    if not (waits_at(task) and isinstance(spec.event_definition, TriggerEventDefinition)):
        return None
    return {
        "kind": "trigger",
        "element_id": spec.bpmn_id,
        "name": spec.bpmn_name,
        "task_id": str(task.id),
        "local_variables": snapshot(task),
    }
