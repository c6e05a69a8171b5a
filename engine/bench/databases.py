"""The benchmark's databases: a fresh SQLite file or PostgreSQL schema per scenario, and engines on it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from ..engine import Engine
from ..errors import InvalidInput
from ..settings import DEFAULT_INSTANCE_CACHE, Settings
from .common import MODELS_DIR, SQLITE, register_microflow

# -- databases --------------------------------------------------------------------------------------


def describe_database(target: str) -> str:
    """The database as shown in output: its URL with the password masked."""
    if target == SQLITE:
        return "sqlite (temporary file)"
    return make_url(target).render_as_string(hide_password=True)


def check_database(target: str) -> None:
    """Refuse a `--db` the benchmark cannot make fresh databases in."""
    if target == SQLITE:
        return
    try:
        url = make_url(target)
    except Exception:
        # The parser's message repeats the URL, password included: name it masked instead.
        raise InvalidInput(f"not a database URL: {describe_database_safely(target)}") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInput(f"the benchmark runs on SQLite and PostgreSQL, not {url.get_backend_name()}")


def describe_database_safely(target: str) -> str:
    """`target` with anything after a colon in its credentials hidden, even when it does not parse."""
    head, sep, tail = target.partition("@")
    if not sep or "://" not in head:
        return target
    scheme, _, creds = head.partition("://")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in creds else ''}@{tail}"


@contextmanager
def fresh_database(target: str) -> Iterator[str]:
    """A URL of an empty database for one scenario, removed afterwards.

    `sqlite` is a file in a new temporary directory; a SQLite URL naming a file gets a new
    temporary directory beside that file (the file itself is never touched); PostgreSQL gets a
    new schema, selected with `options=-csearch_path=...`, dropped at the end.
    """
    url = None if target == SQLITE else make_url(target)
    if url is None or url.get_backend_name() == "sqlite":
        path = url.database if url is not None else None
        if path == ":memory:" or (url is not None and not path):
            yield target
            return
        parent = Path(path).resolve().parent if path else None
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        directory = tempfile.mkdtemp(prefix="flowbridge-bench-", dir=parent)
        try:
            drivername = url.drivername if url is not None else "sqlite"
            yield URL.create(drivername, database=os.path.join(directory, "bench.sqlite3")).render_as_string(
                hide_password=False
            )
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    schema = f"flowbridge_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        options = url.query.get("options")
        search_path = f"-csearch_path={schema}"
        options = f"{options} {search_path}" if isinstance(options, str) else search_path
        try:
            yield url.update_query_dict({"options": options}).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def engines(url: str, models: dict[str, bytes]) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one migrated database with the models deployed: the default cache, and none."""
    register_microflow()
    warm = Engine(
        Settings(database_url=url, models_path=MODELS_DIR, instance_cache_size=DEFAULT_INSTANCE_CACHE),
        load_microflows=False,
    )
    cold = None
    try:
        warm.upgrade()
        warm.repository.deploy(models)
        cold = Engine(
            Settings(database_url=url, models_path=MODELS_DIR, instance_cache_size=0), load_microflows=False
        )
        yield warm, cold
    finally:
        if cold is not None:
            cold.close()
        warm.close()


def server_version(engine: Engine) -> str:
    """The database server's version, as its dialect reports it."""
    if engine.db.is_sqlite:
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.db.engine.connect() as conn:
        return str(conn.execute(text("SHOW server_version")).scalar())
