"""The outbox: the job rows a step writes in its own transaction, and what ends with an instance.

A step that leaves an async microflow waiting, or a timer waiting, writes its job in the same
transaction as the state that needs it (`plan` and `save` below), so a job exists if and only if
the state that needs it was saved. Workers claim and finish the rows (`engine.jobs.queue`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, bindparam, case, update

from ..expressions.script_engine import ASYNC_INPUT, FIELD_VALUES
from ..microflows import MicroflowRegistry
from ..store.models import Job
from ..store.statements import Prepared
from ..store.unit_of_work import UnitOfWork

JOB_ID = "flowbridge_job"
"""Internal data key on a waiting task: the id of the job that will end its wait."""
JOB_DUE = "flowbridge_job_due"
"""Internal data key on a waiting timer: the due time its job was written for."""
INCIDENT = "flowbridge_incident"
"""Internal data key on a task whose job failed after its last retry: the incident's id and error."""
NOTIFY_CHANNEL = "flowbridge_jobs"
"""PostgreSQL channel a step notifies when it writes jobs; idle workers listen on it."""
TIMER_RECHECK_SECONDS = 1.0
"""When a waiting timer's due time cannot be read, its job checks again this often."""
TASK_JOB_KINDS = ("microflow", "timer")
"""Kinds of job a task of an instance waits for: after their last retry, an incident retries them."""

_JOBS: Table = Job.__table__  # type: ignore[assignment]
_J = _JOBS.c
_INSERT = Prepared(_JOBS.insert())
_CANCEL = Prepared(
    update(_JOBS)
    .where(_J.id == bindparam("b_id"), _J.status == "queued")
    .values(status="cancelled", finished_at=bindparam("finished_at"))
)


@dataclass
class JobPlan:
    """What a step changes in the job table."""

    insert: list[dict[str, Any]] = field(default_factory=list)
    cancel: list[str] = field(default_factory=list)


def waiting_jobs(workflow: Any) -> dict[str, str]:
    """Task id → job id of every live task that waits for a job, before the step changes them."""
    found = {}
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            job_id = task.internal_data.get(JOB_ID)
            if job_id is not None and task.state & (TaskState.WAITING | TaskState.STARTED):
                found[str(task.id)] = job_id
    return found


def plan(
    workflow: Any, instance_id: str, before: dict[str, str], registry: MicroflowRegistry, now: datetime
) -> JobPlan:
    """The jobs a step must write (new async calls, new or moved timers) and cancel (waits that ended).

    Marks each task with its job's id, so the state saved in the same transaction knows it.
    """
    result = JobPlan()
    live: set[str] = set()
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            if task.state & TaskState.STARTED and ASYNC_INPUT in task.internal_data:
                result.insert.append(_microflow_job(task, instance_id, registry, now))
            elif task.state & TaskState.WAITING and _is_timer(task.task_spec):
                due = _due(task, now)
                if task.internal_data.get(JOB_DUE) != due.isoformat():
                    result.insert.append(_timer_job(task, instance_id, due, now))
            job_id = task.internal_data.get(JOB_ID)
            if job_id is not None and task.state & (TaskState.WAITING | TaskState.STARTED):
                live.add(job_id)
    result.cancel = [job_id for job_id in before.values() if job_id not in live]
    return result


def save(uow: UnitOfWork, job_plan: JobPlan, now: datetime) -> None:
    """Write a step's job plan; on PostgreSQL, wake listening workers when the transaction commits."""
    connection = uow.connection
    if job_plan.cancel:
        _CANCEL.execute_many(connection, [{"b_id": job_id, "finished_at": now} for job_id in job_plan.cancel])
    if job_plan.insert:
        _INSERT.execute_many(connection, job_plan.insert)
        if not uow.db.is_sqlite:
            connection.exec_driver_sql(f"NOTIFY {NOTIFY_CHANNEL}")


def new_job(
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    instance_id: str | None = None,
    task_id: str | None = None,
    element_id: str | None = None,
    microflow: str | None = None,
    max_attempts: int = 1,
    backoff: float = 1.0,
    timeout: float | None = None,
    due_at: datetime | None = None,
) -> dict[str, Any]:
    """A job row, ready to insert."""
    return {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "instance_id": instance_id,
        "task_id": task_id,
        "element_id": element_id,
        "microflow": microflow,
        "payload": payload,
        "status": "queued",
        "attempts": 0,
        "max_attempts": max_attempts,
        "backoff_seconds": backoff,
        "timeout_seconds": timeout,
        "due_at": due_at or now,
        "locked_by": None,
        "locked_until": None,
        "result": None,
        "error": None,
        "created_at": now,
        "finished_at": None,
    }


def _payload(
    inputs: Any, headers: dict[str, str] | None, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A microflow job's payload: its input, and the task's headers and field values when it has any."""
    payload = {"input": inputs, "headers": headers} if headers else {"input": inputs}
    return {**payload, "fields": fields} if fields else payload


def _microflow_job(task: Any, instance_id: str, registry: MicroflowRegistry, now: datetime) -> dict[str, Any]:
    spec = task.task_spec
    binding = task.workflow.script_engine.resolved(task, spec.microflow)
    flow = registry.find(binding)
    retries = binding.get("retries")
    row = new_job(
        "microflow",
        _payload(
            task.internal_data.pop(ASYNC_INPUT), binding.get("headers"), task.internal_data.get(FIELD_VALUES)
        ),
        now,
        instance_id=instance_id,
        task_id=str(task.id),
        element_id=spec.bpmn_id,
        microflow=flow.name,
        max_attempts=1 + (flow.retries if retries is None else retries),
        backoff=flow.backoff if binding.get("backoff") is None else binding["backoff"],
        timeout=flow.timeout if binding.get("timeout") is None else binding["timeout"],
    )
    task.internal_data[JOB_ID] = row["id"]
    return row


def _timer_job(task: Any, instance_id: str, due: datetime, now: datetime) -> dict[str, Any]:
    row = new_job(
        "timer",
        {},
        now,
        instance_id=instance_id,
        task_id=str(task.id),
        element_id=task.task_spec.bpmn_id,
        max_attempts=3,
        due_at=due,
    )
    task.internal_data[JOB_ID] = row["id"]
    task.internal_data[JOB_DUE] = due.isoformat()
    return row


def _is_timer(spec: Any) -> bool:
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        return True
    if isinstance(definition, MultipleEventDefinition):
        return any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions)
    return False


def _due(task: Any, now: datetime) -> datetime:
    """When a waiting timer is due, as SpiffWorkflow recorded it; soon, when it has not yet."""
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if isinstance(value, str):
        try:
            return TimerEventDefinition.get_datetime(value)
        except (TypeError, ValueError):
            pass
    return now + timedelta(seconds=TIMER_RECHECK_SECONDS)


def suspend_for_instance(uow: UnitOfWork, instance_id: str) -> list[str]:
    """Hold the instance's queued and running jobs as `suspended`; their ids.

    No worker claims a suspended job. A running one loses its lease and gives its attempt back:
    its worker's outcome is not applied (the instance refuses the step), and it runs again once
    `resume_for_instance` queues it.
    """
    rows = uow.connection.execute(
        update(_JOBS)
        .where(_J.instance_id == instance_id, _J.status.in_(("queued", "running")))
        .values(
            status="suspended",
            attempts=case((_J.status == "running", _J.attempts - 1), else_=_J.attempts),
            locked_by=None,
            locked_until=None,
        )
        .returning(_J.id)
    )
    return [row[0] for row in rows]


def resume_for_instance(uow: UnitOfWork, instance_id: str) -> list[str]:
    """Queue the instance's suspended jobs again, at their own due times (a timer that came due
    meanwhile fires at once); their ids. On PostgreSQL, listening workers wake at commit."""
    rows = uow.connection.execute(
        update(_JOBS)
        .where(_J.instance_id == instance_id, _J.status == "suspended")
        .values(status="queued")
        .returning(_J.id)
    )
    ids = [row[0] for row in rows]
    if ids and not uow.db.is_sqlite:
        uow.connection.exec_driver_sql(f"NOTIFY {NOTIFY_CHANNEL}")
    return ids


def cancel_for_instance(uow: UnitOfWork, instance_id: str, now: datetime) -> list[str]:
    """Cancel the instance's queued, running and suspended jobs; their ids. A running job's worker
    finds the instance ended and applies nothing."""
    rows = uow.connection.execute(
        update(_JOBS)
        .where(_J.instance_id == instance_id, _J.status.in_(("queued", "running", "suspended")))
        .values(status="cancelled", finished_at=now, locked_by=None, locked_until=None)
        .returning(_J.id)
    )
    return [row[0] for row in rows]
