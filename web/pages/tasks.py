"""The task list (the home page), a task's page with its form, and claiming.

Who sees a task follows the API's rule (`web.api.tasks`): administrators see every task, others
the tasks assigned or offered to them or their groups (or offered to nobody, so open to all).
Doing a task is the engine's decision (`engine.tasks.complete`): an administrator may do, claim
and reassign any task (the history records whose task it was).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from engine.accounts import Principal, check_may_see, may_do_view
from engine.errors import FormInvalid, InvalidInput, StepFailed

from ..errors import status_of
from . import forms as page_forms
from .blueprint import caller, engine, error_page, local_target, pager, pages, paging


@pages.get("/")
def task_list() -> Any:
    """My tasks and my groups' tasks, oldest first; an administrator may list every open task."""
    user = caller()
    limit, offset = paging()
    everyone = user.admin and request.args.get("all") == "1"
    found = engine().tasks.list(
        user=None if everyone else user.name,
        groups=None if everyone else list(user.groups),
        limit=limit,
        offset=offset,
    )
    processes = engine().repository.for_instances([t["instance_id"] for t in found["items"]])
    return render_template(
        "tasks.html",
        tasks=found["items"],
        processes=processes,
        everyone=everyone,
        pager=pager(found["total"], limit, offset),
        may_do=may_do,
    )


@pages.route("/tasks/<task_id>", methods=["GET", "POST"])
def task_page(task_id: str) -> Any:
    """A task with its form; posting the form completes the task (422 with the fields' errors)."""
    user = caller()
    task = engine().tasks.get(task_id)
    check_may_see(task, user.name, user.groups, user.admin)
    if task["status"] != "open":
        who = f" by {task['completed_by']}" if task["completed_by"] else ""
        return error_page(409, f"Task “{_name(task)}” is already {task['status']}{who}.")
    form = task["form"]
    if request.method == "GET":
        return _render(task, user, page_forms.shown_values(form, task["variables"]))
    if page_forms.has_fields(form):
        variables, shown = page_forms.posted(form, request.form, task["variables"])
        problems: dict[str, str] = {}
    else:
        variables, problems = page_forms.posted_variables(request.form)
        shown = {}
    if problems:
        return _render(task, user, shown, problems, "Some values need correcting."), 422
    try:
        engine().tasks.complete(task_id, variables, user=user.name, groups=user.groups, admin=user.admin)
    except (FormInvalid, InvalidInput, StepFailed) as exc:
        fields = exc.details.get("fields") if isinstance(exc, FormInvalid) else None
        errors = fields if isinstance(fields, dict) else {}
        message = "Some values need correcting." if errors else exc.message
        return _render(task, user, shown, errors, message), status_of(exc)
    flash(f"Task “{_name(task)}” completed.", "success")
    return redirect(url_for("pages.task_list"), 303)


@pages.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> Any:
    """Make the task mine (409 when another user holds it)."""
    user = caller()
    task = engine().tasks.claim(task_id, user.name, user.groups, admin=user.admin)
    flash(f"You claimed “{_name(task)}”.", "success")
    return redirect(local_target(request.form.get("next"), url_for("pages.task_list")), 303)


@pages.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str) -> Any:
    """Give the task back to its candidates (its claimer, or an administrator)."""
    user = caller()
    task = engine().tasks.unclaim(task_id, user.name, user.groups, admin=user.admin)
    flash(f"You gave “{_name(task)}” back.", "success")
    return redirect(local_target(request.form.get("next"), url_for("pages.task_list")), 303)


def may_do(user: Principal, task: dict[str, Any]) -> bool:
    """Whether `user` may do the task (engine.accounts.access's rule; administrators any), for the
    templates."""
    return user.admin or may_do_view(task, user.name, user.groups)


def _render(
    task: dict[str, Any],
    user: Principal,
    shown: dict[str, Any],
    errors: dict[str, str] | None = None,
    message: str | None = None,
) -> str:
    form = task["form"]
    errors = errors or {}
    processes = engine().repository.for_instances([task["instance_id"]])
    fields = page_forms.fields(form, shown, errors)
    return render_template(
        "task.html",
        task=task,
        process=processes.get(task["instance_id"]),
        may_do=may_do(user, task),
        has_fields=page_forms.has_fields(form),
        fields=fields,
        unplaced=page_forms.unplaced(errors, fields),
        actions=page_forms.actions(form),
        rows=page_forms.variable_rows(request.form if request.method == "POST" else None),
        errors=errors,
        message=message,
    )


def _name(task: dict[str, Any]) -> str:
    return str(task["name"] or task["element_id"])
