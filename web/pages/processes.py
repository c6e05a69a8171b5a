"""Starting a process: the deployed definitions, and a definition's start form.

The engine checks the start form and who may start (`RuntimeService.start` with a `starter`, the
rule the API uses too); the page shows a refused field's error beside it, and lists only the
processes the user may start.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from engine.accounts import check_may_start, may_do_view, may_start
from engine.errors import FormInvalid, InvalidInput, StepFailed

from ..errors import status_of
from . import forms as page_forms
from .blueprint import caller, engine, pages

MAX_BUSINESS_KEY = 255
"""The longest business key (the column's width)."""


@pages.get("/processes")
def process_list() -> Any:
    """The latest version of every deployed process the user may start, each with a link to start it."""
    user = caller()
    startable = [
        d
        for d in engine().repository.list_latest()
        if may_start(d["starters"], user.name, user.groups, user.admin)
    ]
    return render_template("processes.html", definitions=startable)


@pages.route("/processes/<key>/start", methods=["GET", "POST"])
def start(key: str) -> Any:
    """The start form (or the plain variables form); starting goes to the user's first task, if the
    flow stopped at one for them, else to the new instance's page."""
    user = caller()
    definition = engine().repository.get(key)
    check_may_start(key, definition["starters"], user.name, user.groups, user.admin)
    form = definition["start_form"]
    if request.method == "GET":
        return _render(definition, page_forms.shown_values(form, {}))
    business_key = request.form.get("business_key", "").strip() or None
    if page_forms.has_fields(form):
        variables, shown = page_forms.posted(form, request.form)
        problems: dict[str, str] = {}
    else:
        variables, problems = page_forms.posted_variables(request.form)
        shown = {}
    if business_key is not None and len(business_key) > MAX_BUSINESS_KEY:
        problems["business_key"] = f"must be at most {MAX_BUSINESS_KEY} characters long"
    if problems:
        return _render(definition, shown, problems, "Some values need correcting."), 422
    try:
        instance = engine().runtime.start(
            key,
            variables,
            business_key=business_key,
            version=definition["version"],
            user=user.name,
            starter=user,
        )
    except (FormInvalid, InvalidInput, StepFailed) as exc:
        fields = exc.details.get("fields") if isinstance(exc, FormInvalid) else None
        errors = fields if isinstance(fields, dict) else {}
        message = "Some values need correcting." if errors else exc.message
        return _render(definition, shown, errors, message), status_of(exc)
    name = definition["name"] or key
    # Straight on to a task that is the starter's own (an administrator's right to do any task
    # does not make the credit officers' review theirs).
    mine = [t for t in instance.get("tasks") or [] if may_do_view(t, user.name, user.groups)]
    if mine:
        flash(f"Started “{name}”: your first task is ready.", "success")
        return redirect(url_for("pages.task_page", task_id=mine[0]["id"]), 303)
    flash(f"Started “{name}”.", "success")
    return redirect(url_for("pages.instance_page", instance_id=instance["id"]), 303)


def _render(
    definition: dict[str, Any],
    shown: dict[str, Any],
    errors: dict[str, str] | None = None,
    message: str | None = None,
) -> str:
    form = definition["start_form"]
    errors = errors or {}
    fields = page_forms.fields(form, shown, errors)
    return render_template(
        "start.html",
        definition=definition,
        has_fields=page_forms.has_fields(form),
        fields=fields,
        actions=page_forms.actions(form),
        rows=page_forms.variable_rows(request.form if request.method == "POST" else None),
        business_key=request.form.get("business_key", ""),
        errors=errors,
        unplaced=page_forms.unplaced(errors, fields),
        message=message,
    )
