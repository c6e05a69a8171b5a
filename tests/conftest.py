"""Shared fixtures: an Engine on a fresh SQLite file and, where a server answers, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine import REGISTRY, Engine, Settings

TESTS = Path(__file__).resolve().parent
"""This folder: the suite mirrors engine/ (tests/definitions/ tests engine/definitions/, ...)."""
ROOT = TESTS.parent
"""The repository."""
EXAMPLES = ROOT / "bpmn"
"""The example models a newcomer runs first."""
MODELS = TESTS / "models"
"""Models made for the tests."""
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


@contextmanager
def postgres_schema(server_url: str = POSTGRES_URL) -> Iterator[str]:
    """A PostgreSQL schema of its own for the block (skips when no server answers); its URL.

    `server_url` is where the code under test reaches PostgreSQL (a proxy, say); the schema is
    made and dropped directly.
    """
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{server_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'flowbridge.sqlite3'}"
        return
    with postgres_schema() as url:
        yield url


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


class Api:
    """The Flask app on a test engine, called as a named user with a real bearer token.

    Users: `ada` (administrator), `bob` (group `clerks`), `carol` (group `managers`).
    """

    USERS = {"ada": ((), True), "bob": (("clerks",), False), "carol": (("managers",), False)}

    def __init__(self, engine: Engine) -> None:
        from web import create_app

        self.engine = engine
        self.app = create_app(engine)
        self.client = self.app.test_client()
        self.tokens: dict[str, str] = {}
        for name, (groups, admin) in self.USERS.items():
            engine.accounts.create_user(name, None, groups=groups, admin=admin)
            self.tokens[name], _view = engine.accounts.create_token(name)

    def call(self, method: str, path: str, user: str | None = "ada", **kwargs: Any) -> tuple[int, Any]:
        """Send one request; the status and the JSON body (or the text, when it is not JSON)."""
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        answer = self.client.open(path, method=method, headers=headers, **kwargs)
        body = answer.get_json(silent=True)
        return answer.status_code, body if body is not None else answer.get_data(as_text=True)

    def get(self, path: str, user: str | None = "ada", **kwargs: Any) -> tuple[int, Any]:
        return self.call("GET", path, user, **kwargs)

    def post(self, path: str, user: str | None = "ada", **kwargs: Any) -> tuple[int, Any]:
        return self.call("POST", path, user, **kwargs)

    def deploy(self, *files: tuple[str, bytes], user: str = "ada", **fields: str) -> tuple[int, Any]:
        """Upload files (and form `fields`) as a multipart deployment."""
        from io import BytesIO

        data: dict[str, Any] = {"files": [(BytesIO(content), name) for name, content in files], **fields}
        return self.post("/api/process-definitions", user, data=data, content_type="multipart/form-data")


@pytest.fixture
def api(engine: Engine) -> Api:
    """The API over the `engine` fixture's database (SQLite and PostgreSQL)."""
    return Api(engine)
