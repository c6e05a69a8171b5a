"""Printing: JSON for scripts, compact aligned tables for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import click

from ..store.models import as_utc

SHORT_ID = 8
"""Characters of an id shown where the full id is not needed to act on it."""


def echo_json(value: Any) -> None:
    """Print `value` as indented JSON."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def echo_reached(outcome: dict[str, Any]) -> None:
    """Print where a message or signal went: the instances it reached, then those it started."""
    for instance_id in outcome["delivered_to"]:
        click.echo(f"delivered to {instance_id}")
    for instance_id in outcome["started"]:
        click.echo(f"started {instance_id}")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> None:
    """Print rows under headers, columns aligned, the last column left ragged."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for line in [headers, *rows]:
        cells = [str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)]
        click.echo(indent + "  ".join(cells).rstrip())


def short(identifier: str | None) -> str:
    """The first characters of an id."""
    return identifier[:SHORT_ID] if identifier else "-"


def parse_time(value: str | None) -> datetime | None:
    """An ISO timestamp as an aware datetime (SQLite returns naive UTC ones)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return as_utc(moment)


def age(value: str | None, now: datetime | None = None) -> str:
    """How long ago a timestamp was, in the largest whole unit: 42s, 5m, 3h, 12d."""
    moment = parse_time(value)
    if moment is None:
        return "-"
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def timestamp(value: str | None) -> str:
    """A timestamp as `YYYY-MM-DD HH:MM:SS` UTC, or `-`."""
    moment = parse_time(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def compact(value: Any, limit: int = 100) -> str:
    """Short one-line JSON of a value, cut with an ellipsis past `limit` characters."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def who(task: dict[str, Any]) -> str:
    """A task's assignment: the assignee, else its candidate users and groups, else `anyone`."""
    if task.get("assignee"):
        return str(task["assignee"])
    parts = []
    if task.get("candidate_users"):
        parts.append("users:" + ",".join(task["candidate_users"]))
    if task.get("candidate_groups"):
        parts.append("groups:" + ",".join(task["candidate_groups"]))
    return " ".join(parts) or "anyone"


def task_table(tasks: Sequence[dict[str, Any]], keys: dict[str, str] | None = None, indent: str = "") -> None:
    """The user-task table; with `keys` (instance id → process key) it names each task's instance."""
    headers = ["TASK", "INSTANCE", "PROCESS"] if keys is not None else ["TASK"]
    rows = []
    for t in tasks:
        where = [short(t["instance_id"]), keys.get(t["instance_id"], "?")] if keys is not None else []
        rows.append([t["id"], *where, t.get("name") or t["element_id"], who(t), age(t.get("created_at"))])
    table([*headers, "NAME", "ASSIGNED", "AGE"], rows, indent)


def more(shown: int, total: int) -> None:
    """Say when a list was cut by its limit."""
    if total > shown:
        click.echo(f"({shown} of {total} shown; use --limit)")
