"""`flowbridge start`, `instances` and `show`: process instances."""

from __future__ import annotations

import json
from typing import Any

import click

from ..accounts import Principal
from ..engine import Engine
from ..runtime.views import TIMER_EVENT_TYPES
from .app import App, pass_app
from .jobs import job_state, job_what, when
from .options import json_option, limit_option, parse_vars, var_option, viewer_of, viewer_options
from .output import age, compact, echo_json, more, table, task_table, timestamp, who

STATUSES = ("running", "waiting", "completed", "terminated", "suspended", "incident")
"""Instance statuses (DESIGN §5)."""


def echo_instance_line(instance: dict[str, Any]) -> None:
    """`<id>  <key> v<version>  <status>`, then the open tasks it waits on."""
    click.echo(f"{instance['id']}  {instance['key']} v{instance['version']}  {instance['status']}")
    tasks = instance.get("tasks") or []
    if tasks:
        click.echo("waits on:")
        task_table(tasks, indent="  ")


@click.command(short_help="Start an instance of process KEY.")
@click.argument("key")
@var_option
@click.option("--business-key", metavar="K", help="A business key to find the instance by.")
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0, max=300),
    default=0,
    metavar="S",
    help="Wait up to S seconds (0..300) for the instance to end or to wait only on people or "
    "outside events (its async microflows and near timers run in workers meanwhile).",
)
@click.option(
    "--user",
    metavar="U",
    help="Start as U: refused unless the model lets U or one of the --group groups start it; the "
    "values must pass its start form.",
)
@click.option("--group", "groups", multiple=True, metavar="G", help="A group of --user; repeatable.")
@json_option
@pass_app
def start(
    app: App,
    key: str,
    variables: tuple[str, ...],
    business_key: str | None,
    wait_seconds: float,
    user: str | None,
    groups: tuple[str, ...],
    as_json: bool,
) -> None:
    """Start an instance of process KEY (its latest version); prints its id and status."""
    if groups and user is None:
        raise click.UsageError("--group needs --user (the groups are the user's)")
    values = parse_vars(variables)
    engine = app.engine()
    starter = Principal(user, tuple(groups)) if user is not None else None
    instance = engine.runtime.start(key, values, business_key=business_key, user=user, starter=starter)
    if wait_seconds > 0:
        instance = engine.runtime.wait(instance["id"], wait_seconds)
    if as_json:
        echo_json(instance)
    else:
        echo_instance_line(instance)


@click.command()
@click.option("--status", type=click.Choice(STATUSES), help="Only instances with this status.")
@click.option("--key", metavar="K", help="Only instances of this process.")
@click.option("--business-key", metavar="K", help="Only instances with this business key.")
@viewer_options
@limit_option
@json_option
@pass_app
def instances(
    app: App,
    status: str | None,
    key: str | None,
    business_key: str | None,
    user: str | None,
    groups: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """List process instances, newest first."""
    viewer = viewer_of(user, groups)
    page = app.engine().runtime.list(
        key=key, status=status, business_key=business_key, limit=limit, viewer=viewer
    )
    if as_json:
        echo_json(page)
        return
    if not page["items"]:
        click.echo("no process instances")
        return
    table(
        ["INSTANCE", "PROCESS", "STATUS", "BUSINESS KEY", "STARTED"],
        [
            [
                i["id"],
                f"{i['key']} v{i['version']}",
                i["status"],
                i["business_key"] or "-",
                f"{age(i['started_at'])} ago",
            ]
            for i in page["items"]
        ],
    )
    more(len(page["items"]), page["total"])


@click.command(short_help="Show an instance: status, variables, what it waits on, history.")
@click.argument("instance_id", metavar="ID")
@viewer_options
@json_option
@pass_app
def show(app: App, instance_id: str, user: str | None, groups: tuple[str, ...], as_json: bool) -> None:
    """Show one instance: status, variables, open tasks, waits and history."""
    engine = app.engine()
    instance = engine.runtime.get(instance_id, viewer=viewer_of(user, groups))
    if as_json:
        echo_json(instance)
        return
    fields = [
        ("instance", instance["id"]),
        ("process", f"{instance['key']} version {instance['version']}"),
        ("status", instance["status"]),
        ("business key", instance["business_key"] or "-"),
        ("started", timestamp(instance["started_at"])),
        ("ended", timestamp(instance["ended_at"])),
    ]
    for label, value in fields:
        click.echo(f"{label:<13}{value}")
    click.echo("variables")
    for name, value in sorted(instance["variables"].items()):
        click.echo(f"  {name} = {compact(value)}")
    lines = wait_lines(instance)
    if lines:
        click.echo("waits on")
        for line in lines:
            click.echo(f"  {line}")
    echo_history(engine, instance_id)


def wait_lines(instance: dict[str, Any]) -> list[str]:
    """One line per wait of an instance (as `runtime.get` shows it): what it waits for and why.

    User tasks with their assignment, jobs with their status and attempts, timers with their due
    time, messages with their correlation, incidents with how to retry them; then any unfinished
    job no wait names.
    """
    tasks = {t["id"]: t for t in instance.get("tasks") or []}
    named_jobs = set()
    lines = []
    for wait in instance["waiting"]:
        kind, element = wait.get("kind"), wait.get("element_id") or "?"
        job = _job_of(wait)
        if job is not None:
            named_jobs.add(job["id"])
        if kind == "user_task":
            task = tasks.get(wait.get("task_id") or "")
            name = f"{task['name']} ({element})" if task and task.get("name") else element
            assigned = who(task) if task else "?"
            lines.append(f"{'user task':<10} {name}, {assigned}, task {wait.get('task_id')}")
        elif kind == "service_task":
            if job is None:
                lines.append(f"{'job':<10} {element}: no job found (task {wait.get('task_id')})")
            else:
                lines.append(_job_line(job))
        elif kind == "incident":
            incident = wait.get("incident_id")
            lines.append(
                f"{'incident':<10} {element}: {wait.get('error')}; incident {incident}, "
                f"retry: flowbridge incidents retry {incident}"
            )
        elif kind == "error":
            lines.append(f"{'error':<10} {element}: the task failed (task {wait.get('task_id')})")
        elif kind == "event":
            lines.append(_event_line(wait, job))
        elif kind == "trigger":
            name = f"{wait['name']} ({element})" if wait.get("name") else element
            locals_ = f", local {compact(wait['local_variables'], 60)}" if wait.get("local_variables") else ""
            move_on = f"flowbridge trigger {instance['id']} {element}"
            lines.append(f"{'trigger':<10} {name}{locals_}; task {wait.get('task_id')}, move on: {move_on}")
        else:
            lines.append(f"{kind or '?':<10} {compact(wait)}")
    for job in instance.get("jobs") or []:
        if job["id"] not in named_jobs:
            lines.append(_job_line(job))
    return lines


def _event_line(wait: dict[str, Any], job: dict[str, Any] | None) -> str:
    event_type = str(wait.get("event_type") or "")
    name = wait.get("name") or wait.get("element_id") or "?"
    label = f"{name} ({wait['element_id']})" if wait.get("element_id") not in (None, name) else name
    if event_type in TIMER_EVENT_TYPES:
        due = job["due_at"] if job is not None else wait.get("value")
        state = f", {job['status']}{_last_error(job)}" if job is not None and job["attempts"] else ""
        return f"{'timer':<10} {label}: due {when(due)}{state}"
    if "Message" in event_type:
        correlation = wait.get("correlation")
        if isinstance(correlation, dict) and correlation:
            pairs = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in correlation.items())
            return f"{'message':<10} {label}, correlation {pairs}"
        if correlation:
            return f"{'message':<10} {label}, correlation {compact(correlation)}"
        return f"{'message':<10} {label}"
    kind = event_type.removesuffix("EventDefinition").lower() or "event"
    return f"{kind:<10} {label}"


def _job_of(wait: dict[str, Any]) -> dict[str, Any] | None:
    """The job fields `runtime.get` adds to a wait, in `job_view`'s shape; None without a job."""
    if not wait.get("job_status"):
        return None
    return {
        "id": wait["job_id"],
        "kind": "timer" if wait.get("kind") == "event" else "microflow",
        "microflow": wait.get("microflow"),
        "element_id": wait.get("element_id"),
        "status": wait["job_status"],
        "attempts": wait.get("attempts") or 0,
        "max_attempts": wait.get("max_attempts") or 0,
        "due_at": wait.get("due_at"),
        "error": wait.get("last_error"),
    }


def _job_line(job: dict[str, Any]) -> str:
    return f"{'job':<10} {job_what(job)}: {job_state(job)}{_last_error(job)}, job {job['id']}"


def _last_error(job: dict[str, Any]) -> str:
    return f", last error: {job['error']}" if job.get("error") else ""


def echo_history(engine: Engine, instance_id: str) -> None:
    """The instance's events, oldest first: time, kind, element, user and variables given."""
    events = engine.history.events(instance_id)
    click.echo("history")
    rows = []
    for event in events:
        element = event["element_id"] or ""
        if event["element_name"] and event["element_name"] != element:
            element = f"{element} ({event['element_name']})"
        detail = ""
        variables = (event["data"] or {}).get("variables")
        if variables:
            detail = compact(variables, 60)
        by = f"by {event['user']}" if event["user"] else ""
        rows.append([timestamp(event["at"]), event["kind"], element, by, detail])
    headers = ["AT (UTC)", "EVENT", "ELEMENT", "USER", "VARIABLES"]
    if not any(row[3] for row in rows):
        headers.pop(3)
        rows = [[*row[:3], row[4]] for row in rows]
    if rows:
        table(headers, rows, indent="  ")


user_option = click.option("--user", metavar="U", help="Who does it (recorded in the history).")


def echo_changed(instance: dict[str, Any], as_json: bool) -> None:
    """An instance after a change: JSON, or its line with its new status."""
    if as_json:
        echo_json(instance)
    else:
        echo_instance_line(instance)


@click.command(short_help="Suspend an instance.")
@click.argument("instance_id", metavar="ID")
@user_option
@json_option
@pass_app
def suspend(app: App, instance_id: str, user: str | None, as_json: bool) -> None:
    """Suspend instance ID (running, waiting or incident): its tasks cannot be completed, its jobs
    and timers do not run and messages pass it by until it is resumed. Prints its new status."""
    echo_changed(app.engine().runtime.suspend(instance_id, user=user), as_json)


@click.command(short_help="Resume a suspended instance.")
@click.argument("instance_id", metavar="ID")
@user_option
@json_option
@pass_app
def resume(app: App, instance_id: str, user: str | None, as_json: bool) -> None:
    """Resume suspended instance ID: it takes the status its waits give it, and its jobs run
    again. Prints its new status."""
    echo_changed(app.engine().runtime.resume(instance_id, user=user), as_json)


@click.command(short_help="Terminate an instance.")
@click.argument("instance_id", metavar="ID")
@click.option("--reason", metavar="R", help="Why (recorded in the history).")
@user_option
@json_option
@pass_app
def terminate(app: App, instance_id: str, reason: str | None, user: str | None, as_json: bool) -> None:
    """Terminate instance ID (any that has not ended): its open tasks and jobs are cancelled and
    its message waits removed. Prints its new status."""
    echo_changed(app.engine().runtime.terminate(instance_id, user=user, reason=reason), as_json)
