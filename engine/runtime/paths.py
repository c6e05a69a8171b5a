"""The path a token took: which element handed it to a finished task (the diagram's taken flows).

SpiffWorkflow's task tree is the path: a task's parent is the task it came from. The step's
history records, with each finished element, the BPMN element it came from (`came_from`), so
the sequence flow taken is the model's flow from that element to this one. Tasks of
SpiffWorkflow's own (a boundary event's split and join, a subprocess's start) are no BPMN
elements; the walk passes over them to the nearest one that is.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.util.task import TaskState

FROM = "from"
"""The key of a finished element's history data naming the element the token came from."""


def came_from(task: Any) -> str | None:
    """The id of the BPMN element whose completion reached `task`, or None (no flow led here).

    A cancelled task counts only when a token stood on it (its predecessor completed): a join's
    absorbed branch, a task a boundary event interrupted. The catch events an event-based
    gateway did not choose were offered, not taken.
    """
    parent = task.parent
    while parent is not None and not parent.task_spec.bpmn_id:
        parent = parent.parent
    if parent is None or not parent.has_state(TaskState.COMPLETED):
        return None
    if task.has_state(TaskState.CANCELLED) and isinstance(parent.task_spec, EventBasedGateway):
        return None
    return str(parent.task_spec.bpmn_id)
