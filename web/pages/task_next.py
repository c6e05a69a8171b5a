"""Where a person goes after completing a task, and the note that says what was done.

The next task is the first of the instance's new tasks that is the person's to do (assigned or
offered to them or their groups), else the first of the list they came from (`task_filters`: the
task page carries that list's query string as `list`, or it is the last list they looked at);
with none, back to that list. The note — the task completed, a link to its instance, and the way
back to the list — waits in the session for the next task page or list to show it.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from engine.accounts import Principal, may_do_view

from . import task_filters
from .blueprint import engine

LAST_LIST = "fb_task_list"
"""The session key of the query string of the task list the person last looked at."""
DONE = "fb_task_done"
"""The session key of the note about the task just completed, until a page shows it."""


def remember_list(query: str) -> None:
    """Keep the query string of the list being shown, for the task pages opened from it."""
    if session.get(LAST_LIST) != query:
        session[LAST_LIST] = query


def list_query(user: Principal) -> str:
    """The list a task page leads back to: its `list` argument (or posted field), checked, else the
    last list the person looked at."""
    given = request.values.get("list")
    query = given if given is not None else session.get(LAST_LIST, "")
    return task_filters.encode(task_filters.decode(str(query), user))


def list_url(query: str) -> str:
    """The task list with the filters of `query`."""
    return url_for("pages.task_list") + (f"?{query}" if query else "")


def after_completing(user: Principal, task: dict[str, Any], instance: dict[str, Any]) -> Response:
    """Go to the person's next task, or back to their list; the note waits for that page."""
    query = list_query(user)
    following = _next_task(user, task["id"], instance, query)
    process = engine().repository.for_instances([instance["id"]]).get(instance["id"]) or {}
    session[DONE] = {
        "task": task["name"] or task["element_id"],
        "instance_id": instance["id"],
        "process": process.get("name") or instance.get("key"),
        "business_key": instance.get("business_key"),
        "status": instance.get("status"),
        "next": following is not None,
        "list_url": list_url(query),
    }
    if following is not None:
        target = url_for("pages.task_page", task_id=following["id"], list=query or None)
    else:
        target = list_url(query)
    return redirect(target, 303)


def done_note() -> dict[str, Any] | None:
    """The note about the task just completed, once (None when there is none)."""
    note = session.pop(DONE, None)
    return note if isinstance(note, dict) else None


def _next_task(user: Principal, done_id: str, instance: dict[str, Any], query: str) -> dict[str, Any] | None:
    """The instance's first new task that is the person's own, else the first one of their list."""
    for task in instance.get("tasks") or []:
        if task["id"] != done_id and may_do_view(task, user.name, user.groups):
            return task
    filters = task_filters.decode(query, user)
    found = engine().tasks.list(**task_filters.list_arguments(filters, user), limit=5)
    for task in found["items"]:
        if task["id"] != done_id and (user.admin or may_do_view(task, user.name, user.groups)):
            return task
    return None
