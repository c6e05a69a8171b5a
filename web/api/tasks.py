"""User tasks: the caller's task list, one task, claim, unclaim and complete.

A user sees and does only tasks assigned to them, or offered to them or one of their groups
(tasks nobody was named for are open to all); administrators see every task.
"""

from __future__ import annotations

from typing import Any

from apiflask import abort
from marshmallow import RAISE

from engine.accounts import check_may_see
from engine.errors import NotAllowed

from ..auth import auth, principal
from .blueprint import api, engine, send
from .schemas import (
    AssignIn,
    CompleteIn,
    InstanceOut,
    TaskCountOut,
    TaskListOut,
    TaskListQuery,
    TaskOut,
)

_TASK_ERRORS = {403: "The task is not yours to see or do", 404: "No such task"}


@api.get("/tasks")
@api.auth_required(auth)
@api.input(TaskListQuery, location="query", arg_name="query", unknown=RAISE)
@api.output(TaskListOut)
@api.doc(summary="Open user tasks")
def list_tasks(query: dict[str, Any]) -> Any:
    """Open tasks, oldest first unless `sort` says otherwise, each with its process and the
    variables a list shows; a non-administrator always gets only the tasks they may do."""
    caller = principal()
    mine = query["mine"] or not caller.admin or query["scope"] in ("assigned", "groups")
    page = engine().tasks.list(
        user=caller.name if mine else None,
        groups=list(caller.groups) if mine else None,
        assignee=query.get("assignee"),
        candidate_group=query.get("candidate_group"),
        instance_id=query.get("instance_id"),
        scope=query["scope"],
        process_key=query.get("process_key"),
        due_before=query.get("due_before"),
        search=query.get("q"),
        sort=query["sort"],
        limit=query["limit"],
        offset=query["offset"],
    )
    return send(page)


@api.get("/tasks/count")
@api.auth_required(auth)
@api.output(TaskCountOut)
@api.doc(summary="How many open tasks I may do")
def count_tasks() -> Any:
    """The caller's open tasks, counted (what the pages' header shows, polled)."""
    caller = principal()
    return {"open": engine().tasks.count(caller.name, caller.groups)}


@api.get("/tasks/<task_id>")
@api.auth_required(auth)
@api.output(TaskOut)
@api.doc(summary="One task, with its form", responses=_TASK_ERRORS)
def get_task(task_id: str) -> Any:
    """A task the caller may see: its form and the variables it shows."""
    task = engine().tasks.get(task_id)
    caller = principal()
    try:
        check_may_see(task, caller.name, caller.groups, caller.admin)
    except NotAllowed as exc:
        abort(403, exc.message)  # forbidden to see, as 403s the API decides itself
    return task


@api.post("/tasks/<task_id>/claim")
@api.auth_required(auth)
@api.output(TaskOut)
@api.doc(summary="Claim a task", responses={**_TASK_ERRORS, 409: "Claimed by another user, or closed"})
def claim(task_id: str) -> Any:
    """Make the task the caller's own, so it leaves the other candidates' lists."""
    caller = principal()
    return engine().tasks.claim(task_id, caller.name, caller.groups, admin=caller.admin)


@api.post("/tasks/<task_id>/assign")
@api.auth_required(auth)
@api.input(AssignIn, arg_name="body")
@api.output(TaskOut)
@api.doc(
    summary="Give a task to a user (administrators)", responses={**_TASK_ERRORS, 409: "The task is closed"}
)
def assign(task_id: str, body: dict[str, Any]) -> Any:
    """Make `assignee` the task's assignee, whoever held it; recorded in the instance's history."""
    caller = principal()
    return engine().tasks.assign(task_id, body["assignee"], caller.name, admin=caller.admin)


@api.post("/tasks/<task_id>/unclaim")
@api.auth_required(auth)
@api.output(TaskOut)
@api.doc(summary="Give a claimed task back", responses={**_TASK_ERRORS, 409: "The task is closed"})
def unclaim(task_id: str) -> Any:
    """Return the task to its candidates (its claimer or an administrator)."""
    caller = principal()
    return engine().tasks.unclaim(task_id, caller.name, caller.groups, admin=caller.admin)


@api.post("/tasks/<task_id>/complete")
@api.auth_required(auth)
@api.input(CompleteIn, arg_name="body")
@api.output(InstanceOut)
@api.doc(
    summary="Complete a task with its form's values",
    responses={**_TASK_ERRORS, 409: "Already completed", 422: "Form values invalid (per field)"},
)
def complete(task_id: str, body: dict[str, Any]) -> Any:
    """Validate the values against the task's form, complete it, and answer the instance."""
    caller = principal()
    done = engine().tasks.complete(
        task_id, body["variables"], user=caller.name, groups=caller.groups, admin=caller.admin
    )
    return send(done)
