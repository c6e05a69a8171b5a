"""Options several commands share: `--var NAME=JSON`, `--json`, `--limit`, and `--user`/`--group`
for a reader who sees only what DESIGN §6a lets them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from .app import Refused

if TYPE_CHECKING:
    from ..accounts.service import Principal

VAR_HELP = (
    "Set variable NAME; repeatable. The value is read as JSON (42, true, null, [1,2], "
    '{"a":1}, \'"text"\'); a value that is not valid JSON is taken as a plain string.'
)

FC = Callable[..., Any]


def var_option(func: FC) -> FC:
    """`--var NAME=JSON`, repeatable, into the parameter `variables`."""
    return click.option("--var", "variables", multiple=True, metavar="NAME=JSON", help=VAR_HELP)(func)


def json_option(func: FC) -> FC:
    """`--json`: print the API's JSON object instead of the human form."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON, as the HTTP API answers.")(func)


def limit_option(func: FC) -> FC:
    """`--limit N`: the page size of a list (1..1000)."""
    return click.option(
        "--limit", type=click.IntRange(1, 1000), default=50, show_default=True, help="Show at most this many."
    )(func)


def viewer_options(func: FC) -> FC:
    """`--user U` and `--group G` (repeatable): show only what U, a member of those groups, may see
    (the instances they take part in); into the parameters `user` and `groups` (see `viewer_of`)."""
    func = click.option(
        "--group", "groups", multiple=True, metavar="G", help="A group of --user; repeatable."
    )(func)
    return click.option(
        "--user",
        metavar="U",
        help="Show only what U may see: instances U (or one of the --group groups) started or has or "
        "had a task in.",
    )(func)


def viewer_of(user: str | None, groups: Sequence[str]) -> Principal | None:
    """The reader `--user`/`--group` name, or None (everything) without `--user`."""
    if groups and user is None:
        raise click.UsageError("--group needs --user (the groups are the user's)")
    from ..accounts.service import Principal

    return Principal(user, tuple(groups)) if user is not None else None


def parse_vars(values: Sequence[str]) -> dict[str, Any]:
    """`["a=1", "name=Ada"]` → `{"a": 1, "name": "Ada"}`; a missing `=` or name is refused."""
    variables: dict[str, Any] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise Refused(f"--var expects NAME=VALUE, got {item!r}")
        try:
            variables[name] = json.loads(raw, parse_constant=_not_json)
        except ValueError:
            variables[name] = raw
    return variables


def _not_json(constant: str) -> Any:
    # NaN and Infinity are accepted by Python's json module but are not JSON.
    raise ValueError(constant)
