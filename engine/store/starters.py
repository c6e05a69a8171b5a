"""Which processes a named trigger starts: the latest version of each process whose start event
catches it (a message or a signal), cached per definition."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import and_, func, select

from .database import Database
from .models import ProcessDefinition
from .unit_of_work import UnitOfWork

_D = ProcessDefinition.__table__.c

NamesOf = Callable[[UnitOfWork, int], frozenset[str]]
"""The trigger names that start a definition's process, read from its spec by definition id."""


class Starters:
    """Finds the latest definitions whose process starts with a trigger named so."""

    def __init__(self, db: Database, names_of: NamesOf) -> None:
        self.db = db
        self.names_of = names_of
        self._names: dict[int, frozenset[str]] = {}
        self._lock = threading.Lock()

    def find(self, name: str) -> list[tuple[str, int]]:
        """(key, version) of the latest definitions whose process starts with `name`, by key."""
        latest = select(_D.key, func.max(_D.version).label("version")).group_by(_D.key).subquery("latest")
        query = (
            select(_D.id, _D.key, _D.version)
            .join(latest, and_(_D.key == latest.c.key, _D.version == latest.c.version))
            .order_by(_D.key)
        )
        found = []
        with UnitOfWork(self.db) as uow:
            for definition_id, key, version in uow.connection.execute(query).all():
                names = self._names.get(definition_id)
                if names is None:
                    names = self.names_of(uow, definition_id)
                    with self._lock:
                        self._names[definition_id] = names
                if name in names:
                    found.append((key, version))
        return found
