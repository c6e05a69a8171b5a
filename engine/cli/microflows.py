"""`flowbridge microflows` and `flowbridge call`: the registered microflows, called directly."""

from __future__ import annotations

from typing import Any

import click

from .app import App, Refused, pass_app
from .options import json_option, parse_vars
from .output import echo_json, table

INPUT_HELP = (
    'Set input NAME; repeatable. The value is read as JSON (42, true, [1,2], {"a":1}); '
    "a value that is not valid JSON is taken as a plain string."
)


@click.command(short_help="List the registered microflows.")
@json_option
@pass_app
def microflows(app: App, as_json: bool) -> None:
    """List the registered microflows: name, default mode, inputs, timeout, retries."""
    items = app.engine().microflows.list()
    if as_json:
        echo_json(items)
        return
    if not items:
        click.echo("no microflows are registered (see --microflows and the models folder)")
        return
    table(
        ["MICROFLOW", "MODE", "INPUTS", "TIMEOUT", "RETRIES", "DESCRIPTION"],
        [
            [
                m["name"],
                m["mode"],
                _inputs(m),
                f"{m['timeout_seconds']:g}s",
                str(m["retries"]),
                m["description"] or "",
            ]
            for m in items
        ],
    )


@click.command(short_help="Call microflow NAME and print its result.")
@click.argument("name")
@click.option("--input", "inputs", multiple=True, metavar="NAME=JSON", help=INPUT_HELP)
@click.option(
    "--async", "run_async", is_flag=True, help="Queue the call as a job for a worker; print the job's id."
)
@click.option(
    "--timeout",
    "timeout_seconds",
    type=click.FloatRange(min=0, min_open=True, max=300),
    metavar="S",
    help="Wait at most S seconds (default: the microflow's own timeout).",
)
@json_option
@pass_app
def call(
    app: App,
    name: str,
    inputs: tuple[str, ...],
    run_async: bool,
    timeout_seconds: float | None,
    as_json: bool,
) -> None:
    """Call microflow NAME with the given inputs; print its result as JSON.

    With --async, queue the call as a job and print the job's id (follow it with
    `flowbridge jobs show ID`); --json prints the job instead.
    """
    for item in inputs:
        if not item.partition("=")[0].strip() or "=" not in item:
            raise Refused(f"--input expects NAME=VALUE, got {item!r}")
    values = parse_vars(inputs)
    service = app.engine().microflows
    if run_async:
        if timeout_seconds is not None:
            raise Refused("--timeout applies to a blocking call; an --async call has its microflow's timeout")
        job = service.call_async(name, values)
        if as_json:
            echo_json(job)
        else:
            click.echo(job["id"])
        return
    result = service.call(name, values, timeout_seconds=timeout_seconds)
    echo_json({"result": result} if as_json else result)


def _inputs(flow: dict[str, Any]) -> str:
    required = set(flow["required_inputs"])
    names = [n if n in required else f"[{n}]" for n in flow["inputs"]]
    if flow["accepts_any_input"]:
        names.append("**")
    return ", ".join(names) or "-"
