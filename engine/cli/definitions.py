"""`flowbridge deploy` and `flowbridge definitions`: process definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import InvalidModel
from .app import App, Refused, one_line, pass_app
from .options import json_option
from .output import echo_json, table, timestamp

MODEL_SUFFIXES = (".bpmn", ".dmn", ".form", ".json")
"""Files a folder contributes to a deployment: models, and the form files their tasks link."""


def collect(paths: tuple[str, ...]) -> dict[str, bytes]:
    """Read the files to deploy, by file name: given files, and every *.bpmn and *.dmn in given folders.

    Names are bare file names so that the same models deploy as unchanged from any working
    directory; two different files with one name are refused.
    """
    found: dict[str, Path] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in MODEL_SUFFIXES and p.is_file())
            if not files:
                raise Refused(f"{path}: no .bpmn or .dmn files in this folder")
        else:
            files = [path]
        for file in files:
            other = found.get(file.name)
            if other is not None and other.resolve() != file.resolve():
                raise Refused(f"two files named {file.name}: {other} and {file}")
            found[file.name] = file
    return {name: file.read_bytes() for name, file in found.items()}


class ModelRefused(Refused):
    """An invalid model: exit code 1 and one `error: file:line: element: reason` line per problem."""

    def __init__(self, refusal: InvalidModel) -> None:
        super().__init__(refusal.message)
        self.lines = [str(p.get("message") or p.get("reason")) for p in refusal.problems] or [refusal.message]

    def show(self, file: Any = None) -> None:
        for line in self.lines:
            click.echo(f"error: {one_line(line)}", err=True, file=file)


@click.command(short_help="Deploy BPMN/DMN files or folders.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--dialect",
    metavar="DIALECT",
    help="Run the BPMN files as this editor's engine does: camunda7, camunda8, spiff (as SpiffArena) "
    "or bpmn; default: detected per file.",
)
@json_option
@pass_app
def deploy(app: App, paths: tuple[str, ...], dialect: str | None, as_json: bool) -> None:
    """Deploy BPMN and DMN files, or every *.bpmn and *.dmn in folders, as one deployment.

    Prints each process's key and version; unchanged XML keeps its version. An invalid model
    prints one `error:` line per problem (file:line: element: reason), a warning a `warning:` line.
    """
    files = collect(paths)
    try:
        deployed = app.engine().repository.deploy(files, dialect)
    except InvalidModel as refusal:
        raise ModelRefused(refusal) from refusal
    if as_json:
        echo_json([d.as_dict() for d in deployed])
        return
    width = max(len(d.key) for d in deployed)
    for d in deployed:
        click.echo(f"{d.key.ljust(width)}  version {d.version} ({'new' if d.created else 'unchanged'})")
        for warning in d.warnings:
            click.echo(f"warning: {warning}", err=True)


@click.command()
@json_option
@pass_app
def definitions(app: App, as_json: bool) -> None:
    """List the latest version of every deployed process."""
    items = app.engine().repository.list_latest()
    if as_json:
        echo_json(items)
        return
    if not items:
        click.echo("no process definitions deployed")
        return
    table(
        ["KEY", "VERSION", "NAME", "FILE", "DEPLOYED"],
        [
            [d["key"], str(d["version"]), d["name"] or "-", d["source_name"], timestamp(d["deployed_at"])]
            for d in items
        ],
    )
