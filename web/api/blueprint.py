"""The `api` blueprint: the checks every API request passes first, and the views' shared helpers."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, abort
from flask import Response, current_app, jsonify, request

from engine import Engine

api = APIBlueprint("api", __name__, url_prefix="/api")


@api.before_request
def _check_request() -> None:
    """Refuse what the view cannot use before it runs.

    An id with a NUL character names nothing (404; PostgreSQL cannot even look it up). A body
    the view cannot read is refused (413 too large, 415 wrong type) instead of ignored: without
    this a JSON view given a form or text body would run as if it had none (a start with default
    values), and a body over the limit would reach a view that never reads it.
    """
    if any("\x00" in value for value in (request.view_args or {}).values() if isinstance(value, str)):
        abort(404, "no such resource: its id contains a NUL character")
    size = request.content_length
    if not size:
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and size > limit:
        abort(413, f"the request body is larger than {limit} bytes")
    view = current_app.view_functions.get(request.endpoint or "")
    expected = getattr(view, "_spec", {}).get("content_type")
    if expected is None:
        return
    if expected == "application/json" and not request.is_json:
        abort(415, f"send the body as application/json, not {request.mimetype or 'untyped'}")
    if expected == "multipart/form-data" and request.mimetype != expected:
        abort(415, f"send the files as multipart/form-data, not {request.mimetype or 'untyped'}")


def send(view: Any, status: int = 200) -> Response:
    """An engine view as the JSON response, as it is.

    The engine's views are already the documented shapes (the fuzz test checks every response
    against the OpenAPI document), so the hot paths skip re-serializing them through the output
    schema, which costs about 1 ms for a page of 50 tasks. `@api.output` still documents them.
    """
    response = jsonify(view)
    response.status_code = status
    return response


def engine() -> Engine:
    """The engine of the app serving this request."""
    from .. import engine_of

    return engine_of(current_app)
