"""`flowbridge serve`: the web app and the API behind a production WSGI server, with a worker pool.

The command joins the engine's click group here, so the engine package never imports Flask;
the `flowbridge` console script is this module's `main`.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import click

from engine.cli import main
from engine.cli.app import App, pass_app, safe_url
from engine.cli.definitions import MODEL_SUFFIXES, collect
from engine.workers import Worker


@click.command(short_help="Serve the web app and API, with an embedded worker pool.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=4,
    show_default=True,
    type=click.IntRange(0, 64),
    help="Job worker threads (0: none).",
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="HTTP threads.")
@pass_app
def serve(app: App, host: str, port: int, workers: int, threads: int) -> None:
    """Apply migrations, deploy the models folder, run job workers, and serve HTTP until stopped.

    Listens on 127.0.0.1 unless told otherwise. SIGTERM or Ctrl-C stops it after the jobs
    that are running.
    """
    from waitress import create_server

    from web import create_app

    engine = app.engine()
    _deploy_models(engine, app.settings.models_path)
    worker = Worker(engine, concurrency=workers) if workers else None
    server = create_server(create_app(engine), host=host, port=port, threads=threads)
    click.echo(
        f"flowbridge serving http://{host}:{server.effective_port} "
        f"(database {safe_url(app.settings.database_url)}, {workers} worker threads)"
    )
    if not engine.accounts.any_users():
        # No default account exists, by design: say how to make the first one.
        click.echo(
            "no user exists yet: create the first administrator with "
            "`flowbridge users create NAME --admin`, then log in with its password"
        )

    def stop(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    if worker is not None:
        worker.start()
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.close()
        if worker is not None:
            worker.stop()
        click.echo("flowbridge stopped")


def _deploy_models(engine: Any, models_path: Path | None) -> None:
    """Deploy the models folder's changed models at start-up."""
    if models_path is None or not models_path.is_dir():
        return
    if not any(p.suffix.lower() in MODEL_SUFFIXES for p in models_path.iterdir()):
        return
    deployed = engine.repository.deploy(collect((str(models_path),)))
    for d in deployed:
        click.echo(f"{d.key} version {d.version} ({'new' if d.created else 'unchanged'})")


main.add_command(serve)

__all__ = ["main"]
if __name__ == "__main__":
    main()
