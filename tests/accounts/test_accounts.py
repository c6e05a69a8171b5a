"""Users, groups and API tokens, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine import Conflict, Engine, InvalidInput, NotAllowed, NotFound
from engine.accounts import Principal, verify_password

PASSWORD = "correct horse"


def test_a_fresh_database_has_no_users(engine: Engine) -> None:
    assert engine.accounts.any_users() is False
    assert engine.accounts.list_users() == []
    assert engine.accounts.list_tokens() == []
    assert engine.accounts.authenticate("admin", "admin") is None
    assert engine.accounts.authenticate("admin", "password") is None


def test_create_and_authenticate(engine: Engine) -> None:
    user = engine.accounts.create_user("alice", PASSWORD, ["sales", "ops", "sales"], admin=True)
    assert user["name"] == "alice"
    assert user["groups"] == ["ops", "sales"]
    assert user["admin"] is True
    assert user["created_at"]
    assert engine.accounts.any_users() is True
    assert engine.accounts.authenticate("alice", PASSWORD) == Principal("alice", ("ops", "sales"), True)
    assert engine.accounts.principal("alice") == Principal("alice", ("ops", "sales"), True)
    assert [u["name"] for u in engine.accounts.list_users()] == ["alice"]


def test_wrong_password_and_unknown_user(engine: Engine) -> None:
    engine.accounts.create_user("alice", PASSWORD)
    assert engine.accounts.authenticate("alice", "wrong password") is None
    assert engine.accounts.authenticate("alice", PASSWORD.upper()) is None
    assert engine.accounts.authenticate("bob", PASSWORD) is None
    with pytest.raises(NotFound):
        engine.accounts.principal("bob")


def test_token_only_user_cannot_sign_in_with_a_password(engine: Engine) -> None:
    engine.accounts.create_user("robot", None, ["bots"])
    assert engine.accounts.authenticate("robot", "") is None
    assert engine.accounts.authenticate("robot", PASSWORD) is None
    token, _ = engine.accounts.create_token("robot")
    assert engine.accounts.authenticate_token(token) == Principal("robot", ("bots",))


def test_duplicate_user_is_a_conflict(engine: Engine) -> None:
    engine.accounts.create_user("alice", PASSWORD)
    with pytest.raises(Conflict):
        engine.accounts.create_user("alice", "another password")


@pytest.mark.parametrize("name", ["", " ", "al ice", "alice\n", "a,b", "x" * 256])
def test_bad_user_names_are_refused(engine: Engine, name: str) -> None:
    with pytest.raises(InvalidInput):
        engine.accounts.create_user(name, PASSWORD)
    assert engine.accounts.any_users() is False


def test_short_password_and_bad_groups_are_refused(engine: Engine) -> None:
    with pytest.raises(InvalidInput):
        engine.accounts.create_user("alice", "short")
    with pytest.raises(InvalidInput):
        engine.accounts.create_user("alice", PASSWORD, ["sales team"])
    with pytest.raises(InvalidInput):
        engine.accounts.create_user("alice", PASSWORD, "sales")
    assert engine.accounts.any_users() is False


def test_token_auth_and_revocation(engine: Engine) -> None:
    engine.accounts.create_user("alice", PASSWORD, ["ops"])
    token, view = engine.accounts.create_token("alice", "ci")
    assert token.startswith("fb_") and len(token) > 40
    assert view["user"] == "alice" and view["name"] == "ci" and view["last_used_at"] is None
    assert engine.accounts.authenticate_token(token) == Principal("alice", ("ops",))
    listed = engine.accounts.list_tokens("alice")
    assert [t["id"] for t in listed] == [view["id"]]
    assert listed[0]["last_used_at"] is not None
    assert token not in repr(listed)

    engine.accounts.revoke_token(view["id"])
    assert engine.accounts.authenticate_token(token) is None
    assert engine.accounts.list_tokens() == []
    engine.accounts.revoke_token(view["id"])  # again: nothing changes
    with pytest.raises(NotFound):
        engine.accounts.revoke_token("no-such-token")


@pytest.mark.parametrize("token", ["", "fb_", "fb_nope", "Bearer x", "fb_" + "a" * 500])
def test_unknown_or_malformed_tokens(engine: Engine, token: str) -> None:
    engine.accounts.create_user("alice", PASSWORD)
    engine.accounts.create_token("alice")
    assert engine.accounts.authenticate_token(token) is None


def test_token_for_unknown_user_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound):
        engine.accounts.create_token("nobody")
    with pytest.raises(NotFound):
        engine.accounts.list_tokens("nobody")


def test_disabled_user_is_refused_everywhere(engine: Engine) -> None:
    engine.accounts.create_user("alice", PASSWORD)
    token, _ = engine.accounts.create_token("alice")
    engine.accounts.set_disabled("alice")
    assert engine.accounts.authenticate("alice", PASSWORD) is None
    assert engine.accounts.authenticate_token(token) is None
    with pytest.raises(NotAllowed):
        engine.accounts.principal("alice")
    engine.accounts.set_disabled("alice", False)
    assert engine.accounts.authenticate_token(token) == Principal("alice")


def test_set_password_and_groups(engine: Engine) -> None:
    engine.accounts.create_user("alice", None, ["a"])
    engine.accounts.set_password("alice", "new password")
    assert engine.accounts.authenticate("alice", "new password") == Principal("alice", ("a",))
    engine.accounts.set_groups("alice", ["b", "c"])
    assert engine.accounts.principal("alice").groups == ("b", "c")
    engine.accounts.set_groups("alice", [])
    assert engine.accounts.principal("alice").groups == ()
    with pytest.raises(InvalidInput):
        engine.accounts.set_password("alice", "short")
    with pytest.raises(NotFound):
        engine.accounts.set_groups("bob", ["a"])


def test_the_database_holds_neither_password_nor_token(engine: Engine) -> None:
    engine.accounts.create_user("alice", PASSWORD)
    token, view = engine.accounts.create_token("alice")
    with engine.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE name = 'alice'")).scalar_one()
        token_rows = [tuple(r) for r in conn.execute(text("SELECT * FROM api_tokens"))]
    assert PASSWORD not in stored
    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_password(PASSWORD, stored)
    assert not verify_password("wrong password", stored)
    assert len(token_rows) == 1
    assert view["id"] in token_rows[0]
    for cell in token_rows[0]:
        assert token not in str(cell)
        assert token.removeprefix("fb_") not in str(cell)


def test_same_password_gets_different_salts(engine: Engine) -> None:
    engine.accounts.create_user("alice", PASSWORD)
    engine.accounts.create_user("bob", PASSWORD)
    with engine.db.engine.connect() as conn:
        hashes = conn.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert len(set(hashes)) == 2


def test_malformed_stored_hashes_do_not_verify() -> None:
    for stored in ["", "plain", "md5$x$y", "scrypt$16384$8$1$!!$!!", "scrypt$3$8$1$AAAA$AAAA"]:
        assert verify_password(PASSWORD, stored) is False


def test_a_token_revoked_by_another_process_stops_at_once(engine: Engine) -> None:
    from engine.accounts import service as accounts

    engine.accounts.create_user("eve", None, groups=["ops"])
    token, view = engine.accounts.create_token("eve")
    assert engine.accounts.authenticate_token(token) == accounts.Principal("eve", ("ops",), False)
    accounts.AccountService(engine.db).revoke_token(view["id"])  # as the CLI in another process would
    assert engine.accounts.authenticate_token(token) is None  # no trust window by default


def test_with_a_token_cache_a_revoked_token_stops_within_its_time(engine: Engine) -> None:
    import time

    from engine.accounts import service as accounts

    cached = accounts.AccountService(engine.db, token_cache_seconds=0.3)
    engine.accounts.create_user("eve", None, groups=["ops"])
    token, view = engine.accounts.create_token("eve")
    assert cached.authenticate_token(token) is not None
    engine.accounts.revoke_token(view["id"])
    assert cached.authenticate_token(token) is not None  # remembered for a moment
    time.sleep(0.35)
    assert cached.authenticate_token(token) is None


def test_a_user_deleted_and_created_again_inherits_no_token_or_session(engine: Engine) -> None:
    import time

    from engine.errors import NotAllowed

    engine.accounts.create_user("eve", PASSWORD)
    token, _view = engine.accounts.create_token("eve")
    logged_in_at = time.time()
    assert engine.accounts.principal("eve", logged_in_at=logged_in_at).name == "eve"
    engine.accounts.delete_user("eve")
    engine.accounts.create_user("eve", PASSWORD)
    assert engine.accounts.authenticate_token(token) is None
    with pytest.raises(NotAllowed, match="session of 'eve' has ended"):
        engine.accounts.principal("eve", logged_in_at=logged_in_at)


@pytest.mark.parametrize("how", ["end_sessions", "set_password", "set_disabled"])
def test_logging_out_a_new_password_and_disabling_end_every_session(engine: Engine, how: str) -> None:
    import time

    from engine.errors import NotAllowed

    engine.accounts.create_user("eve", PASSWORD)
    logged_in_at = time.time()
    engine.accounts.principal("eve", logged_in_at=logged_in_at)
    {
        "end_sessions": lambda: engine.accounts.end_sessions("eve"),
        "set_password": lambda: engine.accounts.set_password("eve", "another long password"),
        "set_disabled": lambda: engine.accounts.set_disabled("eve"),
    }[how]()
    with pytest.raises(NotAllowed):
        engine.accounts.principal("eve", logged_in_at=logged_in_at)
    if how != "set_disabled":
        assert engine.accounts.principal("eve", logged_in_at=time.time()).name == "eve"  # a new login works
