"""`flowbridge message`: correlate a message to the instances that wait for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from .app import App, Refused, pass_app
from .options import json_option, parse_vars, var_option
from .output import echo_json, echo_reached

CORRELATE_HELP = (
    "Correlate on KEY: an instance waits for the message with KEY equal to VALUE (its correlation "
    "key, else its variable KEY; `business_key` is its business key); repeatable. VALUE is read "
    "as JSON, else taken as text."
)


def parse_correlation(values: Sequence[str]) -> dict[str, Any]:
    """`["orderId=7", "region=eu"]` → `{"orderId": 7, "region": "eu"}`, values read as `--var` reads them."""
    correlation: dict[str, Any] = {}
    for item in values:
        key, sep, _raw = item.partition("=")
        if not sep or not key.strip():
            raise Refused(f"--correlate expects KEY=VALUE, got {item!r}")
        correlation.update(parse_vars([item]))
    return correlation


@click.command(short_help="Correlate message NAME to the instances that wait for it.")
@click.argument("name")
@click.option("--correlate", "correlation", multiple=True, metavar="KEY=VALUE", help=CORRELATE_HELP)
@var_option
@click.option(
    "--id",
    "message_id",
    metavar="MESSAGE_ID",
    help="Deliver this message id at most once: repeating it delivers nothing more.",
)
@json_option
@pass_app
def message(
    app: App,
    name: str,
    correlation: tuple[str, ...],
    variables: tuple[str, ...],
    message_id: str | None,
    as_json: bool,
) -> None:
    """Deliver message NAME to every instance that waits for it (its variables become theirs), or
    start the processes whose message start event it is. Prints the instances it reached; when
    none waits and none starts, exit 1."""
    outcome = app.engine().messages.correlate(
        name, parse_correlation(correlation), parse_vars(variables), message_id=message_id
    )
    if as_json:
        echo_json(outcome)
        return
    echo_reached(outcome)
