"""Who is calling: a bearer token (`flowbridge tokens create`) or, for the pages, the session.

Every API view but health and the OpenAPI document is wrapped in `auth_required(auth)`;
views read the caller with `principal()` and refuse what needs an administrator with
`require_admin()`. Accounts live in the engine (`engine.accounts`); nothing here stores them.

A call without a bearer token may use the pages' login session (`web.login` puts its principal
in `flask.g`). The browser sends that cookie by itself, so a session call that changes anything
(POST and the other unsafe methods) must also carry the page's CSRF token in the `X-CSRFToken`
header; bearer-token calls need none, as no browser adds a token by itself.
"""

from __future__ import annotations

from typing import Any

from apiflask import HTTPTokenAuth, abort
from flask import current_app, g, request
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from engine.accounts import Principal


class TokenOrSessionAuth(HTTPTokenAuth):
    """Bearer tokens, and the login session for calls without one.

    Flask-HTTPAuth asks `verify_token` only when a token was sent; this asks it always (with ""
    when none was), so that a call with the session cookie alone is authenticated too.
    """

    def authenticate(self, auth: Any, stored_password: Any) -> Any:
        token = getattr(auth, "token", None) or ""
        return self.ensure_sync(self.verify_token_callback)(token)


auth = TokenOrSessionAuth(
    scheme="Bearer",
    description="A token made with `flowbridge tokens create USER`.",
    security_scheme_name="bearer",
)

SESSION_PRINCIPAL = "flowbridge_session_principal"
"""`flask.g` key where the pages' login (`web.login`) puts the session's principal."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing: a session call with one of these needs no CSRF token."""


@auth.verify_token
def _verify(token: str) -> Principal | None:
    if not token:
        # No bearer token: a page's fetch carries the login session instead, when there is one.
        session_principal: Principal | None = g.get(SESSION_PRINCIPAL)
        if session_principal is not None and request.method not in SAFE_METHODS:
            check_csrf_header()
        return session_principal
    from . import engine_of

    return engine_of(current_app).accounts.authenticate_token(token)


def principal() -> Principal:
    """The authenticated caller of this request."""
    found = auth.current_user
    if not isinstance(found, Principal):  # only reachable from a view without auth_required
        abort(401, "authentication required")
    return found


def require_admin() -> Principal:
    """The caller, who must be an administrator (403 otherwise)."""
    caller = principal()
    if not caller.admin:
        abort(403, f"only administrators may do this; {caller.name} is not one")
    return caller


def check_csrf_header() -> None:
    """Refuse (400) a session call whose CSRF header is missing or does not match the session."""
    headers = current_app.config.get("WTF_CSRF_HEADERS") or ["X-CSRFToken"]
    token = next((request.headers[name] for name in headers if request.headers.get(name)), None)
    try:
        validate_csrf(token)
    except ValidationError as exc:
        abort(
            400,
            f"a call with the login session must send the page's CSRF token in X-CSRFToken: {exc}",
            {"csrf": "missing" if token is None else "invalid"},
        )
