"""Process definitions: deploy, list, read (with the XML), and start instances."""

from __future__ import annotations

from typing import Any

from apiflask import abort
from flask import Response
from marshmallow import RAISE
from werkzeug.datastructures import FileStorage

from ..auth import auth, principal, require_admin
from .blueprint import api, engine, send
from .openapi import response, responses
from .schemas import DefinitionOut, DeployedOut, DeployIn, InstanceOut, StartIn, VersionQuery

MAX_FILE_NAME = 255


@api.post("/process-definitions")
@api.auth_required(auth)
@api.input(DeployIn, location="files", arg_name="upload")
@api.output(DeployedOut(many=True), status_code=201, description="New versions were deployed")
@api.doc(
    summary="Deploy BPMN, DMN and form files (administrators)",
    responses=responses(
        {
            200: response("Nothing changed: the existing versions", DeployedOut(many=True)),
            400: response(
                "Bad input, or an invalid model (`invalid_model`): `details.problems` lists every problem "
                "of the files, each `{file, line, element, reason, message}`"
            ),
            403: response("Not an administrator"),
            409: response("Another deployment of the same process got there first; try again"),
        }
    ),
)
def deploy(upload: dict[str, Any]) -> Any:
    """Deploy one or more files; a process whose files did not change keeps its version (200)."""
    require_admin()
    files: dict[str, bytes] = {}
    for storage in upload["files"]:
        if not isinstance(storage, FileStorage):  # an empty form field named `files`, not a file
            abort(400, "each part named `files` must be a file")
        name = storage.filename or ""
        if not _plain_name(name) or name in files:
            abort(400, f"each file needs a distinct plain name of at most {MAX_FILE_NAME} characters")
        files[name] = storage.read()
    deployed = [d.as_dict() for d in engine().repository.deploy(files, upload.get("dialect"))]
    return deployed, 201 if any(d["created"] for d in deployed) else 200


@api.get("/process-definitions")
@api.auth_required(auth)
@api.output(DefinitionOut(many=True))
@api.doc(summary="The latest version of each process")
def list_definitions() -> Any:
    """Every deployed key, at its latest version."""
    return engine().repository.list_latest()


@api.get("/process-definitions/<key>")
@api.auth_required(auth)
@api.input(VersionQuery, location="query", arg_name="query", unknown=RAISE)
@api.output(DefinitionOut)
@api.doc(summary="One definition, with its start form", responses={404: "No such definition"})
def get_definition(key: str, query: dict[str, Any]) -> Any:
    """A definition at its latest version, or at `version`."""
    return engine().repository.get(key, query.get("version"))


@api.get("/process-definitions/<key>/xml")
@api.auth_required(auth)
@api.input(VersionQuery, location="query", arg_name="query", unknown=RAISE)
@api.doc(
    summary="The deployed BPMN XML",
    responses=responses(
        {
            200: response("The XML as deployed (as text/plain)", {"type": "string"}, "text/plain"),
            404: response("No such definition"),
        }
    ),
)
def definition_xml(key: str, query: dict[str, Any]) -> Any:
    """The XML exactly as it was deployed, as text a browser shows and never runs (an XHTML `<script>`
    in a model must not run in Flowbridge's origin)."""
    answer = Response(
        engine().repository.xml(key, query.get("version"), viewer=principal()), mimetype="text/plain"
    )
    answer.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    answer.headers["Content-Disposition"] = f'inline; filename="{key}.bpmn"'
    return answer


@api.post("/process-definitions/<key>/start")
@api.auth_required(auth)
@api.input(StartIn, arg_name="body")
@api.output(InstanceOut, status_code=201)
@api.doc(
    summary="Start an instance",
    responses={
        403: "The model lets others start it (candidateStarterUsers / candidateStarterGroups)",
        404: "No such definition",
        422: "The values fail the start form, or the flow failed before its first wait: nothing saved",
    },
)
def start(key: str, body: dict[str, Any]) -> Any:
    """Start an instance; with `wait_seconds`, answer once it ends or waits on people (or time is up)."""
    caller = principal()
    the_engine = engine()
    instance = the_engine.runtime.start(
        key, body["variables"], business_key=body.get("business_key"), user=caller.name, starter=caller
    )
    wait = body["wait_seconds"]
    if wait > 0 and instance["status"] not in ("completed", "terminated"):
        instance = the_engine.runtime.wait(instance["id"], wait)
    return send(instance, 201)


def _plain_name(name: str) -> bool:
    """A file name without folders or control characters (which databases may refuse to store)."""
    return 0 < len(name) <= MAX_FILE_NAME and name.isprintable() and "/" not in name and "\\" not in name
