"""The database: one SQLAlchemy engine per Engine, with SQLite set up for safe concurrent writers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy import Engine as SqlEngine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_SECONDS = 30
"""How long a SQLite writer waits for the write lock before it reports a conflict."""


class Database:
    """Owns the SQLAlchemy engine and hands out connections; the unit of work decides when to commit."""

    def __init__(self, url: str, sqlite_synchronous: str = "NORMAL") -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            database = self.url.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
        else:
            # No ping before each checkout (a round trip per transaction, three per async job):
            # a connection the server dropped fails its transaction once, SQLAlchemy discards the
            # whole pool on that disconnect, and the next transaction connects afresh.
            kwargs["pool_recycle"] = 1800
        self.engine: SqlEngine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, sqlite_synchronous)
        # A session joins the unit of work's transaction; only the unit of work commits it.
        self.sessions = sessionmaker(expire_on_commit=False, autoflush=False)

    def connect(self, write: bool) -> Connection:
        """A pooled connection; on SQLite a writing one takes the write lock when its transaction begins."""
        connection = self.engine.connect()
        if write and self.is_sqlite:
            connection = connection.execution_options(flowbridge_write=True)
        return connection

    def session(self, connection: Connection) -> Session:
        """An ORM session that works inside `connection`'s transaction and never ends it."""
        return self.sessions(bind=connection)

    def ping(self) -> None:
        """Raise if the database does not answer."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _configure_sqlite(engine: SqlEngine, synchronous: str) -> None:
    """WAL for concurrent readers; explicit BEGIN so a writer takes the lock before it reads."""
    if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"unknown SQLite synchronous mode {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not pysqlite, decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a crash of the process; FULL also survives power loss.
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("flowbridge_write", False)
        # Straight to the driver: this runs twice per step, and SQLAlchemy's execution path
        # costs more than SQLite's BEGIN.
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
