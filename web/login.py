"""The pages' login: Flask-Login sessions over `engine.accounts`, Flask-WTF's CSRF tokens, the secret key.

The session cookie holds the user's name, a random session id and the login time; never a
password or a hash. Every request loads the user again (`accounts.principal`), so a user who is
disabled or deleted is logged out at their next click; a session lasts at most
`SESSION_LIFETIME`. Logging out, a new password and disabling end all the user's sessions in
every process (`accounts.end_sessions`: the user's `sessions_after`), so a replayed cookie, even
after a restart, logs nobody in; a user created again under the same name inherits nothing.

Every unsafe page request carries a CSRF token (`CSRFProtect`); the JSON API is exempt from it
and checks the token itself, for calls made with the session only (`web.auth`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import make_url

from engine import Engine
from engine.accounts import Principal
from engine.errors import NotAllowed, NotFound

from .api import api
from .auth import SESSION_PRINCIPAL

SESSION_LIFETIME = timedelta(hours=12)
"""The longest a login lasts, however active the session; then the user logs in again."""
SECRET_KEY_ENV = "FLOWBRIDGE_SECRET_KEY"
"""The environment variable that may hold the secret key that signs sessions and CSRF tokens."""
SECURE_COOKIE_ENV = "FLOWBRIDGE_SECURE_COOKIES"
"""Set to 1 (behind HTTPS) to send the session cookie only over HTTPS."""
SECRET_KEY_FILE = "secret_key"
"""The file the generated secret key is kept in: beside the SQLite database, else in ./instance."""
SECRET_KEY_BYTES = 32
"""Random bytes of a generated secret key."""
SESSION_ID = "flowbridge_sid"
"""Session key: a random id of this login, so that logging out can end it."""
LOGIN_AT = "flowbridge_login_at"
"""Session key: when the user logged in (seconds since the epoch)."""
MAX_NAME_LENGTH = 255
"""Longer user names are not tried."""
MAX_PASSWORD_LENGTH = 1024
"""Longer passwords are not tried (engine.accounts refuses to set them)."""


class SessionUser(UserMixin):
    """The logged-in user, as Flask-Login sees them: a principal loaded for this request."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def get_id(self) -> str:
        return self.principal.name


class Anonymous(AnonymousUserMixin):
    """Nobody is logged in."""

    principal = None


def session_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The app's session and CSRF settings (the app's own config, given after these, wins)."""
    env = os.environ if environ is None else environ
    return {
        "SESSION_COOKIE_NAME": "flowbridge_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get(SECURE_COOKIE_ENV, "").strip().lower() in ("1", "true", "yes"),
        "PERMANENT_SESSION_LIFETIME": SESSION_LIFETIME,
        # A token lives as long as its session: a form filled in slowly is not refused.
        "WTF_CSRF_TIME_LIMIT": None,
    }


def init_app(app: Flask, engine: Engine, environ: Mapping[str, str] | None = None) -> CSRFProtect:
    """Sessions, login and CSRF protection for `app` (the JSON API exempt: `web.auth` checks it).

    The secret key that signs sessions and CSRF tokens: the app's `SECRET_KEY`, else
    `FLOWBRIDGE_SECRET_KEY`, else one generated once and kept in a file (`stored_secret_key`), so
    sessions survive restarts. There is no built-in default.
    """
    env = os.environ if environ is None else environ
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = env.get(SECRET_KEY_ENV) or stored_secret_key(
            key_folder(engine.settings.database_url)
        )
    manager = LoginManager(app)
    manager.anonymous_user = Anonymous
    manager.user_loader(_load_user)
    app.before_request(_session_principal)
    csrf = CSRFProtect(app)
    csrf.exempt(api)  # the API checks the token itself, for calls made with the session (web.auth)
    return csrf


def log_in(principal: Principal) -> None:
    """Start a new session for `principal` (whatever the old session held is dropped)."""
    session.clear()
    login_user(SessionUser(principal))
    session.permanent = True
    session[SESSION_ID] = secrets.token_urlsafe(16)
    session[LOGIN_AT] = time.time()


def log_out() -> None:
    """End the user's sessions, in every process: this cookie, replayed, logs nobody in."""
    principal = session_principal()
    if principal is not None:
        from . import engine_of

        with contextlib.suppress(NotFound):  # deleted meanwhile: nothing left to end
            engine_of(current_app).accounts.end_sessions(principal.name)
    logout_user()
    session.clear()


def session_principal() -> Principal | None:
    """The principal of the logged-in user, or None."""
    found: Principal | None = current_user.principal
    return found


def key_folder(database_url: str) -> Path:
    """Where the generated secret key is kept: the SQLite database's folder, else ./instance."""
    try:
        url = make_url(database_url)
    except Exception:  # not a URL SQLAlchemy can read: the engine will say so itself
        return Path("instance")
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and "file:" not in database:
        return Path(database).parent
    return Path("instance")


def stored_secret_key(folder: Path) -> str:
    """The secret key kept in `folder`, made (readable by this user only) the first time.

    The new key is written to a file of its own and linked into place, so two processes starting
    together both end up with the one that was linked first.
    """
    path = folder / SECRET_KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".{SECRET_KEY_FILE}.{secrets.token_hex(8)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(SECRET_KEY_BYTES))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < SECRET_KEY_BYTES:
        raise RuntimeError(f"{path} holds no usable secret key: delete it to make a new one")
    return key


def _load_user(name: str) -> SessionUser | None:
    """The session's user, if the session is current and the user may still log in."""
    session_id, login_at = session.get(SESSION_ID), session.get(LOGIN_AT)
    if not isinstance(session_id, str) or not isinstance(login_at, int | float):
        return None
    if time.time() - login_at > _lifetime_seconds():
        return None
    from . import engine_of

    try:
        return SessionUser(engine_of(current_app).accounts.principal(name, logged_in_at=login_at))
    except (NotFound, NotAllowed):  # deleted, disabled or logged out since this session logged in
        return None


def _lifetime_seconds() -> float:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return float(lifetime.total_seconds() if isinstance(lifetime, timedelta) else lifetime)


def _session_principal() -> None:
    """For an API call without a bearer token: the logged-in user, for `web.auth` to use."""
    if request.blueprint == api.name and "Authorization" not in request.headers:
        g.setdefault(SESSION_PRINCIPAL, session_principal())


def form_limits(name: Any, password: Any) -> bool:
    """Whether a name and password are worth checking (text, and not absurdly long)."""
    return (
        isinstance(name, str)
        and isinstance(password, str)
        and 0 < len(name) <= MAX_NAME_LENGTH
        and 0 < len(password) <= MAX_PASSWORD_LENGTH
        and "\x00" not in name
    )
