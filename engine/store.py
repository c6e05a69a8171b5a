"""The instance store: every SQL statement of the step path, built once, run on the step's connection.

Statements are prebuilt Core statements on the typed models' tables: building a statement
costs more than running it on SQLite, and a step runs a handful of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from .errors import ConcurrentChange, NotFound
from .models import HistoryEvent, ProcessDefinition, ProcessInstance, TaskCandidate, UserTask
from .projections import OpenTask, Projection
from .uow import UnitOfWork

_INSTANCES: Table = ProcessInstance.__table__  # type: ignore[assignment]
_TASKS: Table = UserTask.__table__  # type: ignore[assignment]
_I = _INSTANCES.c
_T = _TASKS.c
_D = ProcessDefinition.__table__.c

_LATEST = (
    select(_D.id, _D.key, _D.version).where(_D.key == bindparam("key")).order_by(_D.version.desc()).limit(1)
)
_VERSION = select(_D.id, _D.key, _D.version).where(
    _D.key == bindparam("key"), _D.version == bindparam("version")
)
_LOCK = select(
    _I.id,
    _I.definition_id,
    _I.key,
    _I.version,
    _I.business_key,
    _I.revision,
    _I.status,
    _I.started_at,
).where(_I.id == bindparam("id"))
_LOCK_FOR_UPDATE = _LOCK.with_for_update()
_STATE = select(_I.state).where(_I.id == bindparam("id"))
_TASK = select(_T.instance_id, _T.status, _T.assignee, _T.candidate_users, _T.candidate_groups).where(
    _T.id == bindparam("task_id")
)
_INSERT_INSTANCE = insert(_INSTANCES)
_UPDATE_INSTANCE = (
    update(_INSTANCES)
    .where(_I.id == bindparam("b_id"), _I.revision == bindparam("b_revision"))
    .values(
        status=bindparam("status"),
        revision=bindparam("revision"),
        state=bindparam("state"),
        state_size=bindparam("state_size"),
        variables=bindparam("variables"),
        waiting=bindparam("waiting"),
        updated_at=bindparam("updated_at"),
        ended_at=bindparam("ended_at"),
    )
)
_CLOSE_TASK = (
    update(_TASKS)
    .where(_T.id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        completed_at=bindparam("completed_at"),
        completed_by=bindparam("completed_by"),
    )
)
_INSERT_TASK = insert(_TASKS)
_INSERT_CANDIDATE = insert(TaskCandidate.__table__)  # type: ignore[arg-type]
_INSERT_HISTORY = insert(HistoryEvent.__table__)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DefinitionRef:
    """A definition version's identity, without its (large) XML and spec."""

    id: int
    key: str
    version: int


@dataclass(frozen=True)
class LockedInstance:
    """An instance row read under the lock."""

    id: str
    definition_id: int
    key: str
    version: int
    business_key: str | None
    revision: int
    status: str
    started_at: datetime


@dataclass(frozen=True)
class TaskRef:
    """What the step needs to know about a user task before it changes anything."""

    instance_id: str
    status: str
    assignee: str | None
    candidate_users: list[str]
    candidate_groups: list[str]


def _conn(uow: UnitOfWork) -> Connection:
    return uow.connection


def definition(uow: UnitOfWork, key: str, version: int | None) -> DefinitionRef:
    """The latest (or the given) version of a definition."""
    if version is None:
        row = _conn(uow).execute(_LATEST, {"key": key}).first()
    else:
        row = _conn(uow).execute(_VERSION, {"key": key, "version": version}).first()
    if row is None:
        which = f" version {version}" if version is not None else ""
        raise NotFound(f"no process definition '{key}'{which} is deployed", key=key)
    return DefinitionRef(row.id, row.key, row.version)


def lock_instance(uow: UnitOfWork, instance_id: str) -> LockedInstance:
    """Read the instance row, locked for this transaction (SQLite holds the write lock already)."""
    statement = _LOCK if uow.db.is_sqlite else _LOCK_FOR_UPDATE
    row = _conn(uow).execute(statement, {"id": instance_id}).first()
    if row is None:
        raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)
    return LockedInstance(*row)


def instance_state(uow: UnitOfWork, instance_id: str) -> str:
    """The stored live state of an instance."""
    state = _conn(uow).execute(_STATE, {"id": instance_id}).scalar()
    if state is None:
        raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)
    return str(state)


def task_ref(uow: UnitOfWork, task_id: str) -> TaskRef | None:
    """A user task's instance, status and assignment."""
    row = _conn(uow).execute(_TASK, {"task_id": task_id}).first()
    return TaskRef(*row) if row is not None else None


def insert_instance(uow: UnitOfWork, values: dict[str, Any]) -> None:
    """Insert a new instance row."""
    _conn(uow).execute(_INSERT_INSTANCE, values)


def update_instance(uow: UnitOfWork, instance_id: str, old_revision: int, values: dict[str, Any]) -> None:
    """Save an instance at a new revision; refuse if another step saved it first."""
    result = _conn(uow).execute(_UPDATE_INSTANCE, {"b_id": instance_id, "b_revision": old_revision, **values})
    if result.rowcount != 1:
        raise ConcurrentChange(f"instance {instance_id} was changed concurrently", instance_id=instance_id)


def save_user_tasks(
    uow: UnitOfWork,
    instance_id: str,
    projection: Projection,
    before: set[str],
    completed: str | None,
    user: str | None,
    now: datetime,
) -> None:
    """Close user tasks that are no longer open and insert the new ones with their candidates."""
    conn = _conn(uow)
    open_now = {t.id for t in projection.user_tasks}
    closed = [
        {
            "b_id": task_id,
            "status": "completed" if task_id == completed else "cancelled",
            "completed_at": now,
            "completed_by": user if task_id == completed else None,
        }
        for task_id in before - open_now
    ]
    if closed:
        conn.execute(_CLOSE_TASK, closed)
    new = [t for t in projection.user_tasks if t.id not in before]
    if not new:
        return
    conn.execute(_INSERT_TASK, [_task_row(instance_id, t) for t in new])
    candidates = [
        {"task_id": t.id, "kind": kind, "name": name}
        for t in new
        for kind, names in (("user", t.candidate_users), ("group", t.candidate_groups))
        for name in dict.fromkeys(names)
    ]
    if candidates:
        conn.execute(_INSERT_CANDIDATE, candidates)


def _task_row(instance_id: str, task: OpenTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "instance_id": instance_id,
        "element_id": task.element_id,
        "name": task.name,
        "lane": task.lane,
        "assignee": task.assignee,
        "candidate_users": task.candidate_users,
        "candidate_groups": task.candidate_groups,
        "form": task.form,
        "variables": task.variables,
        "status": "open",
        "created_at": task.created_at,
        "completed_at": None,
        "completed_by": None,
    }


def insert_history(uow: UnitOfWork, events: list[dict[str, Any]]) -> None:
    """Append history events."""
    if events:
        _conn(uow).execute(_INSERT_HISTORY, events)
