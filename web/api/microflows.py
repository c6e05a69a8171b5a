"""Microflows called alone: blocking (the answer) or async (a job to poll) — a screen's choice."""

from __future__ import annotations

from typing import Any

from apiflask import abort
from flask import jsonify, url_for

from engine.errors import MicroflowFailed, MicroflowTimeout

from ..auth import auth, principal
from .blueprint import api, engine
from .openapi import response, responses
from .schemas import CallAcceptedOut, CallIn, CallOut, MicroflowOut


@api.get("/microflows")
@api.auth_required(auth)
@api.output(MicroflowOut(many=True))
@api.doc(summary="Registered microflows")
def list_microflows() -> Any:
    """Name, default mode and input names of every registered microflow."""
    return engine().microflows.list()


@api.post("/microflows/<name>/call")
@api.auth_required(auth)
@api.input(CallIn, arg_name="body")
@api.output(CallOut, description="The blocking call's result")
@api.doc(
    summary="Call a microflow, blocking or async",
    responses=responses(
        {
            202: {
                **response("Async: the job to poll", CallAcceptedOut),
                "headers": {"Location": {"description": "The job's URL", "schema": {"type": "string"}}},
            },
            403: response("Not exposed to the caller, nor named by a form they may fill now"),
            404: response("No such microflow"),
            502: response("The microflow raised an error"),
            504: response("The blocking call took longer than its timeout"),
        }
    ),
)
def call(name: str, body: dict[str, Any]) -> Any:
    """`mode=blocking` waits for the result; `mode=async` answers 202 with a job at once."""
    caller = principal()
    the_engine = engine()
    the_engine.tasks.check_may_call(
        name, caller, task_id=body.get("task_id"), process_key=body.get("process_key")
    )
    flows = the_engine.microflows
    if body["mode"] == "async":
        job = flows.call_async(name, body["input"], user=caller.name)
        location = url_for("api.get_job", job_id=job["id"])
        # A whole Response bypasses the 200 output schema; the 202 shape is documented above.
        accepted = jsonify(job_id=job["id"])
        accepted.status_code = 202
        accepted.headers["Location"] = location
        return accepted
    try:
        result = flows.call(name, body["input"], body.get("timeout_seconds"), user=caller.name)
    except MicroflowTimeout as exc:
        abort(504, exc.message, exc.details)
    except MicroflowFailed as exc:
        abort(502, exc.message, exc.details)
    return {"result": result}
