"""Compensation at run time: what completed is remembered, and a throw runs its handlers.

The deploy-time rewrite (`dialects.compensation`) leaves three marks this module reads:

- a compensable activity's spec names its handler's wrapper in `extensions["compensation"]`;
  when an instance of it completes (each instance, for a multi-instance activity), a record
  goes into its scope: the activity, the handler, the order it completed in, and a snapshot of
  its local variables (a multi-instance element, as Camunda 7 keeps it for the handler);
- an embedded subprocess that completes takes the records made inside it along into its own
  scope's record: it is compensated by its own handler if it has one, else by compensating what
  completed inside it (BPMN's default compensation). A subprocess that did not complete (a
  boundary event interrupted it) leaves nothing to compensate, as in Camunda;
- a compensation throw event (`CompensationIntermediateThrow`, `CompensationEndEvent`) takes the
  records of its scope (those of `activityRef`, or all), newest first, and starts one handler run
  per record (`CompensationHandlerTask`, a subprocess around the handler) as its children, all
  at once as Camunda 7 and 8 do, so handlers that do not wait run in reverse order of completion.
  It waits until every run finished, then goes on. With nothing to compensate it goes on at once.

The records live on the top workflow (`workflow.compensation`, stored with the instance state),
keyed by scope: "top" for the process, else the id of the subprocess task whose subworkflow is
the scope. Subprocesses the event-subprocess rewrite made (`extensions["part_of_scope"]`) are
parts of their scope, not scopes. A called process is a scope of its own: compensation does not
cross a call activity (Camunda: a child process's handlers are not invoked from its parent).
"""

from __future__ import annotations

import time
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import EndEvent, IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask as SubWorkflowMixin
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.defaults import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from .dialects.compensation import WRAPPER_SUFFIX
from .local_variables import SNAPSHOT, find_task, snapshot

TOP = "top"
"""The key of the process's own scope among the records."""
THROWN = "compensation"
"""Internal data of a throw task: when it threw, what it compensated and which handlers it started."""


class CompensationHandlerTask(SubWorkflowTask):
    """One run of a compensation handler, a child of the throw that started it.

    Its subprocess (the handler's wrapper) starts with the throw's data and the snapshot of the
    compensated instance's local variables; when it ends the throw hears of it.
    """

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        super().copy_data(my_task, subworkflow)
        start = subworkflow.get_next_task(spec_name="Start")
        start.set_data(**deepcopy(my_task.internal_data.get(SNAPSHOT, {})))

    def _on_complete_hook(self, my_task: Any) -> None:
        super()._on_complete_hook(my_task)
        throw = my_task.parent
        local = my_task.internal_data.get(SNAPSHOT, {})
        throw.set_data(**{k: v for k, v in my_task.data.items() if k not in local})
        if throw.has_state(TaskState.STARTED) and not _running_handlers(throw):
            throw._set_state(TaskState.READY)


class CompensationThrow:
    """What both compensation throw events do; `extensions["compensate"]` says what they compensate:
    {"activity": id or None}."""

    def _update_hook(self, my_task: Any) -> bool | None:
        if THROWN in my_task.internal_data:
            return not _running_handlers(my_task)
        super()._update_hook(my_task)  # type: ignore[misc]
        activity = self.extensions.get("compensate", {}).get("activity")  # type: ignore[attr-defined]
        runs = take_records(my_task, activity)
        my_task.internal_data[THROWN] = {
            "at": time.time(),
            "activity": activity,
            "handlers": [spec.name.removesuffix(WRAPPER_SUFFIX) for spec, _ in runs],
        }
        if not runs:
            return True  # nothing completed that this throw compensates: a no-op, in the history
        my_task._set_state(TaskState.STARTED)
        for spec, local in runs:
            run = my_task._add_child(spec, TaskState.WAITING)
            run.triggered = True  # SpiffWorkflow keeps children it did not predict only when triggered
            run.internal_data[SNAPSHOT] = local
            spec._update(run)
        return None


class CompensationIntermediateThrow(CompensationThrow, IntermediateThrowEvent):
    """An intermediate throw event with a compensate event definition."""


class CompensationEndEvent(CompensationThrow, EndEvent):
    """An end event with a compensate event definition: the path ends once compensation has."""


def _running_handlers(throw: Any) -> bool:
    return any(
        isinstance(c.task_spec, CompensationHandlerTask) and not c.has_state(TaskState.FINISHED_MASK)
        for c in throw.children
    )


# -- records ---------------------------------------------------------------------------------


def records(top: Any) -> dict[str, Any]:
    """The top workflow's compensation records: {"order": last order given, "scopes": {key: [...]}}."""
    found = getattr(top, "compensation", None)
    if found is None:
        found = top.compensation = {"order": 0, "scopes": {}}
    return found


def arm(process_specs: list[Any]) -> None:
    """Make the specs of a model with compensation record what completes (once per spec object).

    A spec's events are not stored with it, so this runs on every spec parsed or loaded.
    """
    specs = [ts for process in process_specs for ts in process.task_specs.values()]
    if not any(_handler_of(ts) for ts in specs):
        return
    for task_spec in specs:
        armed = task_spec.completed_event.is_connected(_completed)
        if (_handler_of(task_spec) or _is_embedded(task_spec)) and not armed:
            task_spec.completed_event.connect(_completed)


def _completed(workflow: Any, task: Any) -> None:
    """Record a completed compensable activity, or carry what completed in a subprocess out of it."""
    spec = task.task_spec
    top = workflow.top_workflow
    store = records(top)
    inner: list[dict[str, Any]] = []
    if _is_embedded(spec):
        if _part_of_scope(spec):
            return  # what completed inside was recorded in the scope itself
        inner = store["scopes"].pop(str(task.id), [])
    handler = _handler_of(spec)
    _forget_ended_scopes(top, store)
    if handler is None and not inner:
        return
    store["order"] += 1
    record = {
        "activity": spec.bpmn_id,
        "handler": handler,
        "order": store["order"],
        "locals": snapshot(task),
        "inner": [] if handler else inner,  # a subprocess's own handler undoes all of it
    }
    store["scopes"].setdefault(scope_key(task.workflow), []).append(record)


def take_records(throw: Any, activity: str | None) -> list[tuple[Any, dict[str, Any]]]:
    """The handler runs a throw starts, newest completion first, each with its locals; the records
    they come from are removed (each completion is compensated once)."""
    top = throw.workflow.top_workflow
    store = records(top)
    key = scope_key(throw.workflow)
    held = store["scopes"].get(key, [])
    chosen = [r for r in held if activity is None or r["activity"] == activity]
    kept = [r for r in held if r not in chosen]
    if kept:
        store["scopes"][key] = kept
    else:
        store["scopes"].pop(key, None)
    runs = []
    for handler, local in _expand(chosen, {}):
        spec = throw.workflow.spec.task_specs.get(handler)
        if spec is None:
            raise WorkflowException(
                f"compensation handler '{handler}' is not reachable from here", task_spec=throw.task_spec
            )
        runs.append((spec, local))
    return runs


def _expand(held: list[dict[str, Any]], outer: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    runs = []
    for record in sorted(held, key=lambda r: r["order"], reverse=True):
        local = {**outer, **record["locals"]}
        if record["handler"]:
            runs.append((record["handler"], local))
        else:
            runs.extend(_expand(record["inner"], local))
    return runs


def scope_key(workflow: Any) -> str:
    """The key of the scope whose records a task of `workflow` makes and compensates."""
    top = workflow.top_workflow
    while workflow is not top:
        parent = find_task(top, workflow.parent_task_id)
        if parent is None or not _part_of_scope(parent.task_spec):
            break
        workflow = parent.workflow
    return TOP if workflow is top else str(workflow.parent_task_id)


def _forget_ended_scopes(top: Any, store: dict[str, Any]) -> None:
    """Drop the records of subprocesses that ended without completing (interrupted, cancelled) and of
    called processes that ended: nothing reaches them any more."""
    live = {str(key) for key in top.subprocesses}
    for key in [k for k in store["scopes"] if k != TOP and k not in live]:
        del store["scopes"][key]


def _handler_of(task_spec: Any) -> str | None:
    extensions = getattr(task_spec, "extensions", None)
    return extensions.get("compensation") if isinstance(extensions, dict) else None


def _part_of_scope(task_spec: Any) -> bool:
    extensions = getattr(task_spec, "extensions", None)
    return isinstance(extensions, dict) and bool(extensions.get("part_of_scope"))


def _is_embedded(task_spec: Any) -> bool:
    """An embedded subprocess (not a call activity, nor a handler's own run)."""
    return isinstance(task_spec, SubWorkflowMixin) and not isinstance(
        task_spec, (CallActivity, CompensationHandlerTask)
    )
