"""`flowbridge jobs show`: one job (an async microflow call, a timer), its attempts and outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from .app import App, pass_app
from .options import json_option
from .output import compact, echo_json, parse_time, timestamp


def relative(value: str | None, now: datetime | None = None) -> str:
    """How far a timestamp is from now, in the largest whole unit: `in 29s`, `5m ago`, `now`."""
    moment = parse_time(value)
    if moment is None:
        return "-"
    seconds = round((moment - (now or datetime.now(UTC))).total_seconds())
    if seconds == 0:
        return "now"
    amount = abs(seconds)
    text = f"{amount}s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if amount >= size:
            text = f"{amount // size}{unit}"
            break
    return f"in {text}" if seconds > 0 else f"{text} ago"


def when(value: str | None) -> str:
    """A timestamp and how far it is from now: `2026-01-02 10:00:00 UTC (in 29s)`."""
    return f"{timestamp(value)} UTC ({relative(value)})" if value else "-"


def job_state(job: dict[str, Any]) -> str:
    """A job's state in a few words: `queued, attempt 1/4 failed, next try in 4s`."""
    status, attempts, most = job["status"], job["attempts"], job["max_attempts"]
    if status == "queued" and attempts:
        return f"queued, attempt {attempts}/{most} failed, next try {relative(job['due_at'])}"
    if status == "queued":
        due = relative(job["due_at"])
        return f"queued, due {due}" + ("" if due.startswith("in ") else ": waiting for a worker")
    if status == "running":
        return f"running, attempt {attempts}/{most}"
    return f"{status} after {attempts}/{most} attempts"


def job_what(job: dict[str, Any]) -> str:
    """What a job does: `microflow reserve_stock at reserve_stock_task`, `timer at wait`."""
    what = f"{job['kind']} {job['microflow']}" if job.get("microflow") else job["kind"]
    return f"{what} at {job['element_id']}" if job.get("element_id") else what


@click.group(short_help="Show or retry a job: status, attempts, due time, outcome.")
def jobs() -> None:
    """Jobs: async microflow calls and timers, run by workers (`flowbridge worker`)."""


@jobs.command("show", short_help="Show a job: status, attempts, due time, error, result.")
@click.argument("job_id", metavar="ID")
@json_option
@pass_app
def show_job(app: App, job_id: str, as_json: bool) -> None:
    """Show one job: what it runs, its status and attempts, when it is due, its error or result."""
    engine = app.engine()
    job = engine.jobs.get(job_id)
    if as_json:
        echo_json(job)
        return
    fields = [
        ("job", job["id"]),
        ("runs", job_what(job)),
        ("status", job_state(job)),
        ("attempts", f"{job['attempts']} of {job['max_attempts']}"),
        ("instance", job["instance_id"] or "-"),
        ("task", job["task_id"] or "-"),
        ("due", when(job["due_at"]) if job["status"] in ("queued", "running") else timestamp(job["due_at"])),
        ("created", timestamp(job["created_at"])),
        ("finished", timestamp(job["finished_at"])),
    ]
    if job["error"]:
        fields.append(("last error", job["error"]))
    if job["result"] is not None:
        fields.append(("result", compact(job["result"])))
    for label, value in fields:
        click.echo(f"{label:<13}{value}")
    if job["status"] == "failed" and job["instance_id"]:
        for incident in engine.incidents.list(status=None, instance_id=job["instance_id"]):
            if incident["job_id"] == job["id"]:
                line = f"{'incident':<13}{incident['id']} ({incident['status']})"
                if incident["status"] == "open":
                    line += f", retry: flowbridge incidents retry {incident['id']}"
                click.echo(line)


@jobs.command("retry", short_help="Retry a failed job.")
@click.argument("job_id", metavar="ID")
@json_option
@pass_app
def retry_job(app: App, job_id: str, as_json: bool) -> None:
    """Run a failed job again: a job behind an incident through its incident, any other failed job
    queued again with fresh attempts. Prints the job that will run."""
    job = app.engine().jobs.retry(job_id)
    if as_json:
        echo_json(job)
        return
    if job["id"] != job_id:
        click.echo(f"job {job_id} retried as job {job['id']}")
    click.echo(f"{job['id']}  {job_what(job)}  {job_state(job)}")
