"""Running a workflow on: apply a change, then run the engine's own tasks until every branch waits.

The step path (`service`) runs this between restoring and saving an instance; the differential
test runs it on a workflow kept in memory, so both run a flow the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from ..definitions import timer_jobs
from ..definitions.local_variables import find_task
from ..errors import InvalidInput, StepFailed
from .scopes import Scopes, uses_process_variables


def run_to_wait(
    workflow: Any,
    change: Callable[[], None] | None = None,
    fire_timers: bool = False,
    each_round: Callable[[int], None] | None = None,
) -> bool:
    """Apply `change`, then run ready engine tasks, route BpmnErrors and (with `fire_timers`) fire
    due timers until nothing moves; `each_round` is told the count after every round.

    Models with process variables keep them in step with every task that finishes (`scopes`);
    True when a task wrote one.
    """
    scopes = Scopes(workflow) if uses_process_variables(workflow) else None
    finished = scopes.task_finished if scopes is not None else None
    if change is not None:
        change()
    if scopes is not None:
        scopes.sweep()  # what the change finished (a user task, a job's service task); the engine's
        # own tasks report themselves as they finish
    rounds = 0
    while True:
        moved = (
            engine_steps(workflow, finished)
            or workflow.script_engine.route_errors()
            or (fire_timers and _fire_due_timers(workflow, finished))
            or _fire_conditions(workflow)
        )
        if not moved:
            break
        rounds += 1
        if each_round is not None:
            each_round(rounds)
    _refuse_uncaught_errors(workflow)
    if scopes is None:
        return False
    scopes.sweep()
    return scopes.wrote


def engine_steps(workflow: Any, finished: Callable[[Any], None] | None) -> bool:
    """Run the ready engine tasks once, deepest subprocesses first; True if anything ran.

    SpiffWorkflow's `_do_engine_steps`, but a subprocess that an earlier one's event removed this
    round (an error or timer boundary event interrupting a multi-instance subprocess) is skipped,
    not looked up: SpiffWorkflow fails the step looking for its deleted parent task.
    """

    def run_ready(wf: Any) -> int:
        count = 0
        for task in wf.get_tasks(state=TaskState.READY):
            if not task.task_spec.manual:
                task.run()
                count += 1
                if finished is not None:
                    finished(task)
        return count

    active = workflow.get_active_subprocesses()
    for subprocess in sorted(active, key=lambda v: v.depth, reverse=True):
        if subprocess.parent_task_id is not None and find_task(workflow, subprocess.parent_task_id) is None:
            continue  # interrupted and removed by what ran before it this round
        while run_ready(subprocess) > 0:
            pass
        parent = find_task(workflow, subprocess.parent_task_id) if subprocess.parent_task_id else None
        if parent is not None:
            parent.task_spec._update(parent)
    count = run_ready(workflow)
    return count > 0 or len(workflow.get_active_subprocesses()) > len(active)


def _refuse_uncaught_errors(workflow: Any) -> None:
    """An error no boundary event or event subprocess caught fails the step (Zeebe: an incident).

    SpiffWorkflow puts an error nothing caught among the events for outside the instance and
    ends the path that threw it, as if the error were no error.
    """
    uncaught = [e for e in workflow.bpmn_events if isinstance(e.event_definition, ErrorEventDefinition)]
    if uncaught:
        definition = uncaught[0].event_definition
        code = definition.code or definition.name
        raise StepFailed(
            f"error '{code}' was thrown and no error boundary event or event subprocess catches it",
            error_code=code,
        )


def _fire_conditions(workflow: Any) -> bool:
    """Evaluate the conditions of the conditional events that wait, now that the variables may have
    changed; True when one became true (its event is ready to run)."""
    fired = False
    for task in list(workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, ConditionalEventDefinition) and task.has_state(TaskState.WAITING):
            task.task_spec._update(task)
            fired = fired or task.has_state(TaskState.READY)
    return fired


def _fire_due_timers(workflow: Any, finished: Callable[[Any], None] | None) -> bool:
    """Make timers whose time has come ready and run what follows; True if anything ran."""
    if not workflow.waiting_events():
        return False
    with timer_jobs.firing():
        workflow.refresh_timers()
    return engine_steps(workflow, finished)


def set_initiator(workflow: Any, user: str | None) -> None:
    """Camunda 7's `camunda:initiator` (and Flowable's): the variable a start event names is set to
    the user who starts the instance (null when no user does: a message, a timer)."""
    for spec in workflow.spec.bpmn_start_events:
        extensions = getattr(spec, "extensions", None)
        name = extensions.get("initiator") if isinstance(extensions, dict) else None
        if name:
            workflow.task_tree.data[name] = user


def start_at_its_start_event(workflow: Any, key: str) -> None:
    """Start a new workflow where a person or client starting it by key means to (Camunda 7):
    its plain start event, else its one start event that waits for a trigger, fired at once."""
    starts = list(workflow.spec.bpmn_start_events)
    if not starts or any(isinstance(s.event_definition, NoneEventDefinition) for s in starts):
        return  # SpiffWorkflow starts at the plain start event (the others are cancelled)
    if len(starts) > 1:
        named = ", ".join(f"'{s.bpmn_id}' ({_trigger(s)})" for s in starts)
        raise InvalidInput(
            f"process '{key}' has no plain start event, only start events that wait for a trigger: "
            f"{named}; send one of those triggers instead (a message, say), or add a plain start event",
            key=key,
        )
    engine_steps(workflow, None)  # the start event now waits for its trigger: fire it
    for task in list(workflow.tasks.values()):
        if task.task_spec is starts[0] and task.has_state(TaskState.WAITING):
            if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
                # A cycle timer makes its children per cycle, never up front: make them, once.
                task._sync_children(task.task_spec.outputs, TaskState.FUTURE)
            task._set_internal_data(event_fired=True)
            task.task_spec._update(task)


def _trigger(spec: Any) -> str:
    name = type(spec.event_definition).__name__.removesuffix("EventDefinition")
    return name.lower().replace("cycletimer", "timer").replace("durationtimer", "timer")
