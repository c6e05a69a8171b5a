"""Login throttling: repeated failed logins for one name, or from one client, lock that name or
client for a while (Flask-Limiter, counting failures only).

Each name and each client address may fail `LOGIN_LIMITS` (a few a minute, more an hour, more a
day): past a limit, the login page answers 429 without trying the password until the window has
passed, so the lock grows from a minute to an hour to a day as failures go on; the right password
works again once it lifts. Refusals are logged. The counts live in the app's limiter storage:
memory (one process) by default, or `FLOWBRIDGE_RATELIMIT_STORAGE` (`redis://127.0.0.1:6379`)
to share them between processes. Behind a proxy the client is the proxy: the per-name limit holds.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, render_template, request
from flask_limiter import Limiter, RequestLimit

logger = logging.getLogger(__name__)

LOGIN_LIMITS = "5 per minute; 20 per hour; 50 per day"
"""Failed logins allowed per name and per client, in each window."""
LIMITS_KEY = "FLOWBRIDGE_LOGIN_LIMITS"
STORAGE_ENV = "FLOWBRIDGE_RATELIMIT_STORAGE"
LOGIN_VIEW = "pages.login_page"


def init_app(app: Flask, environ: Mapping[str, str] | None = None) -> Limiter:
    """Throttle the login view of `app` (a limiter of its own, so apps never share counts)."""
    env = os.environ if environ is None else environ
    app.config.setdefault("RATELIMIT_STORAGE_URI", env.get(STORAGE_ENV, "memory://"))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter = Limiter(key_func=_client, app=app, default_limits=[], on_breach=_refused)
    limits = app.config.get(LIMITS_KEY, LOGIN_LIMITS)
    view: Any = app.view_functions[LOGIN_VIEW]
    for key in (_name, _client):
        view = limiter.limit(limits, key_func=key, methods=["POST"], deduct_when=_failed, scope=key.__name__)(
            view
        )
    app.view_functions[LOGIN_VIEW] = view
    return limiter


def _client() -> str:
    return f"client:{request.remote_addr or 'unknown'}"


def _name() -> str:
    return f"name:{str(request.form.get('name', ''))[:255].strip().lower()}"


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _refused(limit: RequestLimit) -> Any:
    logger.warning(
        "login throttled for %s (%s) from %s",
        request.form.get("name", "")[:255],
        limit.limit,
        request.remote_addr,
    )
    seconds = max(1, int(limit.reset_at - time.time()))
    page = render_template("login.html", next=request.values.get("next"), throttled=seconds)
    return Response(page, status=429, headers={"Retry-After": str(seconds)})
