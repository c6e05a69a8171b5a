"""The `pages` blueprint: its guards, its error page, its template filters, and the helpers every
page view uses (the engine, the caller, paging, safe redirects).

Every page but the login needs a logged-in user (`_require_login`). Engine and HTTP errors become
an error page here, in one place, with the status the API gives the same error
(`web.errors.status_of`) and the words `explain` finds for it: what happened, what to do, the
way on, and what the person had sent (so nothing they typed is lost). Only the API, under `/api`,
answers errors as JSON.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from apiflask import APIBlueprint
from flask import current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, NotFound

from engine import Engine, errors
from engine.accounts import Principal
from engine.runtime import parse_iso

from ..errors import status_of
from ..login import session_principal
from .explain import admin_act, explain

logger = logging.getLogger(__name__)

pages = APIBlueprint("pages", __name__, enable_openapi=False)

PUBLIC_ENDPOINTS = frozenset({"pages.login_page"})
"""Pages shown to visitors who are not logged in."""
PAGE_SIZE = 25
"""Rows per page of a list, unless the request asks for another number."""
MAX_PAGE_SIZE = 200
"""The most rows a list page shows."""
UNSHOWN_INPUT = frozenset({"csrf_token", "next", "list"})
"""Posted fields the error page does not list as the person's input (sent again all the same)."""


def engine() -> Engine:
    """The engine of the app serving this request."""
    from .. import engine_of

    return engine_of(current_app)


def caller() -> Principal:
    """The logged-in user (every page but the login requires one)."""
    found = session_principal()
    if found is None:  # only reachable from a public page
        raise Forbidden("log in first")
    return found


def require_admin() -> Principal:
    """The logged-in user, who must be an administrator (403 otherwise)."""
    user = caller()
    if not user.admin:
        raise Forbidden(f"Only administrators may {admin_act()}, and you ({user.name}) are not one.")
    return user


MAX_OFFSET = 10_000_000
"""The furthest a list pages (beyond it a database integer may overflow; nobody pages that far)."""
LIST_FILTERS = frozenset({"status", "key", "business_key", "all", "process", "variable", "value"})
LIST_FILTERS |= frozenset(
    {"scope", "process_key", "candidate_group", "due_before", "q", "sort"}  # the task list's (task_filters)
) | frozenset({"version", "element"})  # the cockpit's
"""Query arguments the list pages filter by, kept in their previous/next links."""


def paging(default: int = PAGE_SIZE) -> tuple[int, int]:
    """`limit` and `offset` from the query string, kept within bounds (bad numbers: the defaults)."""
    limit = request.args.get("limit", default, type=int) or default
    offset = request.args.get("offset", 0, type=int) or 0
    return min(max(limit, 1), MAX_PAGE_SIZE), min(max(offset, 0), MAX_OFFSET)


def pager(total: int, limit: int, offset: int) -> dict[str, Any]:
    """Previous and next links of a list page, keeping the other query arguments."""
    # Only the list filters: url_for's own keywords (`endpoint`, `_external`, `_anchor`...) from
    # a query string would break the link or point it at the request's Host.
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in LIST_FILTERS}
    if limit != PAGE_SIZE:
        args["limit"] = str(limit)
    endpoint = request.endpoint or "pages.task_list"
    args.update(request.view_args or {})
    previous, following = max(offset - limit, 0), offset + limit
    return {
        "total": total,
        "first": offset + 1 if total else 0,
        "last": min(following, total),
        "prev": url_for(endpoint, **args, offset=previous) if offset > 0 else None,
        "next": url_for(endpoint, **args, offset=following) if following < total else None,
    }


def local_target(target: str | None, default: str) -> str:
    """`target` if it is a path on this site (never another host: no open redirect), else `default`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if not target.isprintable() or " " in target:
        return default  # browsers drop tabs and newlines: "/\t/evil.example" would become "//evil..."
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default


def error_page(status: int, message: str, exc: Exception | None = None) -> tuple[str, int]:
    """The error page: what happened in words, what to do, the way on, and the person's input.

    `message` (the engine's or the HTTP error's own words) is kept as the technical details.
    """
    viewer = session_principal()
    words = explain(status, message, exc, viewer)
    if isinstance(exc, HTTPException) and message == type(exc).description:
        message = ""  # werkzeug's stock sentence says no more than the page does
    shown, resend = kept_input()
    html = render_template(
        "error.html", status=status, page=words, technical=message, shown=shown, resend=resend
    )
    return html, status


def kept_input() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a failed form post held: (label and value of each field to show, every field to send
    again). Passwords are never shown or sent back; files are named, not kept."""
    if request.method != "POST":
        return [], []
    labels = _form_labels()
    resend = [
        (name, value)
        for name, values in request.form.lists()
        if name != "csrf_token" and "password" not in name
        for value in values
    ]
    rows = dict(resend)
    shown: list[tuple[str, str]] = []
    for name, value in resend:
        if name in UNSHOWN_INPUT or name.startswith("var-value-"):
            continue
        if name.startswith("var-name-"):  # the plain variables form: a name row and its value row
            if value.strip():
                shown.append((value, rows.get("var-value-" + name.removeprefix("var-name-"), "")))
            continue
        shown.append((labels.get(name, name), value))
    shown += [("file", upload.filename or "") for upload in request.files.getlist("files")]
    return shown, resend


def _form_labels() -> dict[str, str]:
    """The labels of the fields of the form this request posted (a task's or a start form), by id."""
    args = request.view_args or {}
    try:
        if request.endpoint == "pages.task_page":
            form = engine().tasks.get(str(args.get("task_id")))["form"]
        elif request.endpoint == "pages.start":
            form = engine().repository.get(str(args.get("key")))["start_form"]
        else:
            return {"reason": "Reason"}
    except errors.EngineError:  # gone, or the database is down: the ids will do
        return {}
    return {f["id"]: f.get("label") or f["id"] for f in (form or {}).get("fields") or []}


@pages.before_request
def _require_login() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS or session_principal() is not None:
        return None
    return redirect(url_for("pages.login_page", next=request.full_path.rstrip("?")))


@pages.before_request
def _check_text() -> None:
    """Text with NUL characters names nothing and cannot be stored (PostgreSQL refuses it)."""
    if any("\x00" in v for v in (request.view_args or {}).values() if isinstance(v, str)):
        raise NotFound("no such page: its address contains a NUL character")
    posted = (v for source in (request.args, request.form) for _name, vs in source.lists() for v in vs)
    if any("\x00" in v for v in posted):
        raise BadRequest("the request holds text with a NUL character, which cannot be stored")


@pages.errorhandler(errors.EngineError)
def _engine_error(exc: errors.EngineError) -> Any:
    return error_page(status_of(exc), exc.message, exc)


@pages.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    if exc.response is not None:
        return exc.response  # a page made for it (the login page's throttling, web.throttle)
    return error_page(exc.code or 500, exc.description or exc.name, exc)


@pages.errorhandler(Exception)
def _unexpected_error(exc: Exception) -> Any:
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return error_page(500, f"unexpected error: {type(exc).__name__}", exc)


@pages.app_template_filter("when")
def _when(value: str | None) -> str:
    """An ISO timestamp as `YYYY-MM-DD HH:MM UTC`."""
    moment = parse_iso(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment is not None else (value or "")


@pages.app_template_filter("age")
def _age(value: str | None) -> str:
    """How long ago an ISO timestamp was, roughly (`5 min`, `3 h`, `2 d`)."""
    moment = parse_iso(value)
    if moment is None:
        return ""
    seconds = max((datetime.now(UTC) - moment).total_seconds(), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return "just now"


@pages.app_template_filter("past")
def _past(value: str | None) -> bool:
    """Whether an ISO timestamp lies in the past (an overdue task)."""
    moment = parse_iso(value)
    return moment is not None and moment < datetime.now(UTC)


@pages.app_template_filter("pretty_json")
def _pretty_json(value: Any) -> str:
    """A variable's value as indented JSON."""
    import json

    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
