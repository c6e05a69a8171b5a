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
from engine.errors import (
    ConcurrentChange,
    FormInvalid,
    InstanceSuspended,
    InvalidInput,
    StepFailed,
    TaskAlreadyCompleted,
)

from ..errors import status_of
from . import forms as page_forms
from . import task_filters, task_next
from .blueprint import caller, engine, error_page, local_target, pager, pages, paging
from .explain import in_words


@pages.get("/")
def task_list() -> Any:
    """My tasks (an administrator may list every open task), newest first, filtered and sorted by
    the query string (`task_filters`), so that a filtered list can be bookmarked."""
    user = caller()
    limit, offset = paging()
    filters, ignored = task_filters.read(request.args, user)
    found = engine().tasks.list(**task_filters.list_arguments(filters, user), limit=limit, offset=offset)
    processes = engine().repository.for_instances([t["instance_id"] for t in found["items"]])
    query = task_filters.encode(filters)
    task_next.remember_list(query)
    return render_template(
        "tasks.html",
        tasks=found["items"],
        processes=processes,
        everyone=filters.get("scope") == task_filters.EVERYONE,
        filters=filters,
        ignored=ignored,
        list_query=query,
        scopes={k: v for k, v in task_filters.SCOPE_LABELS.items() if user.admin or k != "everyone"},
        sorts=task_filters.SORT_LABELS,
        process_choices=engine().tasks.processes(),
        done=task_next.done_note(),
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
        said = f"Task “{_name(task)}” is already {task['status']}{who}."
        return error_page(409, said, TaskAlreadyCompleted(said, task_id=task_id))
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
        done = engine().tasks.complete(
            task_id, variables, user=user.name, groups=user.groups, admin=user.admin
        )
    except (FormInvalid, InvalidInput, StepFailed) as exc:
        fields = exc.details.get("fields") if isinstance(exc, FormInvalid) else None
        errors = fields if isinstance(fields, dict) else {}
        message = "Some values need correcting." if errors else exc.message
        return _render(task, user, shown, errors, message), status_of(exc)
    except (InstanceSuspended, ConcurrentChange) as exc:
        # Not now, but maybe soon: the form again, as typed, saying why and what to do.
        message = f"{in_words(exc, user)} Your values are kept below."
        return _render(task, user, shown, None, message), status_of(exc)
    return task_next.after_completing(user, task, done)


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
        list_query=task_next.list_query(user),
        done=task_next.done_note() if request.method == "GET" else None,
    )


def _name(task: dict[str, Any]) -> str:
    return str(task["name"] or task["element_id"])
