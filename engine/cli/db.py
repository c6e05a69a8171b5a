"""`flowbridge db`: the database schema."""

from __future__ import annotations

import click

from .app import App, pass_app, safe_url


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command()
@pass_app
def upgrade(app: App) -> None:
    """Apply every schema migration not yet applied (start-up does this too)."""
    app.engine()
    click.echo(f"database schema is up to date: {safe_url(app.settings.database_url)}")
