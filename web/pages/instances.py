"""Process instances: the filtered list, and an instance's page with its diagram, waits and history.

Administrators suspend, resume and terminate instances from the instance's page; the page offers
each only to them and only when the instance's status allows it. Terminating cannot be undone, so
it asks first: its own page says what ends and takes the reason, which the history keeps.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from engine.errors import InvalidInput
from engine.runtime import ENDED, SUSPENDABLE, InstanceSearch, diagram_marks, readable

from .blueprint import caller, engine, pager, pages, paging, require_admin
from .instance_waits import wait_rows

STATUSES = ("running", "waiting", "completed", "terminated", "suspended", "incident")
"""The statuses an instance may have (the list's status filter)."""
MAX_REASON = 2000
"""The longest termination reason kept."""
SEARCH_TERMS = ("process", "business_key", "variable", "value")
"""The instance list's search fields (engine.runtime.instance_search), each matched by substring."""


@pages.get("/instances")
def instance_list() -> Any:
    """Instances, newest first, labelled by process name and business key; filtered by status and
    searched by process (name or key), business key and a variable's value, all by substring."""
    user = caller()
    limit, offset = paging()
    status = request.args.get("status") or None
    filters = {
        "status": status if status in STATUSES else None,
        "key": request.args.get("key", "").strip() or None,  # exact: the links of other pages
        **{name: request.args.get(name, "").strip() or None for name in SEARCH_TERMS},
    }
    search = InstanceSearch(
        process=filters["process"],
        business_key=filters["business_key"],
        variable=filters["variable"],
        value=filters["value"],
    )
    try:
        found = engine().runtime.list(
            key=filters["key"],
            status=filters["status"],
            limit=limit,
            offset=offset,
            viewer=user,
            search=search,
        )
        problem = None
    except InvalidInput as exc:  # a term that cannot be searched: say so beside the form
        found, problem = {"items": [], "total": 0}, exc.message
    processes = engine().repository.for_instances([i["id"] for i in found["items"]])
    return render_template(
        "instances.html",
        instances=[{**i, "process_name": (processes.get(i["id"]) or {}).get("name")} for i in found["items"]],
        filters=filters,
        problem=problem,
        statuses=STATUSES,
        pager=pager(found["total"], limit, offset),
    )


@pages.get("/instances/<instance_id>")
def instance_page(instance_id: str) -> Any:
    """Status, variables, everything the instance waits for, its history, and its diagram."""
    user = caller()
    instance = engine().runtime.get(instance_id, viewer=user)
    history = engine().history.events(instance_id, viewer=user)
    history_rows = readable(history)  # one row per thing that happened, in words
    xml = engine().repository.xml(instance["key"], instance["version"], viewer=user)
    status = instance["status"]
    return render_template(
        "instance.html",
        instance=instance,
        history=history,
        history_rows=history_rows,
        waits=wait_rows(engine().waits.describe(instance), request.host_url),
        process_name=(engine().repository.for_instances([instance_id]).get(instance_id) or {}).get("name"),
        xml=xml,
        markers=diagram_markers(instance, history),
        admin=user.admin,
        can_suspend=user.admin and status in SUSPENDABLE,
        can_resume=user.admin and status == "suspended",
        can_terminate=user.admin and status not in ENDED,
        can_retry=user.admin and status != "suspended",
        terminated=_terminated(history) if status == "terminated" else None,
    )


@pages.post("/instances/<instance_id>/suspend")
def suspend(instance_id: str) -> Any:
    """Suspend the instance (administrators)."""
    engine().runtime.suspend(instance_id, user=require_admin().name)
    flash("The instance is suspended.", "success")
    return redirect(url_for("pages.instance_page", instance_id=instance_id), 303)


@pages.post("/instances/<instance_id>/resume")
def resume(instance_id: str) -> Any:
    """Resume the suspended instance (administrators)."""
    engine().runtime.resume(instance_id, user=require_admin().name)
    flash("The instance is resumed.", "success")
    return redirect(url_for("pages.instance_page", instance_id=instance_id), 303)


@pages.get("/instances/<instance_id>/terminate")
def terminate_page(instance_id: str) -> Any:
    """Ask before terminating (administrators): what ends with the instance, and the reason."""
    user = require_admin()
    instance = engine().runtime.get(instance_id, viewer=user)
    if instance["status"] in ENDED:
        flash(f"The instance is already {instance['status']}.", "info")
        return redirect(url_for("pages.instance_page", instance_id=instance_id), 303)
    process = engine().repository.for_instances([instance_id]).get(instance_id) or {}
    return render_template("terminate.html", instance=instance, process=process, max_reason=MAX_REASON)


@pages.post("/instances/<instance_id>/terminate")
def terminate(instance_id: str) -> Any:
    """End the instance now, with an optional reason (administrators; the confirmation's form)."""
    user = require_admin()
    reason = request.form.get("reason", "").strip()[:MAX_REASON] or None
    engine().runtime.terminate(instance_id, user=user.name, reason=reason)
    flash("The instance is terminated.", "success")
    return redirect(url_for("pages.instance_page", instance_id=instance_id), 303)


def _terminated(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Who terminated the instance, when and why (its `instance_terminated` event)."""
    found = [e for e in history if e["kind"] == "instance_terminated"]
    if not found:
        return None
    event = found[-1]
    return {"at": event["at"], "user": event.get("user"), "reason": (event.get("data") or {}).get("reason")}


def diagram_markers(instance: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    """What the diagram marks (engine.runtime.diagram_marks): passed elements and taken flows,
    waits, incidents with their counts, and where a terminated instance stopped."""
    marks = diagram_marks(instance, history)
    return {**marks, "done": marks["passed"]}
