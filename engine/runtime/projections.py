"""Projections: what queries read (status, variables, open user tasks, waits), derived after a step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from ..definitions.receive_tasks import EVENT_TYPE as TRIGGER_EVENT
from ..definitions.receive_tasks import trigger_wait
from ..errors import StepFailed
from ..jobs.outbox import INCIDENT, JOB_ID
from ..messages.waits import message_waits, process_variables
from ..store.models import DEFAULT_PRIORITY, parse_moment
from ..variables import check_json

INTERNAL_KEYS = frozenset({"data_objects"})
"""Workflow data keys SpiffWorkflow keeps for itself, not the user's variables."""
CLAIM = "flowbridge_claim"
"""Internal data key on an open user task: the user who claimed it; it overrides the model's assignee."""
FAILED_WAITS = frozenset({"error", "incident"})
"""Kinds of wait that make an instance's status `incident`."""
BEAN_VALUES = "bean_values"
"""Internal data of a user task: the values its assignee, candidate or due-date bean calls returned."""


@dataclass
class OpenTask:
    """A user (or manual) task waiting for a person."""

    id: str
    element_id: str
    name: str | None
    lane: str | None
    assignee: str | None
    candidate_users: list[str]
    candidate_groups: list[str]
    form: dict[str, Any] | None
    variables: dict[str, Any]
    created_at: datetime
    due_at: datetime | None = None
    follow_up_at: datetime | None = None
    priority: int = DEFAULT_PRIORITY


@dataclass
class Projection:
    """Everything saved beside the state so that nothing needs to restore it to answer a query."""

    status: str
    variables: dict[str, Any]
    waiting: list[dict[str, Any]]
    user_tasks: list[OpenTask] = field(default_factory=list)
    variables_written: bool = False
    """The step wrote process variables: open tasks that stay open show new values."""


def project(workflow: Any) -> Projection:
    """Derive the projection of a workflow that has just finished a step."""
    if workflow.completed:
        variables = _visible(workflow.data)
        check_json(variables, "the process's variables")
        return Projection("completed", variables, [])
    live = live_tasks(workflow, TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR)
    variables = process_variables(workflow)
    _check_task_data(live)
    user_tasks, waiting = [], []
    for task in live:
        spec = task.task_spec
        incident = task.internal_data.get(INCIDENT)
        if task.has_state(TaskState.ERROR):
            waiting.append({"kind": "error", "element_id": spec.bpmn_id, "task_id": str(task.id)})
        elif incident is not None:
            waiting.append(
                {
                    "kind": "incident",
                    "element_id": spec.bpmn_id,
                    "task_id": str(task.id),
                    "incident_id": incident.get("id"),
                    "error": incident.get("error"),
                }
            )
        elif (trigger := trigger_wait(task)) is not None:
            waiting.append(trigger)
        elif task.has_state(TaskState.READY) and spec.manual:
            open_task = make_open_task(task)
            user_tasks.append(open_task)
            waiting.append({"kind": "user_task", "element_id": spec.bpmn_id, "task_id": open_task.id})
        elif task.has_state(TaskState.STARTED) and spec.bpmn_id and not getattr(spec, "spec", None):
            waiting.append(
                {
                    "kind": "service_task",
                    "element_id": spec.bpmn_id,
                    "task_id": str(task.id),
                    "job_id": task.internal_data.get(JOB_ID),
                }
            )
    for event in workflow.waiting_events():
        if event.event_type in ("MessageEventDefinition", TRIGGER_EVENT):
            continue  # listed below with their correlation values, or above as triggers
        waiting.append(
            {
                "kind": "event",
                "event_type": event.event_type,
                "name": event.name,
                "value": _jsonable(event.value),
            }
        )
    waiting.extend(message_waits(workflow))
    return Projection(status_of(waiting), variables, waiting, user_tasks)


def status_of(waiting: list[dict[str, Any]]) -> str:
    """The status of an instance that has not ended, from its saved waits (as `project` decides it)."""
    return "incident" if any(w.get("kind") in FAILED_WAITS for w in waiting) else "waiting"


def live_tasks(workflow: Any, state: int) -> list[Any]:
    """Tasks of the workflow and its subprocesses in `state`, read straight from their task maps.

    After pruning these maps hold only live work, so this beats walking the task tree.
    """
    return [
        task
        for wf in [workflow, *workflow.subprocesses.values()]
        for task in wf.tasks.values()
        if task.state & state
    ]


def _visible(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in INTERNAL_KEYS}


def _check_task_data(tasks: list[Any]) -> None:
    for task in tasks:
        for name, value in task.data.items():
            if name not in INTERNAL_KEYS:
                check_json(value, f"variable '{name}' (at '{task.task_spec.bpmn_id or task.task_spec.name}')")


def _jsonable(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def make_open_task(task: Any) -> OpenTask:
    """A ready user task as the task lists show it: its assignment (a claim first), form and variables."""
    spec = task.task_spec
    extensions = spec.extensions if isinstance(spec.extensions, dict) else {}
    assignment = extensions.get("assignment") or {}
    users = _evaluate_list(task, assignment.get("candidate_users", []))
    groups = _evaluate_list(task, assignment.get("candidate_groups", []))
    lane = assignment.get("lane")
    if lane:
        # SpiffArena: `lane_owners` maps a lane to the users who own it; else the lane is a group.
        owners = task.data.get("lane_owners")
        named = owners.get(lane) if isinstance(owners, dict) else None
        if isinstance(named, list) and named:
            users = [str(u) for u in named]
        else:
            groups = [lane]
    return OpenTask(
        id=str(task.id),
        element_id=spec.bpmn_id,
        name=spec.bpmn_name,
        lane=spec.lane,
        assignee=task.internal_data.get(CLAIM) or _evaluate(task, assignment.get("assignee")),
        candidate_users=users,
        candidate_groups=groups,
        form=extensions.get("form"),
        variables=_visible(task.data),
        created_at=datetime.fromtimestamp(task.last_state_change, UTC),
        due_at=_due_at(task, extensions.get("due_date")),
        follow_up_at=_due_at(task, extensions.get("follow_up_date"), "follow-up date"),
        priority=_priority(task, extensions.get("priority")),
    )


def _due_at(task: Any, value: Any, what: str = "due date") -> datetime | None:
    """The task's due (or follow-up) date: an ISO 8601 literal, or an expression giving a date, a
    datetime or ISO text; an ISO 8601 duration (`P2DT2H30M`) is that long after the task was
    created, as Camunda reads it.

    The task's row keeps the date from the step that opened the task.
    """
    if value is None:
        return None
    result = value if isinstance(value, str) else _run(task, value, what)
    if result is None:
        return None
    moment = parse_moment(result)
    if moment is None and isinstance(result, str) and result.strip().startswith("P"):
        moment = _after_creation(task, result.strip())
    if moment is None:
        raise StepFailed(
            f"user task '{task.task_spec.bpmn_id}': the {what} {result!r} is not a date (ISO 8601)"
        )
    return moment


def _after_creation(task: Any, duration: str) -> datetime | None:
    try:
        delta = TimerEventDefinition.get_timedelta_from_start(
            TimerEventDefinition.parse_iso_duration(duration)
        )
    except (TypeError, ValueError, KeyError):
        return None
    return datetime.fromtimestamp(task.last_state_change, UTC) + delta


def _priority(task: Any, value: Any) -> int:
    """The task's priority: a number, or an expression giving one (Camunda's default: 50)."""
    if value is None:
        return DEFAULT_PRIORITY
    result = value if isinstance(value, (str, int)) else _run(task, value, "priority")
    try:
        return int(str(result).strip())
    except (TypeError, ValueError):
        raise StepFailed(
            f"user task '{task.task_spec.bpmn_id}': the priority {result!r} is not a whole number"
        ) from None


def _run(task: Any, value: Any, what: str) -> Any:
    """The result of an expression translated at deploy time ({"python": source}), or of a bean
    method call ({"microflow", "args"}: the microflow runs once, when the task is created, and its
    value is kept with the task), or None."""
    if isinstance(value, dict) and value.get("microflow"):
        return _bean_value(task, value)
    source = value.get("python") if isinstance(value, dict) else None
    if source is None:
        return None
    try:
        return task.workflow.script_engine.evaluate(task, source)
    except Exception as exc:
        raise StepFailed(
            f"user task '{task.task_spec.bpmn_id}': {what} expression {source!r} failed: {exc}"
        ) from exc


def _bean_value(task: Any, value: dict[str, Any]) -> Any:
    key = f"{value['microflow']}({', '.join(value['args'])})"
    kept = task.internal_data.setdefault(BEAN_VALUES, {})
    if key not in kept:
        kept[key] = task.workflow.script_engine.call_bean(task, value["microflow"], value["args"])
    return kept[key]


def _evaluate(task: Any, value: Any) -> str | None:
    """An assignment value: a literal, or {"python": source} translated at deploy time."""
    if value is None or isinstance(value, str):
        return value
    result = _run(task, value, "assignment")
    if isinstance(result, list):
        return ",".join(str(r) for r in result if r is not None) or None
    return None if result is None else str(result)


def _evaluate_list(task: Any, values: list[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        result = _evaluate(task, value)
        if result:
            out.extend(v.strip() for v in result.split(",") if v.strip())
    return list(dict.fromkeys(out))
