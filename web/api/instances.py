"""Process instances: list, inspect, history; suspend, resume and terminate; trigger a receive task."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE

from ..auth import auth, principal, require_admin
from .blueprint import api, engine, send
from .schemas import (
    ElementOut,
    HistoryEventOut,
    InstanceListOut,
    InstanceListQuery,
    InstanceOut,
    TerminateIn,
    TriggerIn,
)

_NOT_ALLOWED = {
    403: "Not an administrator",
    404: "No such instance",
    409: "Not allowed in the instance's state",
}


@api.get("/process-instances")
@api.auth_required(auth)
@api.input(InstanceListQuery, location="query", arg_name="query", unknown=RAISE)
@api.output(InstanceListOut)
@api.doc(summary="Instances, newest first (those the caller may see)")
def list_instances(query: dict[str, Any]) -> Any:
    """Instances filtered by key, status and business key, a page at a time."""
    return engine().runtime.list(
        key=query.get("key"),
        status=query.get("status"),
        business_key=query.get("business_key"),
        limit=query["limit"],
        offset=query["offset"],
        viewer=principal(),
    )


@api.get("/process-instances/<instance_id>")
@api.auth_required(auth)
@api.output(InstanceOut)
@api.doc(summary="One instance and everything it waits on", responses={404: "No such instance"})
def get_instance(instance_id: str) -> Any:
    """Status, variables, open tasks, waits, jobs and incidents."""
    return send(engine().runtime.get(instance_id, viewer=principal()))


@api.get("/process-instances/<instance_id>/history")
@api.auth_required(auth)
@api.output(HistoryEventOut(many=True))
@api.doc(summary="The instance's history, oldest first", responses={404: "No such instance"})
def instance_history(instance_id: str) -> Any:
    """Append-only events: who did what, when, with which variables."""
    return engine().history.events(instance_id, viewer=principal())


@api.get("/process-instances/<instance_id>/elements/<element_id>")
@api.auth_required(auth)
@api.output(ElementOut)
@api.doc(
    summary="One element of an instance: its history and what it waits for",
    responses={
        400: "The element id is longer than 255 characters",
        404: "No such instance, or its process has no such element",
    },
)
def instance_element(instance_id: str, element_id: str) -> Any:
    """The element's name and type, its history events, waits, open tasks, jobs and incidents."""
    return send(engine().elements.element(instance_id, element_id, viewer=principal()))


@api.post("/process-instances/<instance_id>/suspend")
@api.auth_required(auth)
@api.output(InstanceOut)
@api.doc(summary="Suspend an instance (administrators)", responses=_NOT_ALLOWED)
def suspend(instance_id: str) -> Any:
    """Nothing changes a suspended instance: its tasks, timers, jobs and messages wait."""
    return engine().runtime.suspend(instance_id, user=require_admin().name)


@api.post("/process-instances/<instance_id>/resume")
@api.auth_required(auth)
@api.output(InstanceOut)
@api.doc(
    summary="Resume a suspended instance (administrators)",
    responses={**_NOT_ALLOWED, 422: "The flow failed at its next step (a due timer's); nothing was saved"},
)
def resume(instance_id: str) -> Any:
    """The instance goes on where it stood."""
    return engine().runtime.resume(instance_id, user=require_admin().name)


@api.post("/process-instances/<instance_id>/terminate")
@api.auth_required(auth)
@api.input(TerminateIn, arg_name="body")
@api.output(InstanceOut)
@api.doc(summary="Terminate an instance (administrators)", responses=_NOT_ALLOWED)
def terminate(instance_id: str, body: dict[str, Any]) -> Any:
    """End the instance now: its tasks close and its jobs are cancelled."""
    caller = require_admin()
    return engine().runtime.terminate(instance_id, user=caller.name, reason=body.get("reason"))


@api.post("/process-instances/<instance_id>/trigger")
@api.auth_required(auth)
@api.input(TriggerIn, arg_name="body")
@api.output(InstanceOut)
@api.doc(
    summary="Move an instance on at a waiting receive task",
    responses={
        400: "The process has no such element, or it is no receive task",
        404: "No such instance, or none the caller takes part in (administrators and the integrations "
        "group reach every one)",
        409: "Nothing waits there now (triggered already), or the instance is suspended or has ended",
        422: "The flow failed at its next step; nothing was saved",
    },
)
def trigger(instance_id: str, body: dict[str, Any]) -> Any:
    """Camunda 7's `runtimeService.signal`: the receive task waiting at `element_id` (the one
    `task_id` names, where several wait) takes the variables and the flow runs on to its next wait."""
    return send(
        engine().triggers.trigger(
            instance_id, body["element_id"], body["variables"], body.get("task_id"), sender=principal()
        )
    )
