"""Local variables: the names a live task holds apart from its process instance's variables.

BPMN makes a local variable where the model says so: the element variable of a multi-instance
activity, its output element and the collection the outputs are gathered in (DESIGN §2a), and
the targets of an element's input mappings (io_mappings). A compensation handler also sees, as
locals, those of the activity instance it compensates (Camunda 7's variable snapshot). They
belong to the instance, never to the process's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity

SNAPSHOT = "compensation_locals"
"""Internal data of a compensation handler's run: the locals of the instance it compensates."""
LOOP_VARIABLES = ("loopCounter", "nrOfInstances", "nrOfCompletedInstances", "nrOfActiveInstances")
"""Camunda's variables of a multi-instance activity's instance: local to it."""
LOOP_COUNTER_BASE = "loop_counter_base"
"""The extensions key of a multi-instance activity: the first instance's loopCounter (0 or 1)."""
IO_LOCALS = "io_locals"
"""Internal data of an element with input mappings: the variables its inputs made (io_mappings)."""
WRITTEN = "scope_written"
"""Internal data of a live task: variables something running as it began (an execution listener)
wrote, for its process instance's scope now, not when the task finishes (engine.runtime.scopes)."""


def local_names(task: Any, find_task: Callable[[Any], Any]) -> frozenset[str]:
    """Names local to `task` (the items of each multi-instance activity it runs in, and the snapshot
    of the compensation handler it runs in), up to the process instance it belongs to.

    `find_task` finds a task of the top workflow or its subprocesses by id.
    """
    names: set[str] = set()
    current: Any = task
    while current is not None:
        internal = current.internal_data
        names.update(internal.get(SNAPSHOT, ()))
        names.update(internal.get(IO_LOCALS, ()))
        parent = current.parent
        if parent is not None and isinstance(parent.task_spec, MultiInstanceTask):
            # The collection too: the multi-instance task fills it as its instances finish, and
            # an instance's copy of it from when it began is stale.
            spec = parent.task_spec
            items = (spec.input_item, spec.output_item, spec.data_output)
            names.update(item.bpmn_id for item in items if item is not None)
            names.update(LOOP_VARIABLES)
        workflow = current.workflow
        if workflow is workflow.top_workflow or workflow.parent_task_id is None:
            break
        current = find_task(workflow.parent_task_id)
        if current is None or isinstance(current.task_spec, CallActivity):
            break
    return frozenset(names)


def snapshot(task: Any) -> dict[str, Any]:
    """The values of `task`'s local variables, as they are now."""
    top = task.workflow.top_workflow
    names = local_names(task, lambda task_id: find_task(top, task_id))
    return {name: task.data[name] for name in sorted(names) if name in task.data}


def find_task(top: Any, task_id: Any) -> Any:
    """The task with this id in the top workflow or one of its subprocesses, or None."""
    for workflow in [top, *top.subprocesses.values()]:
        task = workflow.tasks.get(task_id)
        if task is not None:
            return task
    return None
