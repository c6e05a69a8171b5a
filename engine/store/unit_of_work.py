"""The unit of work: one transaction; leaving the block without `commit()` rolls everything back."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, RootTransaction
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..errors import ConcurrentChange, DatabaseUnavailable
from .database import Database


class UnitOfWork:
    """`with UnitOfWork(db, write=True) as uow: ...; uow.commit()` — the only place that commits.

    The transaction lives on a Core connection: the step path runs prebuilt statements on it
    directly, and an ORM session is bound to it only when a caller asks for one.
    """

    def __init__(self, db: Database, write: bool = False) -> None:
        self.db = db
        self.write = write
        self.committed = False
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._session: Session | None = None

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for Core statements on the hot path."""
        if self._connection is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._connection

    @property
    def session(self) -> Session:
        """An ORM session inside this unit of work's transaction."""
        if self._session is None:
            self._session = self.db.session(self.connection)
        return self._session

    def __enter__(self) -> UnitOfWork:
        try:
            self._connection = self.db.connect(self.write)
            self._transaction = self._connection.begin()
        except DBAPIError as exc:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            raise _translate(exc) from exc
        return self

    def commit(self) -> None:
        """Commit the transaction (flushing the session first, if one was used)."""
        if self._transaction is None:
            raise RuntimeError("unit of work used outside its `with` block")
        try:
            if self._session is not None:
                self._session.flush()
            self._transaction.commit()
        except DBAPIError as exc:
            self._transaction.rollback()
            raise _translate(exc) from exc
        self.committed = True

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection, transaction, session = self._connection, self._transaction, self._session
        self._connection = self._transaction = self._session = None
        if connection is None:
            return
        try:
            if session is not None:
                session.close()
            if transaction is not None and transaction.is_active:
                transaction.rollback()
        finally:
            connection.close()
        if isinstance(exc, DBAPIError):
            raise _translate(exc) from exc


def _translate(exc: DBAPIError) -> Exception:
    """Database errors a caller can act on become engine errors; the rest propagate unchanged."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = message.lower()
    if "database is locked" in lowered or "could not serialize" in lowered or "deadlock" in lowered:
        return ConcurrentChange(f"the instance was changed concurrently: {message}")
    if isinstance(exc, IntegrityError) and ("unique" in lowered or "duplicate key" in lowered):
        # Two transactions inserted the same key at once (two deployments of one new version).
        return ConcurrentChange(f"a concurrent change wrote the same row: {message}")
    if (isinstance(exc, OperationalError) and exc.connection_invalidated) or "connect" in lowered:
        return DatabaseUnavailable(f"the database is unavailable: {message}")
    return exc
