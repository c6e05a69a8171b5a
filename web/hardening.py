"""What every request and response passes, whatever view it reaches: hostile JSON is refused before
a view parses it, and every answer carries the security headers (README "Security notes").

- A JSON body nested deeper than Python's recursion allows, or with an integer longer than its
  conversion limit (4,300 digits), is 400 with the error shape, not a RecursionError or a
  ValueError deep in a view (shallower nesting beyond the engine's limit is refused by the
  engine's own check of variables, naming the variable).
- Content-Security-Policy allows this origin only: no inline script, no plug-ins (inline style
  attributes, which the diagram viewer and Swagger UI set, are allowed); no framing.
  `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`;
  answers to a logged-in user or a token are `no-store`; HSTS when the session cookie is secure
  (the deployment serves HTTPS).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, current_app, request

from .errors import error_body

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of every answer."""
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Register the request check and the response headers on `app`."""
    app.before_request(_refuse_hostile_json)
    app.after_request(_security_headers)


def _refuse_hostile_json() -> Any:
    if not request.is_json:
        return None
    body = request.get_data(cache=True)
    if not body:
        return None
    try:
        json.loads(body)
    except RecursionError:
        return error_body("bad_request", "the JSON body is nested too deeply"), 400
    except json.JSONDecodeError:
        return None  # malformed: the view's parser says so, with its position
    except ValueError as exc:  # an integer beyond Python's conversion limit
        return error_body("bad_request", f"the JSON body cannot be read: {exc}"), 400
    return None


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if (request.headers.get("Authorization") or request.cookies) and request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
