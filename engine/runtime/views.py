"""The shapes the API and `--json` show: built from projections, never from workflow state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..store.models import Incident, UserTask, as_utc, iso
from .projections import OpenTask


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
        "created_at": iso(row.created_at),
        "completed_at": iso(row.completed_at),
        "completed_by": row.completed_by,
        "due_at": iso(row.due_at),
        "follow_up_at": iso(row.follow_up_at),
        "priority": row.priority,
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
        "created_at": iso(task.created_at),
        "completed_at": None,
        "completed_by": None,
        "due_at": iso(task.due_at),
        "follow_up_at": iso(task.follow_up_at),
        "priority": task.priority,
    }


def instance_view(
    row: dict[str, Any],
    tasks: list[dict[str, Any]] | None,
    jobs: list[dict[str, Any]] | None = None,
    incidents: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An instance as `GET /api/process-instances/{id}` shows it (lists leave out its tasks).

    With `jobs` (its unfinished jobs, as `job_view` shows them) the view lists them and adds to
    each wait that a job ends its state (see `waits_with_jobs`); with `incidents` (its open ones)
    it lists those, else the incidents its waits name.
    """
    waiting = row["waiting"] or []
    view: dict[str, Any] = {
        "id": row["id"],
        "key": row["key"],
        "version": row["version"],
        "business_key": row["business_key"],
        "status": row["status"],
        "variables": row["variables"],
        "waiting": waiting if jobs is None else waits_with_jobs(waiting, jobs, incidents or []),
        "incidents": incidents if incidents is not None else _incidents_of(row["id"], waiting),
        "started_at": iso(row["started_at"]),
        "ended_at": iso(row["ended_at"]),
    }
    if tasks is not None:
        view["tasks"] = tasks
    if jobs is not None:
        view["jobs"] = jobs
    return view


TIMER_EVENT_TYPES = frozenset(
    {
        "TimerEventDefinition",
        "TimeDateEventDefinition",
        "DurationTimerEventDefinition",
        "CycleTimerEventDefinition",
    }
)
"""The `event_type`s of waiting timers (SpiffWorkflow's event definition classes)."""


def waits_with_jobs(
    waiting: list[dict[str, Any]], jobs: list[dict[str, Any]], incidents: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Copies of the waits, each one a job ends (or ended, for an incident) with that job's state.

    A waiting service task names its job, an incident names the job that failed; a waiting
    timer is the timer job due at its due time (or, when the times cannot be compared, the one
    timer job left). Adds `job_id`, `job_status`, `attempts`, `max_attempts`, `due_at`,
    `last_error` and `microflow` (a microflow's job), and to a timer its `element_id` and `task_id`.
    """
    by_id = {job["id"]: job for job in jobs}
    failed = {incident["id"]: incident.get("job_id") for incident in incidents}
    timers = [job for job in jobs if job["kind"] == "timer"]
    enriched: list[dict[str, Any]] = []
    for wait in waiting:
        wait = dict(wait)
        job = None
        if wait.get("kind") == "service_task" and wait.get("job_id"):
            job = by_id.get(wait["job_id"])
        elif wait.get("kind") == "incident":
            job = by_id.get(failed.get(wait.get("incident_id")) or "")
        elif wait.get("kind") == "event" and wait.get("event_type") in TIMER_EVENT_TYPES:
            job = _timer_job(wait, timers)
            if job is not None:
                timers.remove(job)
                wait.setdefault("element_id", job["element_id"])
                wait.setdefault("task_id", job["task_id"])
        if job is not None:
            wait.update(
                job_id=job["id"],
                job_status=job["status"],
                attempts=job["attempts"],
                max_attempts=job["max_attempts"],
                due_at=job["due_at"],
                last_error=job["error"],
            )
            if job["microflow"]:
                wait["microflow"] = job["microflow"]
        enriched.append(wait)
    return enriched


def _timer_job(wait: dict[str, Any], timers: list[dict[str, Any]]) -> dict[str, Any] | None:
    due = parse_iso(wait.get("value"))
    if due is not None:
        for job in timers:
            job_due = parse_iso(job["due_at"])
            if job_due is not None and abs((job_due - due).total_seconds()) < 0.001:
                return job
    return timers[0] if len(timers) == 1 else None


def parse_iso(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from a view (naive ones are UTC); None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return as_utc(moment)


def _incidents_of(instance_id: str, waiting: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The open incidents the waits name, for views built without reading the incident rows."""
    return [
        {
            "id": w.get("incident_id"),
            "instance_id": instance_id,
            "task_id": w.get("task_id"),
            "element_id": w.get("element_id"),
            "error": w.get("error"),
            "status": "open",
        }
        for w in waiting
        if w.get("kind") == "incident"
    ]


def incident_view(row: Incident) -> dict[str, Any]:
    """The API's shape of an incident."""
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "job_id": row.job_id,
        "task_id": row.task_id,
        "element_id": row.element_id,
        "error": row.error,
        "status": row.status,
        "created_at": iso(row.created_at),
        "resolved_at": iso(row.resolved_at),
    }
