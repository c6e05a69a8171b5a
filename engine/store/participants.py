"""Who takes part in an instance (DESIGN §6a): the rows behind "a non-administrator sees an
instance only when they started it or have or had a task in it".

The step path adds rows as people come to an instance (its starter; a new task's assignee and
candidates; a claim; a completion) and never removes them. Each row carries its instance's start
time, so a user's instance list pages newest first from the `(kind, name, started_at)` index
alone — filtered in the database, never page by page, and without reading the instances it skips.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from .models import InstanceParticipant, ProcessInstance
from .statements import Prepared
from .unit_of_work import UnitOfWork

_TABLE: Table = InstanceParticipant.__table__  # type: ignore[assignment]
_P = _TABLE.c
# A row already there is skipped: people come back to an instance many times.
_ADD = {
    "sqlite": Prepared(sqlite.insert(_TABLE).on_conflict_do_nothing()),
    "postgresql": Prepared(postgresql.insert(_TABLE).on_conflict_do_nothing()),
}

Row = dict[str, Any]
"""One participant row: `instance_id`, `kind` (`user` or `group`), `name` and `started_at`."""


class People:
    """The participant rows one step adds to one instance."""

    def __init__(self, instance_id: str, started_at: datetime) -> None:
        self.instance_id = instance_id
        self.started_at = started_at
        self.rows: dict[tuple[str, str], Row] = {}

    def user(self, name: str | None) -> None:
        """A user who takes part (None: nobody)."""
        if name:
            self._add("user", name)

    def task(self, assignee: str | None, users: Iterable[str], groups: Iterable[str]) -> None:
        """The people a user task is given or offered to (a lane is offered as its candidates:
        its owners, or the group named like it)."""
        self.user(assignee)
        for name in users:
            self._add("user", name)
        for name in groups:
            self._add("group", name)

    def _add(self, kind: str, name: str) -> None:
        self.rows.setdefault(
            (kind, name),
            {"instance_id": self.instance_id, "kind": kind, "name": name, "started_at": self.started_at},
        )

    def save(self, uow: UnitOfWork) -> None:
        """Record them in the step's transaction; ones already recorded are skipped."""
        if self.rows:
            _ADD[uow.connection.dialect.name].execute_many(uow.connection, list(self.rows.values()))


def _who(user_name: str, groups: Sequence[str]) -> ColumnElement[bool]:
    clause: ColumnElement[bool] = and_(_P.kind == "user", _P.name == user_name)
    if groups:
        clause = or_(clause, and_(_P.kind == "group", _P.name.in_(list(groups))))
    return clause


def visible_to(
    user_name: str, groups: Sequence[str], instance_id: Any = ProcessInstance.id
) -> ColumnElement[bool]:
    """The instances `user_name` (a member of `groups`) takes part in, as a WHERE clause on the
    column `instance_id` names them by (`process_instances.id` unless another table's is given);
    the database answers it from the participants' index."""
    return instance_id.in_(select(_P.instance_id).where(_who(user_name, groups)))


def page(
    user_name: str, groups: Sequence[str], filters: Sequence[ColumnElement[bool]], limit: int, offset: int
) -> tuple[Select[Any], Select[Any]]:
    """The ids of a page of the instances `user_name` takes part in, newest first, and their count
    (the two queries), with `filters` on `process_instances` (which only then is joined)."""
    ids = select(_P.instance_id, _P.started_at).where(_who(user_name, groups))
    count = select(func.count(func.distinct(_P.instance_id))).where(_who(user_name, groups))
    if filters:
        joined = ProcessInstance.id == _P.instance_id
        ids = ids.join(ProcessInstance.__table__, joined).where(*filters)
        count = count.join_from(_TABLE, ProcessInstance.__table__, joined).where(*filters)
    ids = ids.distinct().order_by(_P.started_at.desc(), _P.instance_id.desc()).limit(limit).offset(offset)
    return ids, count


def takes_part(uow: UnitOfWork, instance_id: str, user_name: str, groups: Sequence[str]) -> bool:
    """Whether `user_name` (a member of `groups`) takes part in the instance."""
    return outsiders(uow, [instance_id], user_name, groups) == 0


def outsiders(uow: UnitOfWork, instance_ids: Sequence[str], user_name: str, groups: Sequence[str]) -> int:
    """How many of these instances `user_name` (a member of `groups`) takes no part in."""
    wanted = list(dict.fromkeys(instance_ids))
    inside: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(_P.instance_id).where(_P.instance_id.in_(chunk), _who(user_name, groups)).distinct()
        inside.update(uow.connection.execute(query).scalars())
    return len(wanted) - len(inside)
