"""Shared fixtures: an Engine on a fresh SQLite file and, where a server answers, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine import REGISTRY, Engine, Settings

MODELS = Path(__file__).parent / "models"
POSTGRES_URL = os.environ.get(
    "FLOWBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL tests skip."""
    try:
        probe = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
        probe.dispose()
    except Exception as exc:  # any failure to connect means: no server here
        return f"no PostgreSQL server answers at {POSTGRES_URL}: {type(exc).__name__}"
    return None


_PG_SKIP = _postgres_reason()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'flowbridge.sqlite3'}"
        return
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_engine(database_url: str, cache_size: int = 0) -> Engine:
    """An upgraded engine; cache 0 restores the workflow from the database before every step."""
    engine = Engine(
        Settings(
            database_url=database_url, models_path=MODELS / "no-such-folder", instance_cache_size=cache_size
        ),
        load_microflows=False,
    )
    engine.upgrade()
    return engine


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine that saves and restores the instance between every step (no workflow cache)."""
    eng = make_engine(database_url)
    yield eng
    eng.close()


@pytest.fixture
def cached_engine(database_url: str) -> Iterator[Engine]:
    """An engine with the in-memory workflow cache, as production runs it."""
    eng = make_engine(database_url, cache_size=100)
    yield eng
    eng.close()


def deploy(engine: Engine, *names: str) -> list[Any]:
    """Deploy test models from tests/models together."""
    return engine.repository.deploy({n: (MODELS / n).read_bytes() for n in names})


def complete(engine: Engine, instance: dict[str, Any], element_id: str, **variables: Any) -> dict[str, Any]:
    """Complete the open task of `instance` at `element_id`."""
    matches = [t for t in instance["tasks"] if t["element_id"] == element_id]
    assert matches, f"no open task {element_id}; open: {[t['element_id'] for t in instance['tasks']]}"
    return engine.tasks.complete(matches[0]["id"], variables)


@pytest.fixture
def microflows() -> Iterator[Any]:
    """Register test microflows for one test and remove them afterwards."""
    from engine.microflows import Microflow

    added: list[str] = []

    def register(name: str, func: Any, **options: Any) -> None:
        REGISTRY.register(Microflow.wrap(name, func, **options))
        added.append(name)

    yield register
    for name in added:
        REGISTRY.unregister(name)
