"""An instance's waits and history as a person reads them, and the administrators' acts on waits.

"Waiting for" names each element by its name and says what moves it on: a message's name and
the correlation values that reach it, with the command line and curl that deliver it; a timer's
due time; a job's attempts. Administrators deliver the message, fire a timer that is due, or
trigger a waiting receive task from the page (DESIGN §6a), each through the engine's facade.
History rows come from the engine (engine.runtime.readable_history); this module adds the words
for durations and values.
"""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from typing import Any

from flask import flash, redirect, request, url_for
from werkzeug.exceptions import BadRequest

from engine.runtime import parse_iso

from .blueprint import engine, pages, require_admin

MAX_SHOWN_VALUE = 80
"""The most characters of a changed value a history row shows (the API has what was kept)."""
_UNITS = (("d", 86400, "h", 3600), ("h", 3600, "min", 60), ("min", 60, "s", 1))
"""Duration units: name, seconds, and the smaller unit shown after it."""


def wait_rows(waits: list[dict[str, Any]], base_url: str) -> list[dict[str, Any]]:
    """The instance's waits (as `engine.waits.describe` gives them), each with what the page says
    about it: `label` (the element's name, else its id), `due` (a timer's due time, when it has
    one), `is_due` (it is past), and for a message the `cli` and `curl` lines that deliver it."""
    now = datetime.now(UTC)
    rows = []
    for wait in waits:
        row = dict(wait)
        row["label"] = wait.get("element_name") or wait.get("element_id") or wait.get("name") or ""
        due = wait.get("due_at") or (wait.get("value") if _is_timer(wait) else None)
        moment = parse_iso(due)
        row["due"] = due if moment is not None else None
        row["is_due"] = moment is not None and moment <= now and _is_timer(wait)
        deliver = wait.get("deliver")
        if deliver:
            row["cli"] = _cli_line(deliver)
            row["curl"] = _curl_line(deliver, base_url)
            row["correlation_json"] = json.dumps(deliver["correlation"], sort_keys=True)
        rows.append(row)
    return rows


def _is_timer(wait: dict[str, Any]) -> bool:
    return "Timer" in str(wait.get("event_type") or "")


def _cli_line(deliver: dict[str, Any]) -> str:
    words = ["flowbridge", "message", deliver["name"]]
    for key, value in sorted(deliver["correlation"].items()):
        text = value if isinstance(value, str) else json.dumps(value)
        words += ["--correlate", f"{key}={text}"]
    return shlex.join(words)


def _curl_line(deliver: dict[str, Any], base_url: str) -> str:
    body = json.dumps({"name": deliver["name"], "correlation": deliver["correlation"]}, sort_keys=True)
    return (
        f"curl -X POST {shlex.quote(base_url.rstrip('/') + '/api/messages')} "
        '-H "Authorization: Bearer $FLOWBRIDGE_TOKEN" -H "Content-Type: application/json" '
        f"-d {shlex.quote(body)}"
    )


@pages.app_template_filter("duration")
def _duration(seconds: float | None) -> str:
    """Seconds in words: `< 0.1 s`, `0.4 s`, `12 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`."""
    if seconds is None:
        return ""
    if seconds < 0.1:
        return "< 0.1 s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    for unit, size, small, small_size in _UNITS:
        if whole >= size:
            rest = (whole % size) // small_size
            return f"{whole // size} {unit}" + (f" {rest} {small}" if rest else "")
    return f"{whole} s"


@pages.app_template_filter("when_exact")
def _when_exact(value: str | None) -> str:
    """An ISO timestamp as `YYYY-MM-DD HH:MM:SS UTC` (the page shows it in local time, local-time.js)."""
    moment = parse_iso(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else (value or "")


@pages.app_template_filter("short_json")
def _short_json(value: Any) -> str:
    """A changed variable's value as short JSON text (a kept string that was cut stays as it is)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


@pages.post("/instances/<instance_id>/deliver")
def deliver_message(instance_id: str) -> Any:
    """Deliver the message an instance waits for (administrators), with the wait's correlation."""
    user = require_admin()
    name = request.form.get("name", "").strip()
    try:
        correlation = json.loads(request.form.get("correlation") or "{}")
    except ValueError as exc:
        raise BadRequest("the correlation values are not JSON") from exc
    if not isinstance(correlation, dict):
        raise BadRequest("the correlation values must be a JSON object")
    outcome = engine().messages.correlate(name, correlation, sender=user)
    others = [i for i in outcome["delivered_to"] if i != instance_id]
    flash(
        f"Message '{name}' delivered"
        + (f" (and to {len(others)} other instance{'s' if len(others) != 1 else ''})." if others else "."),
        "success",
    )
    return redirect(url_for("pages.instance_page", instance_id=instance_id), 303)


@pages.post("/instances/<instance_id>/fire-timers")
def fire_timers(instance_id: str) -> Any:
    """Fire the instance's due timers now (administrators): what its timer job would do."""
    require_admin()
    engine().runtime.fire_timers(instance_id)
    flash("The due timers fired.", "success")
    return redirect(url_for("pages.instance_page", instance_id=instance_id), 303)


@pages.post("/instances/<instance_id>/trigger")
def trigger(instance_id: str) -> Any:
    """Move the instance on at a waiting receive task (administrators)."""
    user = require_admin()
    element_id = request.form.get("element_id", "").strip()
    task_id = request.form.get("task_id", "").strip() or None
    engine().triggers.trigger(instance_id, element_id, task_id=task_id, sender=user)
    flash("The receive task is triggered.", "success")
    return redirect(url_for("pages.instance_page", instance_id=instance_id), 303)
