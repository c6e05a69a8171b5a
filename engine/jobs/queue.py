"""The job queue: workers claim due jobs, renew their leases and finish them; clients query jobs.

A worker claims due jobs with one statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL), holds them
under a lease it renews, and finishes each in the transaction that applies its outcome, so a
result is applied once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, or_, select, update

from ..accounts.service import Principal
from ..accounts.visibility import check_may_see_job
from ..errors import Conflict, NotFound
from ..store.database import Database
from ..store.models import Incident, Job, as_utc, utcnow
from ..store.statements import Prepared
from ..store.unit_of_work import UnitOfWork
from .outbox import NOTIFY_CHANNEL, TASK_JOB_KINDS
from .signal import JobSignal

_JOBS: Table = Job.__table__  # type: ignore[assignment]
_J = _JOBS.c
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

    def __init__(
        self,
        db: Database,
        signal: JobSignal | None = None,
        retry_incident: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        self.db = db
        self.signal = signal
        """Notified when `retry` queues a job, so this process's idle workers wake at once."""
        self.retry_incident = retry_incident
        """Retries an open incident (`IncidentService.retry`); `retry` of a job behind one delegates to it."""

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

    def get(self, job_id: str, viewer: Principal | None = None) -> dict[str, Any]:
        """A job as `GET /api/jobs/{id}` shows it; with `viewer`, only one they may see (NotFound
        otherwise): a job of an instance they see, or a microflow call of theirs (DESIGN §6a)."""
        with UnitOfWork(self.db) as uow:
            row = uow.session.get(Job, job_id)
            if row is None:
                raise NotFound(f"no job {job_id}", job_id=job_id)
            caller = row.payload.get("user") if isinstance(row.payload, dict) else None
            check_may_see_job(uow, job_id, row.instance_id, caller, viewer)
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
