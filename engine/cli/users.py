"""`flowbridge users` and `flowbridge tokens`: accounts and API tokens."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click

from ..errors import NotAllowed
from .app import App, pass_app
from .options import json_option
from .output import echo_json, table, timestamp


def read_password(from_stdin: bool) -> str:
    """A password from one line of stdin, or else from a hidden prompt asked twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)


@click.group(short_help="Manage users and their groups.")
def users() -> None:
    """Manage users: who may sign in, their groups (BPMN candidateGroups) and admin rights."""


@users.command("create", short_help="Create a user.")
@click.argument("name")
@click.option("--group", "groups", multiple=True, metavar="G", help="A group of the user; repeatable.")
@click.option("--admin", is_flag=True, help="The user administers the engine.")
@password_stdin_option
@click.option("--no-password", is_flag=True, help="No password: the user can only use API tokens.")
@pass_app
def create_user(
    app: App, name: str, groups: tuple[str, ...], admin: bool, password_stdin: bool, no_password: bool
) -> None:
    """Create user NAME; the password is asked for (twice, hidden) unless given another way."""
    if password_stdin and no_password:
        raise click.UsageError("--password-stdin and --no-password exclude each other")
    accounts = app.engine().accounts
    password = None if no_password else read_password(password_stdin)
    user = accounts.create_user(name, password, groups, admin=admin)
    click.echo(f"created user {user['name']}{describe(user)}")


@users.command("list", short_help="List users.")
@json_option
@pass_app
def list_users(app: App, as_json: bool) -> None:
    """List users by name."""
    rows = app.engine().accounts.list_users()
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no users")
        return
    table(
        ["NAME", "ADMIN", "DISABLED", "CREATED", "GROUPS"],
        [
            [
                u["name"],
                "yes" if u["admin"] else "-",
                "yes" if u["disabled"] else "-",
                timestamp(u["created_at"]),
                ", ".join(u["groups"]) or "-",
            ]
            for u in rows
        ],
    )


@users.command("groups", short_help="Set a user's groups.")
@click.argument("name")
@click.argument("groups", nargs=-1, metavar="[G]...")
@pass_app
def set_groups(app: App, name: str, groups: tuple[str, ...]) -> None:
    """Replace the groups of user NAME with G... (none given: no groups)."""
    app.engine().accounts.set_groups(name, groups)
    click.echo(f"{name}: groups {', '.join(sorted(set(groups))) or '(none)'}")


@users.command("password", short_help="Set a user's password.")
@click.argument("name")
@password_stdin_option
@pass_app
def set_password(app: App, name: str, password_stdin: bool) -> None:
    """Set a new password for user NAME (asked for twice, hidden, unless --password-stdin)."""
    accounts = app.engine().accounts
    # An unknown user is refused before the password is asked for; a disabled one may get a new one.
    with contextlib.suppress(NotAllowed):
        accounts.principal(name)
    accounts.set_password(name, read_password(password_stdin))
    click.echo(f"password set for {name}")


@users.command("disable", short_help="Disable a user.")
@click.argument("name")
@pass_app
def disable(app: App, name: str) -> None:
    """Disable user NAME: their password and tokens stop working until enabled again."""
    app.engine().accounts.set_disabled(name, True)
    click.echo(f"disabled user {name}")


@users.command("enable", short_help="Enable a disabled user.")
@click.argument("name")
@pass_app
def enable(app: App, name: str) -> None:
    """Enable user NAME again."""
    app.engine().accounts.set_disabled(name, False)
    click.echo(f"enabled user {name}")


@users.command("delete", short_help="Delete a user.")
@click.argument("name")
@pass_app
def delete_user(app: App, name: str) -> None:
    """Delete user NAME with their groups and tokens; their sessions end. A user created again under
    the name starts afresh. Their tasks and history stay."""
    app.engine().accounts.delete_user(name)
    click.echo(f"deleted user {name}")


@click.group(short_help="Manage API tokens.")
def tokens() -> None:
    """Manage API tokens (`Authorization: Bearer <token>`); only their hashes are stored."""


@tokens.command("create", short_help="Create an API token for a user.")
@click.argument("user")
@click.option("--name", "label", metavar="LABEL", help="What the token is for (shown in `tokens list`).")
@pass_app
def create_token(app: App, user: str, label: str | None) -> None:
    """Create an API token for USER and print it, once, as the last word of the output."""
    secret, token = app.engine().accounts.create_token(user, label)
    click.echo(f"token for {user} (id {token['id']}): {secret}")


@tokens.command("list", short_help="List API tokens.")
@click.option("--user", metavar="U", help="Only the tokens of user U.")
@json_option
@pass_app
def list_tokens(app: App, user: str | None, as_json: bool) -> None:
    """List API tokens that are not revoked (never the tokens themselves)."""
    rows = app.engine().accounts.list_tokens(user)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no tokens")
        return
    table(
        ["ID", "USER", "NAME", "CREATED", "LAST USED"],
        [
            [t["id"], t["user"], t["name"] or "-", timestamp(t["created_at"]), timestamp(t["last_used_at"])]
            for t in rows
        ],
    )


@tokens.command("revoke", short_help="Revoke an API token.")
@click.argument("token_id", metavar="ID")
@pass_app
def revoke(app: App, token_id: str) -> None:
    """Revoke token ID: requests with it are refused from now on."""
    app.engine().accounts.revoke_token(token_id)
    click.echo(f"revoked token {token_id}")


def describe(user: dict[str, Any]) -> str:
    """` (admin; groups a, b)` for a user, or nothing."""
    parts = (["admin"] if user["admin"] else []) + (
        [f"groups {', '.join(user['groups'])}"] if user["groups"] else []
    )
    return f" ({'; '.join(parts)})" if parts else ""
