"""`flowbridge tasks` and `complete`: user tasks."""

from __future__ import annotations

from typing import Any

import click

from ..engine import Engine
from ..errors import NotFound
from .app import App, pass_app
from .instances import echo_instance_line
from .options import json_option, limit_option, parse_vars, var_option
from .output import echo_json, more, task_table, who


def process_keys(engine: Engine, tasks: list[dict[str, Any]]) -> dict[str, str]:
    """Instance id → process key for the instances of these tasks (one query each)."""
    keys: dict[str, str] = {}
    for instance_id in dict.fromkeys(t["instance_id"] for t in tasks):
        try:
            keys[instance_id] = engine.runtime.get(instance_id)["key"]
        except NotFound:
            continue
    return keys


@click.command(short_help="List open user tasks.")
@click.option(
    "--user",
    metavar="U",
    help="Only tasks U may work on: assigned to U, offered to U or "
    "to one of the --group groups, or open to everyone.",
)
@click.option("--group", "groups", multiple=True, metavar="G", help="A group of --user; repeatable.")
@click.option("--instance", "instance_id", metavar="ID", help="Only tasks of this instance.")
@limit_option
@json_option
@pass_app
def tasks(
    app: App, user: str | None, groups: tuple[str, ...], instance_id: str | None, limit: int, as_json: bool
) -> None:
    """List open user tasks, oldest first."""
    if groups and user is None:
        raise click.UsageError("--group needs --user (the groups are the user's)")
    engine = app.engine()
    page = engine.tasks.list(user=user, groups=list(groups), instance_id=instance_id, limit=limit)
    if as_json:
        echo_json(page)
        return
    if not page["items"]:
        click.echo("no open tasks")
        return
    task_table(page["items"], process_keys(engine, page["items"]))
    more(len(page["items"]), page["total"])


@click.command(short_help="Complete a user task.")
@click.argument("task_id", metavar="TASK")
@var_option
@click.option(
    "--user",
    metavar="U",
    help="Complete as U: refused unless the task is assigned or offered "
    "to U or their groups (recorded in the history).",
)
@click.option("--group", "groups", multiple=True, metavar="G", help="A group of --user; repeatable.")
@click.option("--admin", is_flag=True, help="Complete as an administrator (--user), whoever's task it is.")
@json_option
@pass_app
def complete(
    app: App,
    task_id: str,
    variables: tuple[str, ...],
    user: str | None,
    groups: tuple[str, ...],
    admin: bool,
    as_json: bool,
) -> None:
    """Complete user task TASK and run its instance to the next wait state."""
    if groups and user is None:
        raise click.UsageError("--group needs --user (the groups are the user's)")
    if admin and user is None:
        raise click.UsageError("--admin needs --user (the administrator the history names)")
    values = parse_vars(variables)
    instance = app.engine().tasks.complete(task_id, values, user=user, groups=list(groups), admin=admin)
    if as_json:
        echo_json(instance)
        return
    click.echo(f"completed task {task_id}")
    echo_instance_line(instance)


@click.command(short_help="Claim a user task: become its assignee.")
@click.argument("task_id", metavar="TASK")
@click.option(
    "--user", required=True, metavar="U", help="Claim for U: the task must be offered to U or their groups."
)
@click.option("--group", "groups", multiple=True, metavar="G", help="A group of --user; repeatable.")
@click.option("--admin", is_flag=True, help="Claim as an administrator: any task, also one another holds.")
@json_option
@pass_app
def claim(app: App, task_id: str, user: str, groups: tuple[str, ...], admin: bool, as_json: bool) -> None:
    """Claim user task TASK for --user: it leaves the other candidates' lists."""
    task = app.engine().tasks.claim(task_id, user, groups=groups, admin=admin)
    if as_json:
        echo_json(task)
        return
    click.echo(f"task {task_id} is claimed by {task['assignee']}")


@click.command(short_help="Unclaim a user task: give it back to its candidates.")
@click.argument("task_id", metavar="TASK")
@click.option(
    "--user", required=True, metavar="U", help="Who unclaims it: the claimant (or, with --admin, anyone)."
)
@click.option("--admin", is_flag=True, help="Unclaim as an administrator, whoever holds the task.")
@json_option
@pass_app
def unclaim(app: App, task_id: str, user: str, admin: bool, as_json: bool) -> None:
    """Undo the claim on user task TASK; it returns to its candidates' lists."""
    task = app.engine().tasks.unclaim(task_id, user, admin=admin)
    if as_json:
        echo_json(task)
        return
    if task["assignee"]:
        click.echo(f"task {task_id} is assigned to {task['assignee']}")
    else:
        click.echo(f"task {task_id} is unclaimed, offered to {who(task)}")


@click.command(short_help="Give a user task to a user (an administrator's act).")
@click.argument("task_id", metavar="TASK")
@click.option("--to", "assignee", required=True, metavar="U", help="The user who gets the task.")
@click.option("--user", required=True, metavar="A", help="The administrator who assigns it (in the history).")
@json_option
@pass_app
def assign(app: App, task_id: str, assignee: str, user: str, as_json: bool) -> None:
    """Make --to the assignee of user task TASK, whoever held it."""
    task = app.engine().tasks.assign(task_id, assignee, user, admin=True)
    if as_json:
        echo_json(task)
        return
    click.echo(f"task {task_id} is assigned to {task['assignee']}")
