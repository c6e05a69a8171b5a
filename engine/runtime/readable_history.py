"""An instance's history as people read it: one row per thing that happened, in words.

The stored events (engine.runtime.history) stay as they are — the API shows them all, times in
UTC. For people, `readable` makes rows of them: an element someone acted on (a completed user
task, a delivered message, a trigger) is one row, not the act's event and the element's
completion twice; each row says who did it (`actor`, None for the engine), how long the element
took where it waited, what the step changed in the variables, and, for a termination, why.
"""

from __future__ import annotations

from typing import Any

ACTS = frozenset({"user_task_completed", "message_received", "triggered", "signal_received"})
"""Events of a person's (or a client's) act on a waiting element; its completion joins their row."""
TITLES = {
    "instance_started": "Started",
    "instance_completed": "Finished",
    "instance_suspended": "Suspended",
    "instance_resumed": "Resumed",
    "instance_terminated": "Terminated",
    "activity_completed": "Passed",
    "activity_cancelled": "Cancelled",
    "activity_failed": "Failed",
    "user_task_completed": "Completed the task",
    "message_received": "Message received",
    "message_thrown": "Message sent",
    "message_not_delivered": "Message not delivered",
    "triggered": "Triggered",
    "signal_received": "Signal received",
    "signal_thrown": "Signal sent",
    "incident_raised": "Incident",
    "incident_retried": "Incident retried",
    "variables_changed": "Variables changed",
    "compensation_thrown": "Compensation",
    "job_result_ignored": "Late result ignored",
}
"""What each kind of event is called in a row (anything else: its kind in words)."""


def readable(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for people from an instance's events (oldest first, as `HistoryService.events` gives
    them): `at`, `kind`, `title`, `element_id`, `element_name`, `element_type`, `actor`,
    `duration_seconds`, `changes` (and `more`), `reason`, `message`, `error`, `by_administrator`
    and `assignee`."""
    rows: list[dict[str, Any]] = []
    acts: dict[str, dict[str, Any]] = {}
    for event in events:
        data = event.get("data") or {}
        task_id = event.get("task_id")
        act = acts.pop(task_id, None) if task_id and event["kind"] == "activity_completed" else None
        if act is not None:
            # The element the act finished: its row is the act's.
            act["duration_seconds"] = data.get("duration_seconds")
            act["element_type"] = act["element_type"] or event.get("element_type")
            continue
        row = _row(event, data)
        if event["kind"] in ACTS and task_id:
            acts[task_id] = row
        rows.append(row)
    return rows


def _row(event: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    kind = event["kind"]
    return {
        "id": event.get("id"),
        "at": event["at"],
        "kind": kind,
        "title": TITLES.get(kind) or kind.replace("_", " ").capitalize(),
        "element_id": event.get("element_id") if kind != "instance_started" else None,
        "element_name": event.get("element_name"),
        "element_type": event.get("element_type"),
        "actor": event.get("user"),
        "duration_seconds": data.get("duration_seconds"),
        "changes": data.get("changes") or [],
        "more": data.get("more") or 0,
        "reason": data.get("reason") if kind == "instance_terminated" else None,
        "message": data.get("name") if kind.startswith(("message_", "signal_")) else None,
        "error": data.get("error"),
        "by_administrator": bool(data.get("by_administrator")),
        "assignee": data.get("assignee"),
    }
