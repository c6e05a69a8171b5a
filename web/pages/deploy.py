"""Deploying by upload (administrators): BPMN, DMN and form files, several at once."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from engine.errors import InvalidInput

from ..errors import status_of
from .blueprint import engine, pages, require_admin

MAX_FILE_NAME = 255
"""The longest file name kept (the column's width)."""
DIALECT_CHOICES = (
    ("", "Detect from the file (Camunda 7, Camunda 8, SpiffArena, plain BPMN)"),
    ("camunda7", "Camunda 7 / Flowable"),
    ("camunda8", "Camunda 8 (Zeebe)"),
    ("spiff", "SpiffArena (task data; plain and manual tasks wait)"),
    ("bpmn", "Plain BPMN"),
)
"""The deploy form's choice of engine to run the files as: value and label."""


@pages.route("/deploy", methods=["GET", "POST"])
def deploy() -> Any:
    """The upload form; a deployment lists each process's key and version, or why it was refused."""
    require_admin()
    if request.method == "GET":
        return render_template("deploy.html", dialects=DIALECT_CHOICES)
    files: dict[str, bytes] = {}
    for upload in request.files.getlist("files"):
        name = upload.filename or ""
        if not name and not upload.content_length:
            continue  # the empty part a browser sends when no file was chosen
        if not _plain_name(name) or name in files:
            return _refused(
                f"each file needs a distinct plain name of at most {MAX_FILE_NAME} characters: {name!r}"
            )
        files[name] = upload.read()
    if not files:
        return _refused("choose one or more BPMN, DMN or form files to deploy")
    try:
        deployed = engine().repository.deploy(files, request.form.get("dialect") or None)
    except InvalidInput as exc:
        return _refused(exc.message, exc.details, status_of(exc), sorted(files))
    return render_template(
        "deploy.html", deployed=[d.as_dict() for d in deployed], names=sorted(files), dialects=DIALECT_CHOICES
    )


def _refused(
    message: str, details: dict[str, Any] | None = None, status: int = 400, names: list[str] | None = None
) -> tuple[str, int]:
    line = (details or {}).get("line")
    page = render_template(
        "deploy.html", refusal=message, line=line, names=names or [], dialects=DIALECT_CHOICES
    )
    return page, status


def _plain_name(name: str) -> bool:
    """A file name without folders or control characters (which databases may refuse to store)."""
    return 0 < len(name) <= MAX_FILE_NAME and name.isprintable() and "/" not in name and "\\" not in name
