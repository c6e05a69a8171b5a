"""Process variables (DESIGN §2a): Camunda's variable scopes kept over SpiffWorkflow's task data.

SpiffWorkflow gives every task a copy of the data along its path, and parallel branches copies
of their own, merged at a join: SpiffArena's semantics, which its models rely on. Models from
Camunda 7, Camunda 8, Flowable and plain BPMN rely on process variables instead: a variable
belongs to the process instance, so what one branch writes every other branch sees at once,
a branch waiting at a join hides nothing, and what a subprocess wrote survives a boundary event
that interrupts it.

For those models each process instance has one scope, the `data` of its workflow (the top
workflow, or the workflow of a called process: a call activity starts an instance of its own).
When a task finishes, what it changed (its data against the scope, but for its local variables)
is written to the scope, and every live task of the scope, and the parent each inherits from,
gets the new values. Because the live tasks always hold the scope's values, the difference a
finished task shows is exactly what it wrote. Local variables — the element variable of a
multi-instance activity, its output element and the collection the outputs are gathered in —
stay in the task data of their instance.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.util.task import TaskState

from ..definitions.compensation import CompensationHandlerTask
from ..definitions.io_mappings import has_io
from ..definitions.local_variables import IO_LOCALS, WRITTEN, find_task, local_names

INTERNAL = frozenset({"data_objects"})
"""Workflow data keys SpiffWorkflow keeps for itself: never process variables."""
_LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR


def uses_process_variables(workflow: Any) -> bool:
    """Whether the workflow's model keeps process variables (not SpiffArena's task data)."""
    return bool(getattr(workflow.script_engine, "process_variables", False))


class Scopes:
    """Keeps one workflow's process variables during a step (a new one each step is fine)."""

    def __init__(self, workflow: Any) -> None:
        self.top = workflow
        self._absorbed: set[Any] = set()
        self._since = time.time()
        """Tasks that finished before this step were absorbed by the step they finished in."""
        self._owner: dict[Any, Any] = {}
        self.wrote = False
        """Whether any task of this step wrote a process variable."""
        self._locals_of: dict[Any, frozenset[str]] = {}
        self._specs_seen: Any = None
        self._no_locals = False
        """No multi-instance activity anywhere in the model: no task has local variables."""

    def task_finished(self, task: Any) -> None:
        """Write what `task` changed to its scope and give it to the scope's live tasks."""
        if task.id in self._absorbed:
            return
        self._absorbed.add(task.id)
        scope = self._scope_workflow(task.workflow)
        # An element with input mappings changed its locals as it completed (io_mappings).
        local = self._find_locals(task) if IO_LOCALS in task.internal_data else self._locals(task)
        data = scope.data
        # A subprocess's Start finishes as its subprocess starts, unreported, and holds a copy of the
        # data it started with: only a called process's inputs (names its scope lacks) are new.
        # Its other values may since have been overwritten by the tasks of the same step.
        copied = isinstance(task.task_spec, BpmnStartTask)
        written = {
            name: value
            for name, value in task.data.items()
            if name not in INTERNAL
            and name not in local
            and (name not in data or (not copied and data[name] != value))
        }
        if not written:
            return
        self.wrote = True
        for name, value in written.items():
            data[name] = _copy(value)
        self._give(scope, written)

    def sweep(self) -> None:
        """Absorb the tasks that finished outside the engine's own steps (a person completed a user
        task, a job's result completed a service task), in the order they finished; then what
        live tasks wrote as they began (`_absorb_early_writes`)."""
        recent = [
            task
            for wf in [self.top, *self.top.subprocesses.values()]
            for task in wf.tasks.values()
            if task.last_state_change >= self._since
        ]
        finished = [t for t in recent if t.has_state(TaskState.COMPLETED) and t.id not in self._absorbed]
        for task in sorted(finished, key=lambda t: t.last_state_change):
            self.task_finished(task)
        self._absorb_early_writes(recent)

    def _absorb_early_writes(self, recent: list[Any]) -> None:
        """Write what tasks that changed in this step marked as written already (`WRITTEN`: a
        listener's variables as its task began) to their scope, as a finished task's changes are."""
        for task in recent:
            names = task.internal_data.pop(WRITTEN, None) if task.internal_data else None
            if not names:
                continue
            local = self._find_locals(task)
            written = {n: task.data[n] for n in names if n in task.data and n not in local}
            if written:
                self.wrote = True
                scope = self._scope_workflow(task.workflow)
                scope.data.update({n: _copy(v) for n, v in written.items()})
                self._give(scope, written)

    # -- the scope a task belongs to -----------------------------------------------------------

    def _scope_workflow(self, workflow: Any) -> Any:
        """The workflow whose `data` is the instance scope of tasks in `workflow`."""
        found = self._owner.get(id(workflow))
        if found is not None:
            return found
        owner = workflow
        while owner is not self.top and owner.parent_task_id is not None:
            parent_task = self._task(owner.parent_task_id)
            if parent_task is None or isinstance(parent_task.task_spec, CallActivity):
                break
            owner = parent_task.workflow
        self._owner[id(workflow)] = owner
        return owner

    def _task(self, task_id: Any) -> Any:
        return find_task(self.top, task_id)

    def _locals(self, task: Any) -> frozenset[str]:
        """Names local to the task: the item, output item and output collection of each
        multi-instance activity it runs in."""
        if self.top.subprocess_specs is not self._specs_seen:
            # Checked again when a call activity brought the specs of the process it calls.
            self._specs_seen = self.top.subprocess_specs
            self._no_locals = not any(
                isinstance(spec, (MultiInstanceTask, CompensationHandlerTask)) or has_io(spec)
                for process in [self.top.spec, *self._specs_seen.values()]
                for spec in process.task_specs.values()
            )
        if self._no_locals:
            return _NONE
        found = self._locals_of.get(task.id)
        if found is None:
            found = self._locals_of[task.id] = self._find_locals(task)
        return found

    def _find_locals(self, task: Any) -> frozenset[str]:
        return local_names(task, self._task)

    # -- giving the scope's values to its tasks ---------------------------------------------------

    def _give(self, scope: Any, written: dict[str, Any]) -> None:
        """Every live task of the scope, and the parent it inherits data from, gets the values."""
        targets: dict[Any, Any] = {}
        for wf in [self.top, *self.top.subprocesses.values()]:
            if self._scope_workflow(wf) is not scope:
                continue
            tasks = wf.tasks
            for task in tasks.values():
                if task._state & _LIVE:  # the attribute: this loop is the hot path of a step
                    targets[task.id] = task
                    parent = tasks.get(task._parent)
                    if parent is not None:
                        targets[parent.id] = parent
        for task in targets.values():
            local = self._locals(task)
            data = task.data
            for name, value in written.items():
                if name not in local:
                    data[name] = _copy(value)


_ATOMIC = (str, int, float, bool, type(None))
_NONE: frozenset[str] = frozenset()


def _copy(value: Any) -> Any:
    """A copy of a variable's value for one more holder (atomic values are shared as they are)."""
    return value if type(value) in _ATOMIC else copy.deepcopy(value)
