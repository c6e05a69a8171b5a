"""Who is calling: a bearer token (`flowbridge tokens create`) or, for the pages, the session.

Every API view but health and the OpenAPI document is wrapped in `auth_required(auth)`;
views read the caller with `principal()` and refuse what needs an administrator with
`require_admin()`. Accounts live in the engine (`engine.accounts`); nothing here stores them.
"""

from __future__ import annotations

from apiflask import HTTPTokenAuth, abort
from flask import current_app, g

from engine.accounts import Principal

auth = HTTPTokenAuth(
    scheme="Bearer",
    description="A token made with `flowbridge tokens create USER`.",
    security_scheme_name="bearer",
)

SESSION_PRINCIPAL = "flowbridge_session_principal"
"""`flask.g` key where the pages' login (issue 6) may put the session's principal."""


@auth.verify_token
def _verify(token: str) -> Principal | None:
    if not token:
        # No bearer token: a page's fetch carries the login session instead, when there is one.
        session_principal: Principal | None = g.get(SESSION_PRINCIPAL)
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
