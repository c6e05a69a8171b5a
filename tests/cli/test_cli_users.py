"""`flowbridge users` and `flowbridge tokens` through click, on a fresh SQLite file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine import Engine, Settings
from engine.accounts import AccountService, Principal
from engine.cli import main

from .test_cli import ok, refused

Run = Callable[..., Result]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'x.sqlite3'}"


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Run:
    """Run `flowbridge --db <tmp> ARGS...` in-process, with `input` as stdin."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, ["--db", db_url, "--models", str(tmp_path), *args], input=input)

    return run


@pytest.fixture
def engine(db_url: str, tmp_path: Path) -> Iterator[Engine]:
    eng = Engine(Settings(database_url=db_url, models_path=tmp_path), load_microflows=False)
    eng.upgrade()
    yield eng
    eng.close()


def test_create_with_password_stdin(cli: Run, engine: Engine) -> None:
    out = ok(
        cli(
            "users", "create", "alice", "--group", "sales", "--admin", "--password-stdin", input="s3cret pw\n"
        )
    )
    assert "alice" in out.stdout
    assert engine.accounts.authenticate("alice", "s3cret pw") == Principal("alice", ("sales",), True)
    users = json.loads(ok(cli("users", "list", "--json")).stdout)
    assert [(u["name"], u["groups"], u["admin"]) for u in users] == [("alice", ["sales"], True)]
    assert "alice" in ok(cli("users", "list")).stdout


def test_create_with_prompt_asks_twice(cli: Run, engine: Engine) -> None:
    ok(cli("users", "create", "bob", input="password1\npassword1\n"))
    assert engine.accounts.authenticate("bob", "password1") == Principal("bob")
    assert "password1" not in ok(cli("users", "list")).output


def test_token_only_user_and_token_lifecycle(cli: Run, engine: Engine) -> None:
    ok(cli("users", "create", "robot", "--no-password", "--group", "bots"))
    out = ok(cli("tokens", "create", "robot", "--name", "ci")).stdout
    token = out.split()[-1]
    assert token.startswith("fb_")
    assert engine.accounts.authenticate_token(token) == Principal("robot", ("bots",))

    listed = json.loads(ok(cli("tokens", "list", "--user", "robot", "--json")).stdout)
    assert len(listed) == 1 and listed[0]["name"] == "ci"
    assert token not in ok(cli("tokens", "list")).stdout

    ok(cli("tokens", "revoke", listed[0]["id"]))
    # Another process, as the CLI is: this engine may remember the token for TOKEN_CACHE_SECONDS.
    assert AccountService(engine.db).authenticate_token(token) is None
    assert "no tokens" in ok(cli("tokens", "list")).stdout


def test_groups_and_password_reset(cli: Run, engine: Engine) -> None:
    ok(cli("users", "create", "alice", "--password-stdin", input="password1\n"))
    ok(cli("users", "groups", "alice", "a", "b"))
    ok(cli("users", "password", "alice", "--password-stdin", input="password2\n"))
    assert engine.accounts.authenticate("alice", "password2") == Principal("alice", ("a", "b"))
    ok(cli("users", "disable", "alice"))
    assert engine.accounts.authenticate("alice", "password2") is None
    ok(cli("users", "enable", "alice"))
    assert engine.accounts.authenticate("alice", "password2") is not None


def test_errors_exit_1(cli: Run) -> None:
    refused(cli("users", "create", "alice", "--password-stdin", input="short\n"), "8 characters")
    ok(cli("users", "create", "alice", "--password-stdin", input="password1\n"))
    refused(cli("users", "create", "alice", "--password-stdin", input="password1\n"), "already exists")
    refused(cli("users", "create", "bad name", "--no-password"), "name")
    refused(cli("tokens", "create", "nobody"), "nobody")
    refused(cli("tokens", "revoke", "no-such-id"), "no-such-id")
    refused(cli("users", "password", "nobody", "--password-stdin", input="password1\n"), "nobody")
    refused(cli("users", "groups", "nobody", "a"), "nobody")


def test_password_options_exclude_each_other(cli: Run) -> None:
    result = cli("users", "create", "alice", "--password-stdin", "--no-password")
    assert result.exit_code == 2


def test_deleting_a_user_removes_their_tokens(cli: Run, engine: Engine) -> None:
    ok(cli("users", "create", "robot", "--no-password"))
    token = ok(cli("tokens", "create", "robot")).stdout.split()[-1]
    assert "deleted user robot" in ok(cli("users", "delete", "robot")).output
    assert AccountService(engine.db).authenticate_token(token) is None
    assert "robot" not in ok(cli("users", "list")).output
    assert cli("users", "delete", "robot").exit_code == 1  # no such user
