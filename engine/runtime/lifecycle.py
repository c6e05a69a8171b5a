"""An instance's lifecycle: suspend, resume and terminate (DESIGN §5), each in one unit of work.

They change what may happen to an instance, not where its workflow stands, so they do not run
`RuntimeService.step`: they follow its pattern without restoring the workflow. Each locks the
instance row, checks its status under the lock, writes the row at the next revision (so a
workflow cached at the old one is never reused), its tasks, jobs and a history event, and
commits once. The semantics are Camunda's:

- **suspend** (a `running`, `waiting` or `incident` instance): status `suspended`. Nothing changes
  it until it is resumed: every step refuses it (`InstanceSuspended`, a 409), so its tasks cannot
  be completed or claimed, its incidents not retried, and messages pass it by (it is no receiver:
  see engine.messages). Its tasks stay in the task lists, as Camunda lists suspended tasks. Its
  queued and running jobs become `suspended`: no worker claims them, and a worker that was
  running one when the instance was suspended finds the step refused, so its outcome is dropped;
  the job gives that attempt back and runs again after resume.
- **resume** (a `suspended` instance): the status it would have had, recomputed from its saved
  waits (`incident` when one of them is, else `waiting`); its suspended jobs are queued again at
  their own due times (a timer that came due meanwhile fires at once), and workers are woken.
- **terminate** (any instance that has not ended, suspended ones too): status `terminated`,
  `ended_at` set, no waits. Its open user tasks close as `cancelled` (they leave the task lists;
  completing one is a 409), its queued, running and suspended jobs are cancelled, its message
  subscriptions removed and its open incidents resolved (nothing is left to retry; the
  `instance_terminated` event names them). The stored workflow state is kept as it
  was, for inspection; no step runs on an ended instance.

Each records `instance_suspended`, `instance_resumed` or `instance_terminated` with the user
(and, for terminate, the reason and `stopped_at`, the elements it stood at).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, select, update

from .. import jobs
from ..errors import InstanceNotInState, InvalidInput
from ..store import instance_rows
from ..store.models import Incident, Job, MessageSubscription, SignalSubscription, utcnow
from ..store.unit_of_work import UnitOfWork
from .projections import status_of

if TYPE_CHECKING:
    from .service import RuntimeService

SUSPENDABLE = ("running", "waiting", "incident")
"""Statuses an instance can be suspended from."""
ENDED = ("completed", "terminated")
"""Statuses of instances that nothing changes any more."""
MAX_REASON = 2000
"""The longest termination reason kept in the history."""

_INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]
_SUBSCRIPTIONS: Table = MessageSubscription.__table__  # type: ignore[assignment]
_SIGNAL_SUBSCRIPTIONS: Table = SignalSubscription.__table__  # type: ignore[assignment]


def suspend(runtime: RuntimeService, instance_id: str, user: str | None = None) -> dict[str, Any]:
    """Suspend a running, waiting or incident instance; the instance as `runtime.get` shows it."""
    now = utcnow()
    with UnitOfWork(runtime.db, write=True) as uow:
        locked = instance_rows.lock_instance(uow, instance_id)
        if locked.status not in SUSPENDABLE:
            raise _not_in_state(locked, "only a running, waiting or incident instance can be suspended")
        held = jobs.suspend_for_instance(uow, instance_id)
        instance_rows.set_instance_status(uow, locked, {"status": "suspended", "updated_at": now})
        instance_rows.insert_history(
            uow, [_event(instance_id, "instance_suspended", user, now, previous=locked.status, jobs=held)]
        )
        uow.commit()
    runtime.cache.drop(instance_id)
    return runtime.get(instance_id)


def resume(runtime: RuntimeService, instance_id: str, user: str | None = None) -> dict[str, Any]:
    """Resume a suspended instance with the status its waits give it, and queue its jobs again."""
    now = utcnow()
    with UnitOfWork(runtime.db, write=True) as uow:
        locked = instance_rows.lock_instance(uow, instance_id)
        if locked.status != "suspended":
            raise _not_in_state(locked, "only a suspended instance can be resumed")
        status = status_of(instance_rows.instance_waiting(uow, instance_id))
        queued = jobs.resume_for_instance(uow, instance_id)
        instance_rows.set_instance_status(uow, locked, {"status": status, "updated_at": now})
        instance_rows.insert_history(
            uow, [_event(instance_id, "instance_resumed", user, now, status=status, jobs=queued)]
        )
        uow.commit()
    runtime.cache.drop(instance_id)
    if queued:
        runtime.signal.notify()
    return runtime.get(instance_id)


def terminate(
    runtime: RuntimeService, instance_id: str, user: str | None = None, reason: str | None = None
) -> dict[str, Any]:
    """End an instance that has not ended: close its tasks, cancel its jobs, drop its waits."""
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("a termination reason must be text")
    reason = reason[:MAX_REASON] if reason else None
    now = utcnow()
    with UnitOfWork(runtime.db, write=True) as uow:
        locked = instance_rows.lock_instance(uow, instance_id)
        if locked.status in ENDED:
            raise _not_in_state(locked, "it has ended already")
        tasks = instance_rows.cancel_open_tasks(uow, instance_id, now)
        cancelled = jobs.cancel_for_instance(uow, instance_id, now)
        stopped = _stopped_at(uow, instance_id, cancelled)
        incidents = _resolve_incidents(uow, instance_id, now)
        for table in (_SUBSCRIPTIONS, _SIGNAL_SUBSCRIPTIONS):
            uow.connection.execute(delete(table).where(table.c.instance_id == instance_id))
        instance_rows.set_instance_status(
            uow,
            locked,
            {"status": "terminated", "waiting": [], "updated_at": now, "ended_at": now},
        )
        event = _event(
            instance_id,
            "instance_terminated",
            user,
            now,
            reason=reason,
            previous=locked.status,
            stopped_at=stopped,
            tasks=tasks,
            jobs=cancelled,
            incidents=incidents,
        )
        instance_rows.insert_history(uow, [event])
        uow.commit()
    runtime.cache.drop(instance_id)
    return runtime.get(instance_id)


def _stopped_at(uow: UnitOfWork, instance_id: str, cancelled_jobs: list[str]) -> list[str]:
    """The elements a terminated instance stood at (its diagram shows them): its saved waits'
    and its cancelled jobs' (a waiting timer is known by its job)."""
    ids = [w.get("element_id") for w in instance_rows.instance_waiting(uow, instance_id)]
    if cancelled_jobs:
        ids += uow.session.scalars(select(Job.element_id).where(Job.id.in_(cancelled_jobs))).all()
    return list(dict.fromkeys(i for i in ids if isinstance(i, str) and i))


def _resolve_incidents(uow: UnitOfWork, instance_id: str, now: datetime) -> list[str]:
    """Resolve the instance's open incidents (nothing is left to retry); their ids."""
    c = _INCIDENTS.c
    rows = uow.connection.execute(
        update(_INCIDENTS)
        .where(c.instance_id == instance_id, c.status == "open")
        .values(status="resolved", resolved_at=now)
        .returning(c.id)
    )
    return [row[0] for row in rows]


def _not_in_state(locked: instance_rows.LockedInstance, why: str) -> InstanceNotInState:
    return InstanceNotInState(
        f"instance {locked.id} is {locked.status}: {why}",
        instance_id=locked.id,
        status=locked.status,
    )


def _event(instance_id: str, kind: str, user: str | None, now: datetime, **data: Any) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "at": now,
        "kind": kind,
        "element_id": None,
        "element_name": None,
        "element_type": None,
        "task_id": None,
        "user": user,
        "data": data,
    }
