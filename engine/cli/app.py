"""The `flowbridge` group: global options, opening the engine once per command, and error mapping.

Commands parse their input, call one engine service and print the answer. Everything the
engine refuses becomes exit code 1 with one line on stderr (`error: ...`), never a traceback;
click's own usage errors keep exit code 2.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from ..engine import Engine
from ..errors import EngineError
from ..settings import Settings


class Refused(click.ClickException):
    """Bad input or a refusal: exit code 1 and `error: <message>` on stderr."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {one_line(self.format_message())}", err=True, file=file)


def one_line(text: str) -> str:
    """Collapse a message (database drivers like to add hints on new lines) to one line."""
    return " ".join(text.split())


def safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class App:
    """What one command invocation shares: the settings, and the engine once it is opened."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None

    def engine(self) -> Engine:
        """The engine, opened on first use with its schema brought up to date."""
        if self._engine is None:
            try:
                engine = Engine(self.settings)
            except ImportError as exc:
                raise Refused(
                    f"no database driver for {safe_url(self.settings.database_url)}: {exc} "
                    "(for PostgreSQL: pip install 'flowbridge[postgres]')"
                ) from exc
            try:
                engine.upgrade()
            except BaseException:
                engine.close()
                raise
            self._engine = engine
        return self._engine

    def close(self) -> None:
        """Release the engine's database connections."""
        if self._engine is not None:
            self._engine.close()
            self._engine = None


pass_app = click.make_pass_decorator(App)


class FlowbridgeGroup(click.Group):
    """A click group that turns engine, file and database failures into exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EngineError as exc:
            raise Refused(exc.message) from exc
        except OperationalError as exc:
            url = ctx.obj.settings.database_url if isinstance(ctx.obj, App) else "?"
            reason = str(exc.orig) if exc.orig is not None else str(exc)
            raise Refused(f"the database at {safe_url(url)} is unavailable: {reason}") from exc
        except ArgumentError as exc:
            raise Refused(f"bad database URL: {exc}") from exc
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename is not None else ""
            raise Refused(f"{where}{exc.strerror or exc}") from exc


@click.group(cls=FlowbridgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    help="Database URL (else $FLOWBRIDGE_DATABASE_URL, else sqlite:///instance/flowbridge.sqlite3).",
)
@click.option(
    "--models",
    "models_path",
    metavar="PATH",
    help="Models folder; its *.py files load as microflows (else $FLOWBRIDGE_MODELS, else ./bpmn).",
)
@click.option(
    "--microflows",
    metavar="MODULES",
    help="Comma-separated microflow modules to import (else $FLOWBRIDGE_MICROFLOWS).",
)
@click.pass_context
def main(
    ctx: click.Context, database_url: str | None, models_path: str | None, microflows: str | None
) -> None:
    """Flowbridge: run BPMN process flows with Python microflows."""
    modules = None
    if microflows is not None:
        modules = tuple(m.strip() for m in microflows.split(",") if m.strip())
    settings = Settings.from_env(
        database_url=database_url, models_path=models_path, microflow_modules=modules
    )
    app = App(settings)
    ctx.obj = app
    ctx.call_on_close(app.close)
