"""`flowbridge start`, `instances` and `show`: process instances."""

from __future__ import annotations

from typing import Any

import click

from ..engine import Engine
from .app import App, pass_app
from .options import json_option, limit_option, parse_vars, var_option
from .output import age, compact, echo_json, more, table, task_table, timestamp

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
    type=click.FloatRange(min=0),
    default=0,
    metavar="S",
    help="Accepted like the API's wait_seconds; start already returns at the first wait state.",
)
@json_option
@pass_app
def start(
    app: App,
    key: str,
    variables: tuple[str, ...],
    business_key: str | None,
    wait_seconds: float,
    as_json: bool,
) -> None:
    """Start an instance of process KEY (its latest version); prints its id and status."""
    values = parse_vars(variables)
    instance = app.engine().runtime.start(key, values, business_key=business_key)
    if as_json:
        echo_json(instance)
    else:
        echo_instance_line(instance)


@click.command()
@click.option("--status", type=click.Choice(STATUSES), help="Only instances with this status.")
@click.option("--key", metavar="K", help="Only instances of this process.")
@click.option("--business-key", metavar="K", help="Only instances with this business key.")
@limit_option
@json_option
@pass_app
def instances(
    app: App, status: str | None, key: str | None, business_key: str | None, limit: int, as_json: bool
) -> None:
    """List process instances, newest first."""
    page = app.engine().runtime.list(key=key, status=status, business_key=business_key, limit=limit)
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


@click.command(short_help="Show an instance, its tasks and history.")
@click.argument("instance_id", metavar="ID")
@json_option
@pass_app
def show(app: App, instance_id: str, as_json: bool) -> None:
    """Show one instance: status, variables, open tasks, waits and history."""
    engine = app.engine()
    instance = engine.runtime.get(instance_id)
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
    if instance["tasks"]:
        click.echo("open tasks")
        task_table(instance["tasks"], indent="  ")
    other_waits = [w for w in instance["waiting"] if w.get("kind") != "user_task"]
    if other_waits:
        click.echo("waiting on")
        for wait in other_waits:
            click.echo(f"  {compact(wait)}")
    echo_history(engine, instance_id)


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
