"""Engine errors mapped to HTTP: `{"error": {"code", "message", "details"}}` with the right status.

That JSON is the API's, under `/api`. Any other address that fails outside the pages blueprint
(an unknown URL, a wrong method, a static file that is not there) gets the pages' HTML error page,
with the navigation, as a page of the site would: the app gives `register_error_handlers` the
pages' renderer (`web.pages.blueprint.error_page`), which this module, imported by the pages,
cannot import itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apiflask import APIFlask, HTTPError
from flask import request
from werkzeug.exceptions import HTTPException

from engine import errors

logger = logging.getLogger(__name__)

STATUS: list[tuple[type[errors.EngineError], int]] = [
    (errors.FormInvalid, 422),
    (errors.InvalidInput, 400),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.NotAllowed, 403),
    (errors.DatabaseUnavailable, 503),
    (errors.CallsBusy, 503),
    (errors.StepFailed, 422),
]
"""The first class an error is an instance of decides its status (subclasses come first)."""


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The API's error shape."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def status_of(exc: errors.EngineError) -> int:
    """The HTTP status for an engine error."""
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def is_api() -> bool:
    """Whether the request is for the JSON API (`/api`), whose errors are JSON."""
    return request.path == "/api" or request.path.startswith("/api/")


PageError = Callable[[int, str, Exception], tuple[str, int]]
"""Renders the HTML error page: (status, message, the error) → (the page, its status)."""


def register_error_handlers(app: APIFlask, page_error: PageError) -> None:
    """Every error under `/api` leaves as JSON; engine errors get their status, HTTP errors keep
    theirs. Elsewhere an error is the HTML error page `page_error` renders, with the same status."""

    @app.errorhandler(errors.EngineError)
    def engine_error(exc: errors.EngineError) -> Any:
        if not is_api():
            return page_error(status_of(exc), exc.message, exc)
        headers = {"Retry-After": str(exc.details.get("retry_after", 1))} if status_of(exc) == 503 else {}
        return error_body(exc.code, exc.message, exc.details), status_of(exc), headers

    @app.error_processor
    def http_error(exc: HTTPError) -> Any:
        return (
            error_body(code_of(exc.status_code), exc.message or "", exc.detail),
            exc.status_code,
            exc.headers,
        )

    @app.errorhandler(HTTPException)
    def werkzeug_error(exc: HTTPException) -> Any:
        if exc.response is not None:
            return exc.response  # an answer made for it (the login page's throttling, web.throttle)
        status = exc.code or 500
        # Keep the exception's own headers (405's `Allow`, RFC 9110), not its HTML content type.
        headers = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
        if not is_api():
            html, _status = page_error(status, exc.description or exc.name, exc)
            return html, status, headers
        return error_body(code_of(status), exc.description or exc.name), status, headers

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> Any:
        # A bug, not the client's doing: logged with its traceback, answered without it.
        logger.exception("unexpected error in %s %s", request.method, request.path)
        if not is_api():
            return page_error(500, f"unexpected error: {type(exc).__name__}", exc)
        return error_body("internal_error", f"unexpected error: {type(exc).__name__}"), 500


def code_of(status: int) -> str:
    """The error code an HTTP status stands for."""
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        415: "unsupported_media_type",
        422: "invalid_input",
        500: "internal_error",
        502: "microflow_failed",
        503: "unavailable",
        504: "timeout",
    }.get(status, "http_error")
