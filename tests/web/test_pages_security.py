"""The pages' security: CSRF, who may see and do what, accounts, the session cookie, the secret key."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from web import create_app
from web.login import SECRET_KEY_FILE, key_folder, session_settings, stored_secret_key

from ..conftest import make_engine
from .test_api_flows import REVIEW
from .test_pages import PASSWORD, Browser, Site, start_review, text, upload


@pytest.fixture
def site(engine: Engine) -> Site:
    """The pages over the `engine` fixture's database (SQLite and PostgreSQL)."""
    return Site(engine)


def session_of(site: Site, visitor: Browser) -> dict[str, Any]:
    """What the visitor's session cookie holds, decoded with the app's key."""
    cookie = visitor.client.get_cookie("flowbridge_session")
    assert cookie is not None
    serializer = site.app.session_interface.get_signing_serializer(site.app)  # type: ignore[attr-defined]
    found: dict[str, Any] = serializer.loads(cookie.value)
    return found


# -- CSRF ------------------------------------------------------------------------------------


def test_a_form_post_without_a_csrf_token_is_refused(site: Site) -> None:
    [task] = start_review(site)["tasks"]
    visitor = site.browser("bob")

    for path, data in [
        (f"/tasks/{task['id']}", {"amount": "5"}),
        (f"/tasks/{task['id']}/claim", {}),
        ("/processes/review/start", {}),
        ("/logout", {}),
    ]:
        refused = visitor.post(path, data, csrf=False)
        assert refused.status_code == 400, path
        assert "CSRF token is missing" in text(refused)
    forged = visitor.post(f"/tasks/{task['id']}", {"amount": "5", "csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400
    # Another visitor's token belongs to another session.
    other = site.browser("bob")
    stolen = visitor.post(f"/tasks/{task['id']}", {"amount": "5", "csrf_token": other.token}, csrf=False)
    assert stolen.status_code == 400
    assert site.engine.tasks.get(task["id"])["status"] == "open"
    assert site.engine.runtime.list()["total"] == 1
    assert site.browser().post("/login", {"name": "bob", "password": PASSWORD}, csrf=False).status_code == 400


def test_the_api_takes_the_session_but_refuses_unsafe_calls_without_the_csrf_header(site: Site) -> None:
    [task] = start_review(site)["tasks"]
    visitor = site.browser("bob")
    client = visitor.client

    listed = client.get("/api/tasks")
    assert listed.status_code == 200 and [t["id"] for t in listed.get_json()["items"]] == [task["id"]]
    url = f"/api/tasks/{task['id']}/claim"
    refused = client.post(url)
    assert refused.status_code == 400 and refused.get_json()["error"]["details"] == {"csrf": "missing"}
    assert client.post(url, headers={"X-CSRFToken": "forged"}).status_code == 400
    assert site.engine.tasks.get(task["id"])["assignee"] is None
    claimed = client.post(url, headers={"X-CSRFToken": visitor.token})
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "bob"
    # Without a session or a token: 401, as before.
    assert site.browser().client.get("/api/tasks").status_code == 401


def test_bearer_token_calls_need_no_csrf_token(site: Site) -> None:
    [task] = start_review(site)["tasks"]
    token, _view = site.engine.accounts.create_token("bob")
    client = site.app.test_client()
    answer = client.post(f"/api/tasks/{task['id']}/claim", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


# -- who may see and do what -----------------------------------------------------------------


def test_a_user_cannot_open_claim_or_complete_another_groups_task(site: Site) -> None:
    [task] = start_review(site)["tasks"]
    carol = site.browser("carol")
    opened = carol.get(f"/tasks/{task['id']}")
    assert opened.status_code == 403 and "not offered to carol" in text(opened)
    assert carol.post(f"/tasks/{task['id']}", {"amount": "5"}).status_code == 403
    assert carol.post(f"/tasks/{task['id']}/claim").status_code == 403
    assert carol.post(f"/tasks/{task['id']}/unclaim").status_code == 403
    assert site.engine.tasks.get(task["id"])["status"] == "open"

    # Bob claims it: another clerk can no longer open it.
    site.engine.accounts.create_user("dan", PASSWORD, groups=["clerks"])
    site.engine.tasks.claim(task["id"], "bob", ["clerks"])
    dan = site.browser("dan")
    assert dan.get(f"/tasks/{task['id']}").status_code == 403
    assert dan.post(f"/tasks/{task['id']}", {"amount": "5"}).status_code == 403
    assert dan.post(f"/tasks/{task['id']}/unclaim").status_code == 403


def test_a_clerk_does_not_read_another_groups_instance_on_the_pages(site: Site) -> None:
    """The probe's case (DESIGN §6a): the instance list, the instance page and its diagram's XML
    are the instance's participants' (its review is the clerks'); a manager finds nothing."""
    instance = start_review(site)
    carol = site.browser("carol")
    listing = text(carol.get("/instances"))
    assert "No instances" in listing and instance["id"][:8] not in listing
    page = carol.get(f"/instances/{instance['id']}")
    assert page.status_code == 404 and "note" not in text(page)
    assert "<nav" in page.get_data(as_text=True)  # the HTML error page, with the way on
    bob = site.browser("bob")  # a clerk: the review is offered to his group
    assert instance["id"][:8] in text(bob.get("/instances"))
    assert bob.get(f"/instances/{instance['id']}").status_code == 200


def test_an_administrator_may_do_any_task_and_the_history_says_whose_it_was(site: Site) -> None:
    instance = start_review(site)
    [task] = instance["tasks"]
    ada = site.browser("ada")
    page = text(ada.get(f"/tasks/{task['id']}"))
    assert 'class="task-form"' in page and "you can see it, but not complete it" not in page
    assert ada.post(f"/tasks/{task['id']}", {"amount": "5"}).status_code == 303
    [done] = [e for e in site.engine.history.events(instance["id"]) if e["kind"] == "user_task_completed"]
    assert done["user"] == "ada" and done["data"]["by_administrator"] is True


def test_non_administrators_cannot_deploy_retry_incidents_or_change_instances(site: Site) -> None:
    instance = start_review(site)
    bob = site.browser("bob")
    assert 'href="/deploy"' not in text(bob.get("/"))
    assert bob.get("/deploy").status_code == 403
    assert upload(bob, ("review2.bpmn", REVIEW.replace(b'id="review"', b'id="review2"'))).status_code == 403
    assert [d["key"] for d in site.engine.repository.list_latest()] == ["review"]
    assert bob.post("/incidents/any-incident/retry").status_code == 403
    for action in ("suspend", "resume", "terminate"):
        assert bob.post(f"/instances/{instance['id']}/{action}").status_code == 403, action
    assert site.engine.runtime.get(instance["id"])["status"] == "waiting"
    assert 'href="/deploy"' in text(site.browser("ada").get("/"))


# -- accounts --------------------------------------------------------------------------------


def test_no_account_exists_by_default(engine: Engine) -> None:
    app = create_app(engine, SECRET_KEY="a test key that is long enough to sign sessions")
    assert not engine.accounts.any_users()
    visitor = Browser(app)
    page = text(visitor.get("/login"))
    assert "No user exists yet" in page and "flowbridge users create NAME --admin" in page
    assert 'type="password"' not in page
    tried = visitor.post("/login", {"name": "admin", "password": "admin"})
    assert tried.status_code == 200 and visitor.get("/").status_code == 302

    engine.accounts.create_user("ada", PASSWORD, admin=True)
    for name, password in [("admin", "admin"), ("ada", "admin"), ("ada", PASSWORD + "x")]:
        failed = visitor.post("/login", {"name": name, "password": password})
        assert failed.status_code == 401 and "Wrong name or password." in text(failed)
    assert visitor.get("/").status_code == 302


def test_a_disabled_user_is_logged_out_at_the_next_request(site: Site) -> None:
    bob = site.browser("bob")
    assert bob.get("/").status_code == 200
    site.engine.accounts.set_disabled("bob")
    assert bob.get("/").headers["Location"].startswith("/login")
    assert bob.client.get("/api/tasks").status_code == 401
    assert Browser(site.app).login("bob").status_code == 401


# -- the session -----------------------------------------------------------------------------


def test_the_session_cookie_is_http_only_and_same_site_lax(site: Site) -> None:
    visitor = Browser(site.app)
    visitor.get("/login")
    answer = visitor.post("/login", {"name": "bob", "password": PASSWORD})
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("flowbridge_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert session_settings({"FLOWBRIDGE_SECURE_COOKIES": "1"})["SESSION_COOKIE_SECURE"] is True
    secure = create_app(
        site.engine, SECRET_KEY="another test key, long enough to sign", SESSION_COOKIE_SECURE=True
    )
    assert secure.config["SESSION_COOKIE_SECURE"] is True


def test_the_session_holds_no_password(site: Site) -> None:
    visitor = site.browser("bob")
    stored = session_of(site, visitor)
    assert stored["_user_id"] == "bob"
    dumped = json.dumps(stored, default=str)
    assert PASSWORD not in dumped and "password" not in dumped.lower() and "scrypt" not in dumped


def test_logout_ends_the_session_even_for_a_copy_of_its_cookie(site: Site) -> None:
    visitor = site.browser("bob")
    copy = visitor.client.get_cookie("flowbridge_session")
    assert copy is not None
    assert visitor.client.get("/logout").status_code == 405  # only a POST (with its token) logs out
    out = visitor.post("/logout")
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert "You are logged out." in text(visitor.get("/login"))
    assert visitor.get("/").headers["Location"].startswith("/login")

    replay = site.app.test_client()
    replay.set_cookie("flowbridge_session", copy.value)
    assert replay.get("/").headers["Location"].startswith("/login")
    assert replay.get("/api/tasks").status_code == 401


def test_a_logged_out_cookie_stays_dead_after_a_restart_and_elsewhere(site: Site) -> None:
    from web import create_app

    visitor = site.browser("bob")
    copy = visitor.client.get_cookie("flowbridge_session")
    assert copy is not None
    visitor.post("/logout")
    # Another process (or this one restarted) with the same secret key and database.
    other = create_app(site.engine, SECRET_KEY=site.app.config["SECRET_KEY"]).test_client()
    other.set_cookie("flowbridge_session", copy.value)
    assert other.get("/").headers["Location"].startswith("/login")
    assert site.browser("bob").get("/").status_code == 200  # logging in again works


@pytest.mark.parametrize("change", ["password", "disable", "delete"])
def test_a_new_password_disabling_or_deleting_ends_the_users_sessions(site: Site, change: str) -> None:
    visitor = site.browser("bob")
    assert visitor.get("/").status_code == 200
    accounts = site.engine.accounts
    if change == "password":
        accounts.set_password("bob", "a brand new long password")
    elif change == "disable":
        accounts.set_disabled("bob")
    else:
        accounts.delete_user("bob")
        accounts.create_user("bob", PASSWORD, groups=["clerks"])  # the same name, a new user
    assert visitor.get("/").headers["Location"].startswith("/login")


def test_login_goes_back_only_to_pages_of_this_site(site: Site) -> None:
    for target, expected in [
        ("/instances", "/instances"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
    ]:
        visitor = Browser(site.app)
        visitor.get("/login")
        answer = visitor.post("/login", {"name": "bob", "password": PASSWORD, "next": target})
        assert answer.headers["Location"] == expected, target


# -- the secret key --------------------------------------------------------------------------


def test_the_secret_key_is_made_once_and_kept_for_this_user_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWBRIDGE_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'data' / 'flowbridge.sqlite3'}"
    assert key_folder(url) == tmp_path / "data"
    assert key_folder("postgresql+psycopg://db/flowbridge") == Path("instance")
    assert key_folder("sqlite://") == Path("instance")

    (tmp_path / "data").mkdir()
    engine = make_engine(url)
    try:
        first = create_app(engine).config["SECRET_KEY"]
        path = tmp_path / "data" / SECRET_KEY_FILE
        assert path.read_text() == first and len(first) >= 64
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert create_app(engine).config["SECRET_KEY"] == first  # sessions survive a restart
        assert stored_secret_key(tmp_path / "data") == first
        assert not [p for p in (tmp_path / "data").iterdir() if p.name.startswith(f".{SECRET_KEY_FILE}")]

        monkeypatch.setenv("FLOWBRIDGE_SECRET_KEY", "from the environment, long enough")
        assert create_app(engine).config["SECRET_KEY"] == "from the environment, long enough"
    finally:
        engine.close()


# -- odd input -------------------------------------------------------------------------------


def test_odd_query_strings_and_posts_get_pages_not_500s(site: Site) -> None:
    start_review(site)
    ada = site.browser("ada")
    for path in (
        "/?limit=1&endpoint=x",
        "/instances?limit=1&endpoint=x&_external=1&_anchor=y",
        "/?offset=99999999999999999999",
        "/instances?offset=99999999999999999999&limit=-5",
    ):
        page = ada.get(path)
        assert page.status_code == 200, path
        assert "evil" not in text(page) and "http://" not in text(page).split("<body", 1)[-1], path

    deep = {"var-name-0": "a", "var-value-0": "[" * 100_000, "var-name-²": "b"}
    started = ada.post("/processes/review/start", deep)
    assert started.status_code in (200, 303, 422), started.status_code


def throttled_site(engine: Engine, limits: str) -> Any:
    from web import create_app

    return create_app(
        engine, SECRET_KEY="a test key that is long enough to sign sessions", FLOWBRIDGE_LOGIN_LIMITS=limits
    )


def test_sixty_wrong_passwords_lock_the_name_and_the_client(site: Site) -> None:
    from .test_pages import Browser

    app = throttled_site(site.engine, "5 per hour")
    attacker = Browser(app)
    statuses = [attacker.login("bob", f"wrong {i}").status_code for i in range(60)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    locked = attacker.login("bob")  # the right password is not even tried while the lock holds
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 60
    assert "Too many failed logins" in text(locked)
    assert Browser(app).login("bob").status_code == 429  # the name is locked for every client
    assert attacker.login("carol").status_code == 429  # and this client for every name


def test_the_right_password_works_once_the_lock_lifts(site: Site) -> None:
    import time

    from .test_pages import Browser

    app = throttled_site(site.engine, "2 per 3 second")
    visitor = Browser(app)
    assert [visitor.login("bob", "wrong").status_code for _ in range(3)] == [401, 401, 429]
    time.sleep(3.1)  # the window passes (a lower bound: a slow machine only waits longer)
    assert visitor.login("bob").status_code == 302


# -- actions offered only to whom they are allowed (DESIGN §6a) ------------------------------


def test_instance_actions_are_offered_only_to_administrators_and_only_when_possible(
    site: Site, microflows: Any
) -> None:
    from .test_pages_trust import crawl_site

    made = crawl_site(site, microflows)  # among others, an instance at an incident that bob started
    failing = f"/instances/{made['failing']['id']}"
    bob = text(site.browser("bob").get(failing))
    assert "the service is down" in bob  # he sees the incident...
    for offered in ("Suspend</button>", "Resume</button>", "Terminate…", "Retry</button>"):
        assert offered not in bob, offered  # ...but is offered none of the administrators' acts

    ada = site.browser("ada")
    page = text(ada.get(failing))
    assert "Suspend</button>" in page and "Retry</button>" in page and "Terminate…" in page
    assert "Resume</button>" not in page
    site.engine.runtime.suspend(made["failing"]["id"], user="ada")
    page = text(ada.get(failing))
    assert "Resume</button>" in page and "Suspend</button>" not in page
    assert "Retry</button>" not in page and "resume the instance to retry" in page  # refused while suspended
    ended = text(ada.get(f"/instances/{made['ended']['id']}"))
    assert not [a for a in ("Suspend</button>", "Resume</button>", "Terminate…") if a in ended]
