"""`flowbridge signal`: broadcast a signal to every instance that waits for it."""

from __future__ import annotations

import click

from .app import App, pass_app
from .options import json_option, parse_vars, var_option
from .output import echo_json, echo_reached


@click.command(short_help="Broadcast signal NAME to every instance that waits for it.")
@click.argument("name")
@var_option
@json_option
@pass_app
def signal(app: App, name: str, variables: tuple[str, ...], as_json: bool) -> None:
    """Deliver signal NAME to every instance that waits for it (its variables become theirs) and
    start every process whose signal start event it is. Prints the instances it reached; a signal
    nobody waits for reaches nobody, which is no error (BPMN)."""
    outcome = app.engine().signals.broadcast(name, parse_vars(variables))
    if as_json:
        echo_json(outcome)
        return
    echo_reached(outcome)
    if not outcome["delivered_to"] and not outcome["started"]:
        click.echo(f"no instance waits for signal '{name}' and no process starts with it")
