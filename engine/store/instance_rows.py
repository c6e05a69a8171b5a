"""The instance rows: every SQL statement of the step path, built once, run on the step's connection.

Statements are Core statements on the typed models' tables, prepared once (`statements`):
SQLAlchemy's per-execution work costs more than SQLite spends running them, and a step runs
a handful of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from ..errors import ConcurrentChange, NotFound
from . import participants
from .models import HistoryEvent, ProcessDefinition, ProcessInstance, TaskCandidate, UserTask
from .statements import Prepared
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:  # the runtime derives them from a step; the store only writes them
    from ..runtime.projections import OpenTask, Projection

_INSTANCES: Table = ProcessInstance.__table__  # type: ignore[assignment]
_TASKS: Table = UserTask.__table__  # type: ignore[assignment]
_I = _INSTANCES.c
_T = _TASKS.c
_D = ProcessDefinition.__table__.c

_LATEST = Prepared(
    select(_D.id, _D.key, _D.version).where(_D.key == bindparam("key")).order_by(_D.version.desc()).limit(1)
)
_VERSION = Prepared(
    select(_D.id, _D.key, _D.version).where(_D.key == bindparam("key"), _D.version == bindparam("version"))
)
_LOCKED_COLUMNS = (
    _I.id,
    _I.definition_id,
    _I.key,
    _I.version,
    _I.business_key,
    _I.revision,
    _I.status,
    _I.started_at,
)
_LOCK_SELECT = select(*_LOCKED_COLUMNS).where(_I.id == bindparam("id"))
_LOCK = Prepared(_LOCK_SELECT)
_LOCK_FOR_UPDATE = Prepared(_LOCK_SELECT.with_for_update())
_LOCK_BY_TASK_SELECT = (
    select(*_LOCKED_COLUMNS, _T.status, _T.assignee, _T.candidate_users, _T.candidate_groups)
    .join_from(_TASKS, _INSTANCES, _T.instance_id == _I.id)
    .where(_T.id == bindparam("task_id"))
)
_LOCK_BY_TASK = Prepared(_LOCK_BY_TASK_SELECT)
_LOCK_BY_TASK_FOR_UPDATE = Prepared(_LOCK_BY_TASK_SELECT.with_for_update(of=_INSTANCES))
_STATE = Prepared(select(_I.state).where(_I.id == bindparam("id")))
_INSERT_INSTANCE = Prepared(insert(_INSTANCES))
_UPDATE_INSTANCE = Prepared(
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
_CLOSE_TASK = Prepared(
    update(_TASKS)
    .where(_T.id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        completed_at=bindparam("completed_at"),
        completed_by=bindparam("completed_by"),
    )
)
_SET_ASSIGNEE = Prepared(
    update(_TASKS)
    .where(_T.id == bindparam("b_id"), _T.status == "open")
    .values(assignee=bindparam("assignee"))
)
_SET_CANDIDATES_ASSIGNED = Prepared(
    update(TaskCandidate.__table__)  # type: ignore[arg-type]
    .where(TaskCandidate.__table__.c.task_id == bindparam("b_id"))
    .values(assigned=bindparam("assigned"))
)
_SET_TASK_VARIABLES = Prepared(
    update(_TASKS)
    .where(_T.id == bindparam("b_id"), _T.status == "open")
    .values(variables=bindparam("variables"))
)
_INSERT_TASK = Prepared(insert(_TASKS))
_INSERT_CANDIDATE = Prepared(insert(TaskCandidate.__table__))  # type: ignore[arg-type]
_DROP_CANDIDATES = Prepared(
    delete(TaskCandidate.__table__).where(TaskCandidate.__table__.c.task_id == bindparam("b_id"))  # type: ignore[arg-type]
)
_INSERT_HISTORY = Prepared(insert(HistoryEvent.__table__))  # type: ignore[arg-type]


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

    status: str
    assignee: str | None
    candidate_users: list[str]
    candidate_groups: list[str]


def _conn(uow: UnitOfWork) -> Connection:
    return uow.connection


def definition(uow: UnitOfWork, key: str, version: int | None) -> DefinitionRef:
    """The latest (or the given) version of a definition."""
    if version is None:
        row = _LATEST.first(_conn(uow), {"key": key})
    else:
        row = _VERSION.first(_conn(uow), {"key": key, "version": version})
    if row is None:
        which = f" version {version}" if version is not None else ""
        raise NotFound(f"no process definition '{key}'{which} is deployed", key=key)
    return DefinitionRef(*row)


def lock_instance(uow: UnitOfWork, instance_id: str) -> LockedInstance:
    """Read the instance row, locked for this transaction (SQLite holds the write lock already)."""
    statement = _LOCK if uow.db.is_sqlite else _LOCK_FOR_UPDATE
    row = statement.first(_conn(uow), {"id": instance_id})
    if row is None:
        raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)
    return LockedInstance(*row)


def instance_state(uow: UnitOfWork, instance_id: str) -> str:
    """The stored live state of an instance."""
    row = _STATE.first(_conn(uow), {"id": instance_id})
    state = None if row is None else row[0]
    if state is None:
        raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)
    return str(state)


def lock_task_instance(uow: UnitOfWork, task_id: str) -> tuple[LockedInstance, TaskRef]:
    """A user task and its instance row, the instance locked, in one statement.

    On PostgreSQL the task's columns may predate a completion that committed while this
    statement waited for the lock; the step sees that in the restored workflow instead.
    """
    statement = _LOCK_BY_TASK if uow.db.is_sqlite else _LOCK_BY_TASK_FOR_UPDATE
    row = statement.first(_conn(uow), {"task_id": task_id})
    if row is None:
        raise NotFound(f"no user task {task_id}", task_id=task_id)
    split = len(_LOCKED_COLUMNS)
    return LockedInstance(*row[:split]), TaskRef(*row[split:])


def insert_instance(uow: UnitOfWork, values: dict[str, Any]) -> None:
    """Insert a new instance row."""
    _INSERT_INSTANCE.execute(_conn(uow), values)


def update_instance(uow: UnitOfWork, instance_id: str, old_revision: int, values: dict[str, Any]) -> None:
    """Save an instance at a new revision; refuse if another step saved it first."""
    params = {"b_id": instance_id, "b_revision": old_revision, **values}
    changed = _UPDATE_INSTANCE.execute(_conn(uow), params)
    if changed != 1:
        raise ConcurrentChange(f"instance {instance_id} was changed concurrently", instance_id=instance_id)


def save_user_tasks(
    uow: UnitOfWork,
    instance_id: str,
    projection: Projection,
    before: set[str],
    completed: str | None,
    user: str | None,
    now: datetime,
    started_at: datetime,
) -> None:
    """Close user tasks that are no longer open and insert the new ones with their candidates.

    When the step wrote process variables, the tasks that stay open show them too (DESIGN §2a).
    """
    conn = _conn(uow)
    people = participants.People(instance_id, started_at)
    people.user(user)
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
        _CLOSE_TASK.execute_many(conn, closed)
        # Candidate rows index open tasks only: "my tasks" then costs what is open, not all history.
        _DROP_CANDIDATES.execute_many(conn, [{"b_id": row["b_id"]} for row in closed])
    if projection.variables_written:
        still_open = [
            {"b_id": t.id, "variables": t.variables} for t in projection.user_tasks if t.id in before
        ]
        if still_open:
            _SET_TASK_VARIABLES.execute_many(conn, still_open)
    new = [t for t in projection.user_tasks if t.id not in before]
    for task in new:
        people.task(task.assignee, task.candidate_users, task.candidate_groups)
    # The one who acts (starts, completes, claims) takes part, and so does everyone offered a new task.
    people.save(uow)
    if not new:
        return
    _INSERT_TASK.execute_many(conn, [_task_row(instance_id, t) for t in new])
    candidates = [
        {
            "task_id": t.id,
            "kind": kind,
            "name": name,
            "assigned": t.assignee is not None,
            "created_at": t.created_at,
        }
        for t in new
        for kind, names in (("user", t.candidate_users), ("group", t.candidate_groups))
        for name in dict.fromkeys(names)
    ]
    if candidates:
        _INSERT_CANDIDATE.execute_many(conn, candidates)


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
        "open_to_all": not task.candidate_users and not task.candidate_groups,
        "form": task.form,
        "variables": task.variables,
        "status": "open",
        "created_at": task.created_at,
        "completed_at": None,
        "completed_by": None,
        "due_at": task.due_at,
        "follow_up_at": task.follow_up_at,
        "priority": task.priority,
    }


def insert_history(uow: UnitOfWork, events: list[dict[str, Any]]) -> None:
    """Append history events."""
    if events:
        _INSERT_HISTORY.execute_many(_conn(uow), events)


def history_row(
    instance_id: str, kind: str, element: str | None, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A history event that no task's state change makes (a message or signal thrown, say)."""
    return {
        "instance_id": instance_id,
        "at": now,
        "kind": kind,
        "element_id": element,
        "element_name": None,
        "element_type": None,
        "task_id": None,
        "user": None,
        "data": data,
    }


def set_task_assignee(uow: UnitOfWork, locked: LockedInstance, task_id: str, assignee: str | None) -> None:
    """Rewrite an open task's assignee (a claim, or its undoing, that a step applied)."""
    conn = _conn(uow)
    _SET_ASSIGNEE.execute(conn, {"b_id": task_id, "assignee": assignee})
    _SET_CANDIDATES_ASSIGNED.execute(conn, {"b_id": task_id, "assigned": assignee is not None})
    people = participants.People(locked.id, locked.started_at)
    people.user(assignee)
    people.save(uow)


# -- an instance's lifecycle (engine.lifecycle): changes that do not advance its workflow -------------


def instance_waiting(uow: UnitOfWork, instance_id: str) -> list[dict[str, Any]]:
    """The instance's saved waits (the projection `RuntimeService.step` wrote)."""
    waiting = uow.connection.execute(select(_I.waiting).where(_I.id == instance_id)).scalar()
    return list(waiting or [])


def set_instance_status(uow: UnitOfWork, locked: LockedInstance, values: dict[str, Any]) -> int:
    """Save a new status (and `ended_at`, `waiting`, ...) at the next revision; the new revision.

    The state is not touched, but the revision moves on, so a workflow cached at the old one is
    never reused, and a step that read the old row fails cleanly instead of overwriting it.
    """
    revision = locked.revision + 1
    changed = uow.connection.execute(
        update(_INSTANCES)
        .where(_I.id == locked.id, _I.revision == locked.revision)
        .values(revision=revision, **values)
    ).rowcount
    if changed != 1:
        raise ConcurrentChange(f"instance {locked.id} was changed concurrently", instance_id=locked.id)
    return revision


def cancel_open_tasks(uow: UnitOfWork, instance_id: str, now: datetime) -> list[str]:
    """Close the instance's open user tasks as `cancelled`; their ids."""
    conn = _conn(uow)
    which = (_T.instance_id == instance_id, _T.status == "open")
    ids = list(conn.execute(select(_T.id).where(*which)).scalars())
    if ids:
        conn.execute(
            update(_TASKS).where(*which).values(status="cancelled", completed_at=now, completed_by=None)
        )
        _DROP_CANDIDATES.execute_many(conn, [{"b_id": task_id} for task_id in ids])
    return ids
