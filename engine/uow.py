"""The unit of work: one transaction; leaving the block without `commit()` rolls everything back."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from .db import Database
from .errors import ConcurrentChange, DatabaseUnavailable


class UnitOfWork:
    """`with UnitOfWork(db, write=True) as uow: ...; uow.commit()` — the only place that commits."""

    def __init__(self, db: Database, write: bool = False) -> None:
        self.db = db
        self.write = write
        self.committed = False
        self._session: Session | None = None
        self._connection: Connection | None = None

    @property
    def session(self) -> Session:
        """The session of this unit of work."""
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for Core statements on the hot path."""
        if self._connection is None:
            self._connection = self.session.connection()
        return self._connection

    def __enter__(self) -> UnitOfWork:
        try:
            self._session = self.db.session(self.write)
        except OperationalError as exc:
            raise _translate(exc) from exc
        return self

    def commit(self) -> None:
        """Commit the transaction."""
        try:
            self.session.commit()
        except DBAPIError as exc:
            self.session.rollback()
            raise _translate(exc) from exc
        self.committed = True

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self._session
        self._session = None
        self._connection = None
        if session is None:
            return
        try:
            if not self.committed:
                session.rollback()
        finally:
            session.close()
        if isinstance(exc, DBAPIError):
            raise _translate(exc) from exc


def _translate(exc: DBAPIError) -> Exception:
    """Database errors a caller can act on become engine errors; the rest propagate unchanged."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = message.lower()
    if "database is locked" in lowered or "could not serialize" in lowered or "deadlock" in lowered:
        return ConcurrentChange(f"the instance was changed concurrently: {message}")
    if (isinstance(exc, OperationalError) and exc.connection_invalidated) or "connect" in lowered:
        return DatabaseUnavailable(f"the database is unavailable: {message}")
    return exc
