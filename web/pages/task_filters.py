"""The task list's filters: read from the query string, so that a filtered list can be bookmarked
and a task's page can lead back to it (or to its next task), and turned into the engine's list.

The arguments are the API's (`GET /api/tasks`): `scope` (`all` I may do, `assigned` to me,
`groups`: offered to my groups, `unassigned`; administrators also `everyone`: every open task),
`process_key`, `candidate_group`, `due_before` (a date: due before its midnight, UTC), `q`
(search text) and `sort`; only the page sorts newest first by default. The older `all=1` is
`scope=everyone`. A value the list cannot use is left out, and the page says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from engine.accounts import Principal
from engine.store import parse_moment
from engine.tasks import SCOPES, SORTS

from .blueprint import pages

DEFAULT_SORT = "-created"
"""The page's order when none is asked for: newest first."""
EVERYONE = "everyone"
"""The administrators' scope: every open task, whoever may do it."""
SCOPE_LABELS = {
    "all": "All I may do",
    "assigned": "Assigned to me",
    "groups": "Offered to my groups",
    "unassigned": "Unassigned",
    EVERYONE: "Every open task",
}
SORT_LABELS = {
    "-created": "Newest first",
    "created": "Oldest first",
    "due": "Due soonest",
    "name": "Task name",
    "process": "Process",
}
ARGS = ("scope", "process_key", "candidate_group", "due_before", "q", "sort")
"""The query arguments of a filtered list, in the order its links write them."""
MAX_TEXT = 255
"""The longest search text, process key or group name (the columns' width)."""
MAX_SHOWN_VALUE = 60
"""The longest a list variable's value is shown in a row before it is cut."""


def read(args: Mapping[str, str], user: Principal) -> tuple[dict[str, str], list[str]]:
    """The filters `args` give (defaults and empty ones left out) and, in words, what was ignored."""
    filters: dict[str, str] = {}
    ignored: list[str] = []
    scope = EVERYONE if args.get("all") == "1" and not args.get("scope") else args.get("scope", "")
    if scope == EVERYONE and not user.admin:
        ignored.append("Only administrators may list every open task: showing yours.")
    elif scope and scope not in SCOPES and scope != EVERYONE:
        ignored.append(f"There is no list “{scope}”: showing all you may do.")
    elif scope and scope != "all":
        filters["scope"] = scope
    for name in ("process_key", "candidate_group", "q"):
        value = (args.get(name) or "").strip()
        if len(value) > MAX_TEXT:
            ignored.append(f"The {_NAMES[name]} is longer than {MAX_TEXT} characters: not filtered by it.")
        elif value:
            filters[name] = value
    due = (args.get("due_before") or "").strip()
    if due and parse_moment(due) is None:
        ignored.append(f"“{due}” is no date (like 2026-05-01): not filtered by due date.")
    elif due:
        filters["due_before"] = due
    sort = args.get("sort") or DEFAULT_SORT
    if sort not in SORT_LABELS and sort.removeprefix("-") not in SORTS:
        ignored.append(f"The list cannot be sorted by “{sort}”: newest first instead.")
    elif sort != DEFAULT_SORT:
        filters["sort"] = sort
    return filters, ignored


_NAMES = {"process_key": "process", "candidate_group": "candidate group", "q": "search text"}


def list_arguments(filters: Mapping[str, str], user: Principal) -> dict[str, Any]:
    """The engine's `TaskService.list` arguments for the filters, as `user` sees the list."""
    everyone = filters.get("scope") == EVERYONE
    return {
        "user": None if everyone else user.name,
        "groups": None if everyone else list(user.groups),
        "scope": "all" if everyone else filters.get("scope", "all"),
        "process_key": filters.get("process_key"),
        "candidate_group": filters.get("candidate_group"),
        "due_before": filters.get("due_before"),
        "search": filters.get("q"),
        "sort": filters.get("sort", DEFAULT_SORT),
    }


def encode(filters: Mapping[str, str]) -> str:
    """The filters as a query string (empty for the default list)."""
    return urlencode([(name, filters[name]) for name in ARGS if name in filters])


def decode(query: str, user: Principal) -> dict[str, str]:
    """The filters of a query string `encode` wrote (anything it cannot use left out)."""
    return read(dict(parse_qsl(query or "")), user)[0]


@pages.app_template_filter("list_value")
def _list_value(value: Any) -> str:
    """A list variable's value, short: text as it is, yes/no, numbers, else compact JSON; cut when long."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ": "), default=str)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"
