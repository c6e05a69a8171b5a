"""The shapes the API and `--json` show: built from projections, never from workflow state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .models import UserTask
from .projections import OpenTask


def _iso(value: datetime | None) -> str | None:
    # SQLite hands back naive datetimes; everything the engine stores is UTC.
    if value is None:
        return None
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()


def task_view(row: UserTask) -> dict[str, Any]:
    """A user task as `GET /api/tasks/{id}` shows it."""
    return {
        "id": row.id,
        "name": row.name,
        "element_id": row.element_id,
        "instance_id": row.instance_id,
        "status": row.status,
        "assignee": row.assignee,
        "candidate_users": row.candidate_users,
        "candidate_groups": row.candidate_groups,
        "lane": row.lane,
        "form": row.form,
        "variables": row.variables,
        "created_at": _iso(row.created_at),
        "completed_at": _iso(row.completed_at),
        "completed_by": row.completed_by,
    }


def open_task_view(instance_id: str, task: OpenTask) -> dict[str, Any]:
    """A task the step just projected, in the same shape as `task_view`."""
    return {
        "id": task.id,
        "name": task.name,
        "element_id": task.element_id,
        "instance_id": instance_id,
        "status": "open",
        "assignee": task.assignee,
        "candidate_users": task.candidate_users,
        "candidate_groups": task.candidate_groups,
        "lane": task.lane,
        "form": task.form,
        "variables": task.variables,
        "created_at": _iso(task.created_at),
        "completed_at": None,
        "completed_by": None,
    }


def instance_view(row: dict[str, Any], tasks: list[dict[str, Any]] | None) -> dict[str, Any]:
    """An instance as `GET /api/process-instances/{id}` shows it (lists leave out its tasks)."""
    view: dict[str, Any] = {
        "id": row["id"],
        "key": row["key"],
        "version": row["version"],
        "business_key": row["business_key"],
        "status": row["status"],
        "variables": row["variables"],
        "waiting": row["waiting"],
        "incidents": [],
        "started_at": _iso(row["started_at"]),
        "ended_at": _iso(row["ended_at"]),
    }
    if tasks is not None:
        view["tasks"] = tasks
    return view
