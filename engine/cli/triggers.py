"""`flowbridge trigger`: move an instance on at a receive task that waits (Camunda 7's signal)."""

from __future__ import annotations

import click

from ..accounts import Principal
from .app import App, pass_app
from .instances import echo_changed
from .options import json_option, parse_vars, var_option


@click.command(short_help="Move instance INSTANCE on at the receive task ELEMENT waiting there.")
@click.argument("instance_id", metavar="INSTANCE")
@click.argument("element_id", metavar="ELEMENT")
@var_option
@click.option(
    "--task",
    "task_id",
    metavar="TASK",
    help="Which task, where several wait at ELEMENT (a multi-instance one's; the task_id of its wait "
    "in `show --json`); default: the first that began to wait.",
)
@click.option(
    "--user",
    metavar="U",
    help="Trigger as U: refused unless U (or one of the --group groups) takes part in the instance, "
    "is in the integrations group or is an administrator; recorded in the history.",
)
@click.option("--group", "groups", multiple=True, metavar="G", help="A group of --user; repeatable.")
@click.option("--admin", is_flag=True, help="U triggers as an administrator.")
@json_option
@pass_app
def trigger(
    app: App,
    instance_id: str,
    element_id: str,
    variables: tuple[str, ...],
    task_id: str | None,
    user: str | None,
    groups: tuple[str, ...],
    admin: bool,
    as_json: bool,
) -> None:
    """Move instance INSTANCE on at receive task ELEMENT, which waits there (one that names no
    message, in Camunda 7, Flowable and plain BPMN models; or one waiting for its message), with
    the --var variables; prints the instance's new status. Nothing waiting there: exit 1."""
    if (groups or admin) and user is None:
        raise click.UsageError("--group and --admin need --user (they are the user's)")
    sender = Principal(user, tuple(groups), admin) if user is not None else None
    instance = app.engine().triggers.trigger(
        instance_id, element_id, parse_vars(variables), task_id=task_id, sender=sender
    )
    echo_changed(instance, as_json)
