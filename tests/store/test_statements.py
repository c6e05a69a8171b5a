"""Prepared statements store and read exactly what the ORM does, and report driver errors as SQLAlchemy's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from engine import Engine
from engine.store import UnitOfWork
from engine.store.models import HistoryEvent
from engine.store.statements import Prepared

_HISTORY = HistoryEvent.__table__
_INSERT = Prepared(insert(_HISTORY))
_READ = Prepared(
    select(_HISTORY.c.at, _HISTORY.c.data, _HISTORY.c.kind).where(_HISTORY.c.instance_id == bindparam("i"))
)


def _event(instance_id: str, **extra: object) -> dict[str, object]:
    return {
        "instance_id": instance_id,
        "at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "kind": "k",
        "element_id": None,
        "element_name": None,
        "element_type": None,
        "task_id": None,
        "user": None,
        "data": {"nested": [1, "two", None]},
        **extra,
    }


def test_round_trip_matches_the_orm(engine: Engine) -> None:
    with UnitOfWork(engine.db, write=True) as uow:
        _INSERT.execute_many(uow.connection, [_event("a"), _event("a", kind="second")])
        uow.commit()
    with UnitOfWork(engine.db) as uow:
        row = _READ.first(uow.connection, {"i": "a"})
        orm = uow.session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == "a")).all()
        assert _READ.first(uow.connection, {"i": "missing"}) is None
    assert row is not None
    at, data, kind = row
    assert data == {"nested": [1, "two", None]} and kind == "k"
    assert at.replace(tzinfo=UTC) == datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert (orm[0].at, orm[0].data, orm[0].kind) == (at, data, kind)
    assert [o.kind for o in orm] == ["k", "second"]


def test_driver_errors_become_sqlalchemy_errors(engine: Engine) -> None:
    with UnitOfWork(engine.db, write=True) as uow:
        _INSERT.execute(uow.connection, {**_event("b"), "id": 7})
        with pytest.raises(IntegrityError):
            _INSERT.execute(uow.connection, {**_event("b"), "id": 7})
