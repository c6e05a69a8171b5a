"""Jobs: the durable outbox of the step path, and the queries workers and clients run on it.

A step that leaves an async microflow waiting, or a timer waiting, writes its job in the same
transaction as the state that needs it (`plan` below). A worker claims due jobs with one
statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL), holds them under a lease it renews, and
finishes each in the transaction that applies its outcome, so a result is applied once.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, and_, bindparam, case, or_, select, update

from .db import Database
from .errors import Conflict, NotFound
from .microflows import MicroflowRegistry
from .models import Incident, Job, as_utc, utcnow
from .scripting import ASYNC_INPUT
from .statements import Prepared
from .uow import UnitOfWork

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
_FINISH = Prepared(
    update(_JOBS)
    .where(_J.id == bindparam("b_id"), _J.status == "running")
    .values(
        status=bindparam("status"),
        result=bindparam("result"),
        error=bindparam("error"),
        finished_at=bindparam("finished_at"),
        locked_by=None,
        locked_until=None,
    )
)
_RETRY_LATER = Prepared(
    update(_JOBS)
    .where(_J.id == bindparam("b_id"), _J.status == "running")
    .values(
        status="queued",
        error=bindparam("error"),
        due_at=bindparam("due_at"),
        locked_by=None,
        locked_until=None,
    )
)
_REQUEUE = Prepared(
    update(_JOBS)
    .where(_J.id == bindparam("b_id"), _J.status == "failed")
    .values(
        status="queued",
        attempts=0,
        due_at=bindparam("due_at"),
        finished_at=None,
        locked_by=None,
        locked_until=None,
    )
)
_CLAIMED_COLUMNS = (
    _J.id,
    _J.kind,
    _J.instance_id,
    _J.task_id,
    _J.element_id,
    _J.microflow,
    _J.payload,
    _J.attempts,
    _J.max_attempts,
    _J.backoff_seconds,
    _J.timeout_seconds,
)


def _claim_statement(skip_locked: bool) -> Any:
    """Take due jobs (and jobs whose lease ran out) for a worker: built once, not per claim, since
    building it cost more than PostgreSQL spends running it."""
    now = bindparam("b_now", type_=_J.due_at.type)
    due = (
        select(_J.id)
        .where(
            or_(
                and_(_J.status == "queued", _J.due_at <= now),
                and_(_J.status == "running", _J.locked_until < now),
            )
        )
        .order_by(_J.due_at)
        .limit(bindparam("b_limit"))
    )
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    return (
        update(_JOBS)
        .where(_J.id.in_(due.scalar_subquery()))
        .values(
            status="running",
            locked_by=bindparam("b_worker"),
            locked_until=bindparam("b_until", type_=_J.locked_until.type),
            attempts=_J.attempts + 1,
        )
        .returning(*_CLAIMED_COLUMNS)
    )


_CLAIM = {"sqlite": _claim_statement(skip_locked=False), "other": _claim_statement(skip_locked=True)}
_NEXT_DUE = select(_J.due_at).where(_J.status == "queued").order_by(_J.due_at).limit(1)
_HEARTBEAT = Prepared(
    update(_JOBS)
    .where(_J.id == bindparam("b_id"), _J.status == "running", _J.locked_by == bindparam("worker"))
    .values(locked_until=bindparam("until"))
)


class JobSignal:
    """Wakes idle workers of this process when a step commits new jobs.

    A notice wakes one idle thread, not all of them: the rest would only find nothing to claim.
    A thread that claims a job notifies again, so a batch of jobs wakes as many threads as it needs.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0

    def notify(self) -> None:
        """New jobs were committed: wake one idle thread."""
        with self._condition:
            self._generation += 1
            self._condition.notify()

    def notify_all(self) -> None:
        """Wake every idle thread (workers that stop)."""
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until a generation after `seen` or the timeout; the current generation."""
        with self._condition:
            if self._generation == seen:
                self._condition.wait(timeout)
            return self._generation

    @property
    def generation(self) -> int:
        """How many times new jobs were announced."""
        return self._generation


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


def _microflow_job(task: Any, instance_id: str, registry: MicroflowRegistry, now: datetime) -> dict[str, Any]:
    spec = task.task_spec
    binding = spec.microflow
    flow = registry.get(binding["name"])
    retries = binding.get("retries")
    row = new_job(
        "microflow",
        {"input": task.internal_data.pop(ASYNC_INPUT)},
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


# -- workers' and clients' side ---------------------------------------------------------------


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker holds under its lease."""

    id: str
    kind: str
    instance_id: str | None
    task_id: str | None
    element_id: str | None
    microflow: str | None
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    backoff_seconds: float
    timeout_seconds: float | None


class JobStore:
    """Claims, renews and finishes jobs; answers job queries; retries failed jobs."""

    def __init__(self, db: Database, signal: JobSignal | None = None) -> None:
        self.db = db
        self.signal = signal
        """Notified when `retry` queues a job, so this process's idle workers wake at once."""
        self.retry_incident: Callable[[str], dict[str, Any]] | None = None
        """Retries an open incident (the Engine sets `IncidentService.retry`); `retry` delegates to it."""

    def claim(self, worker: str, limit: int, lease_seconds: float) -> list[ClaimedJob]:
        """Take up to `limit` due jobs (and jobs whose worker's lease ran out) for `worker`."""
        return self.claim_or_next_due(worker, limit, lease_seconds)[0]

    def claim_or_next_due(
        self, worker: str, limit: int, lease_seconds: float
    ) -> tuple[list[ClaimedJob], datetime | None]:
        """`claim`; when nothing was due, also when the earliest queued job is (in the same transaction,
        so an idle worker learns how long to sleep without another round trip)."""
        now = utcnow()
        params = {
            "b_now": now,
            "b_limit": limit,
            "b_worker": worker,
            "b_until": now + timedelta(seconds=lease_seconds),
        }
        statement = _CLAIM["sqlite" if self.db.is_sqlite else "other"]
        due = None
        with UnitOfWork(self.db, write=True) as uow:
            rows = uow.connection.execute(statement, params).all()
            if not rows:
                due = uow.connection.execute(_NEXT_DUE).scalar()
            uow.commit()
        return [ClaimedJob(*row) for row in rows], (as_utc(due) if due is not None else None)

    def next_due(self) -> datetime | None:
        """When the earliest queued job is due."""
        with UnitOfWork(self.db) as uow:
            due = uow.connection.execute(_NEXT_DUE).scalar()
        return as_utc(due) if due is not None else None

    def heartbeat(self, worker: str, job_ids: list[str], lease_seconds: float) -> None:
        """Extend the lease of the jobs `worker` is running."""
        if not job_ids:
            return
        until = utcnow() + timedelta(seconds=lease_seconds)
        with UnitOfWork(self.db, write=True) as uow:
            _HEARTBEAT.execute_many(
                uow.connection, [{"b_id": job_id, "worker": worker, "until": until} for job_id in job_ids]
            )
            uow.commit()

    def get(self, job_id: str) -> dict[str, Any]:
        """A job as `GET /api/jobs/{id}` shows it."""
        with UnitOfWork(self.db) as uow:
            row = uow.session.get(Job, job_id)
            if row is None:
                raise NotFound(f"no job {job_id}", job_id=job_id)
            return job_view(row)

    def retry(self, job_id: str) -> dict[str, Any]:
        """Run a failed job again; the job that will run, as `get` shows it.

        A job behind an open incident is retried through the incident (its instance's task gets
        a new job, whose view this returns). Any other failed job (a microflow called alone, a
        timer start, a thrown message) is queued again, due now, with fresh attempts; its last
        error stays until it runs. A job that is not failed is a Conflict.
        """
        with UnitOfWork(self.db, write=True) as uow:
            row = uow.session.get(Job, job_id)
            if row is None:
                raise NotFound(f"no job {job_id}", job_id=job_id)
            if row.status != "failed":
                raise Conflict(
                    f"job {job_id} is {row.status}, only failed jobs can be retried",
                    job_id=job_id,
                    status=row.status,
                )
            incident_id = uow.session.scalars(
                select(Incident.id).where(Incident.job_id == job_id, Incident.status == "open")
            ).first()
            if incident_id is None:
                if row.instance_id is not None and row.kind in TASK_JOB_KINDS:
                    raise Conflict(
                        f"job {job_id} failed and has no open incident (it was retried already, or "
                        f"instance {row.instance_id} no longer waits for it)",
                        job_id=job_id,
                        instance_id=row.instance_id,
                    )
                requeued = _REQUEUE.execute(uow.connection, {"b_id": job_id, "due_at": utcnow()})
                if requeued != 1:
                    raise Conflict(f"job {job_id} was retried concurrently", job_id=job_id)
                if not self.db.is_sqlite:
                    uow.connection.exec_driver_sql(f"NOTIFY {NOTIFY_CHANNEL}")
                uow.commit()
        if incident_id is not None:
            if self.retry_incident is None:
                raise Conflict(f"job {job_id} has open incident {incident_id}: retry the incident")
            retried = self.retry_incident(incident_id)
            return self.get(retried.get("retry_job_id") or job_id)
        if self.signal is not None:
            self.signal.notify()
        return self.get(job_id)

    def for_instance(self, uow: UnitOfWork, instance_id: str) -> list[dict[str, Any]]:
        """The instance's jobs that are not finished, earliest due first."""
        rows = uow.session.scalars(
            select(Job)
            .where(
                Job.instance_id == instance_id, Job.status.in_(("queued", "running", "suspended", "failed"))
            )
            .order_by(Job.due_at)
        ).all()
        return [job_view(r) for r in rows]


def finish(
    uow: UnitOfWork, job: ClaimedJob, status: str, result: Any = None, error: str | None = None
) -> bool:
    """Mark a running job finished inside `uow`; False when it is no longer this worker's to finish."""
    changed = _FINISH.execute(
        uow.connection,
        {"b_id": job.id, "status": status, "result": result, "error": error, "finished_at": utcnow()},
    )
    return changed == 1


def retry_later(uow: UnitOfWork, job: ClaimedJob, error: str) -> datetime:
    """Queue a failed attempt again after its backoff (doubling with each attempt); when it is due."""
    delay = job.backoff_seconds * (2 ** max(0, job.attempts - 1))
    due = utcnow() + timedelta(seconds=delay)
    _RETRY_LATER.execute(uow.connection, {"b_id": job.id, "error": error, "due_at": due})
    return due


def job_view(row: Job) -> dict[str, Any]:
    """The API's shape of a job."""
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "instance_id": row.instance_id,
        "task_id": row.task_id,
        "element_id": row.element_id,
        "microflow": row.microflow,
        "attempts": row.attempts,
        "max_attempts": row.max_attempts,
        "due_at": as_utc(row.due_at).isoformat(),
        "result": row.result,
        "error": row.error,
        "created_at": as_utc(row.created_at).isoformat(),
        "finished_at": as_utc(row.finished_at).isoformat() if row.finished_at else None,
    }


# -- all of one instance's jobs at once (engine.lifecycle: suspend, resume, terminate) ---------------


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
