"""`flowbridge incidents` and `flowbridge incidents retry`: work that failed after its last retry."""

from __future__ import annotations

import time
from typing import Any

import click

from ..engine import Engine
from .app import App, Refused, pass_app
from .jobs import job_state
from .options import json_option, viewer_of, viewer_options
from .output import age, echo_json, short, table

FINISHED = ("done", "failed", "cancelled")
"""Job statuses that end a job: `retry --wait` stops waiting at one of them."""
POLL_SECONDS = (0.05, 0.5)
"""`retry --wait` polls the job this often: first, and at most (the interval doubles)."""


@click.group(invoke_without_command=True, short_help="List open incidents; retry one.")
@click.option("--all", "show_all", is_flag=True, help="Resolved incidents too.")
@click.option("--instance", "instance_id", metavar="ID", help="Only this instance's incidents.")
@viewer_options
@json_option
@click.pass_context
def incidents(
    ctx: click.Context,
    show_all: bool,
    instance_id: str | None,
    user: str | None,
    groups: tuple[str, ...],
    as_json: bool,
) -> None:
    """List open incidents, newest first (`--all`: resolved ones too).

    An incident is an async microflow or a timer that failed after its last retry; its
    instance waits there until `flowbridge incidents retry ID` sends the work to the workers again.
    """
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(App)
    assert app is not None
    status = None if show_all else "open"
    viewer = viewer_of(user, groups)
    items = app.engine().incidents.list(status=status, instance_id=instance_id, viewer=viewer)
    if as_json:
        echo_json(items)
        return
    if not items:
        click.echo("no incidents" if show_all else "no open incidents")
        return
    headers = ["INCIDENT", "INSTANCE", "ELEMENT", *(["STATUS"] if show_all else []), "AGE", "ERROR"]
    rows = [
        [
            i["id"],
            short(i["instance_id"]),
            i["element_id"] or "-",
            *([i["status"]] if show_all else []),
            age(i["created_at"]),
            _cut(i["error"]),
        ]
        for i in items
    ]
    table(headers, rows)
    if any(i["status"] == "open" for i in items):
        click.echo("retry one: flowbridge incidents retry INCIDENT [--wait S]")


@incidents.command("retry", short_help="Retry an incident's work; --wait for its outcome.")
@click.argument("incident_id", metavar="ID")
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0),
    default=None,
    metavar="S",
    help="Wait up to S seconds for the retry's outcome; exit 1 unless it succeeded.",
)
@json_option
@pass_app
def retry(app: App, incident_id: str, wait_seconds: float | None, as_json: bool) -> None:
    """Send incident ID's failed work to the workers again, with fresh attempts.

    Without --wait it only queues the work (a worker runs it). With --wait S it waits up to S
    seconds for the outcome and prints it: exit 0 when the work succeeded, 1 when it failed
    again (a new incident), was cancelled, or had not finished in time.
    """
    engine = app.engine()
    retried = engine.incidents.retry(incident_id)
    job_id = retried.get("retry_job_id")
    if wait_seconds is None:
        if as_json:
            echo_json(retried)
        else:
            click.echo(f"incident {incident_id} resolved; its work is queued again as job {job_id}")
            click.echo(f"a worker runs it (flowbridge worker); follow it with: flowbridge jobs show {job_id}")
        return
    if job_id is None:
        raise Refused(f"incident {incident_id} was resolved, but no new job was written for it")
    job = wait_for(engine, job_id, wait_seconds)
    new_incident = _incident_of(engine, job) if job["status"] == "failed" else None
    if as_json:
        echo_json({**retried, "job": job, "new_incident": new_incident})
    else:
        click.echo(f"incident {incident_id} retried as job {job_id}: {job_state(job)}")
    if job["status"] == "done":
        return
    if job["status"] not in FINISHED:
        raise Refused(
            f"job {job_id} has not finished within {wait_seconds:g} s ({job_state(job)}"
            + (f"; last error: {job['error']}" if job["error"] else "")
            + f"); follow it with: flowbridge jobs show {job_id}"
        )
    if new_incident is not None:
        raise Refused(
            f"job {job_id} failed again: {job['error']}; new incident {new_incident['id']} "
            f"(flowbridge incidents retry {new_incident['id']})"
        )
    raise Refused(f"job {job_id} {job['status']}" + (f": {job['error']}" if job["error"] else ""))


def wait_for(engine: Engine, job_id: str, seconds: float) -> dict[str, Any]:
    """Poll job `job_id` until it finishes or `seconds` pass; the job as last seen."""
    deadline = time.monotonic() + seconds
    interval = POLL_SECONDS[0]
    while True:
        job = engine.jobs.get(job_id)
        left = deadline - time.monotonic()
        if job["status"] in FINISHED or left <= 0:
            return job
        time.sleep(min(interval, left))
        interval = min(interval * 2, POLL_SECONDS[1])


def _incident_of(engine: Engine, job: dict[str, Any]) -> dict[str, Any] | None:
    """The incident a failed job raised, if it raised one."""
    if not job["instance_id"]:
        return None
    found = [i for i in engine.incidents.list(instance_id=job["instance_id"]) if i["job_id"] == job["id"]]
    return found[0] if found else None


def _cut(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
