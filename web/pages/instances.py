"""Process instances: the filtered list, and an instance's page with its diagram, waits and history.

Administrators suspend, resume and terminate instances from the instance's page; the page offers
each only to them and only when the instance's status allows it. Terminating cannot be undone, so
it asks first: its own page says what ends and takes the reason, which the history keeps.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from engine.runtime import ENDED, SUSPENDABLE

from .blueprint import caller, engine, pager, pages, paging, require_admin

STATUSES = ("running", "waiting", "completed", "terminated", "suspended", "incident")
"""The statuses an instance may have (the list's status filter)."""
DONE_EVENTS = frozenset({"activity_completed", "user_task_completed"})
"""History events that mark their element as passed (shaded on the diagram)."""
FAILED_WAITS = frozenset({"incident", "error"})
"""Waits that are incidents (flagged red on the diagram)."""
MAX_REASON = 2000
"""The longest termination reason kept."""


@pages.get("/instances")
def instance_list() -> Any:
    """Instances, newest first, filtered by status, process key and business key."""
    user = caller()
    limit, offset = paging()
    status = request.args.get("status") or None
    filters = {
        "status": status if status in STATUSES else None,
        "key": request.args.get("key", "").strip() or None,
        "business_key": request.args.get("business_key", "").strip() or None,
    }
    found = engine().runtime.list(
        key=filters["key"],
        status=filters["status"],
        business_key=filters["business_key"],
        limit=limit,
        offset=offset,
        viewer=user,
    )
    return render_template(
        "instances.html",
        instances=found["items"],
        filters=filters,
        statuses=STATUSES,
        pager=pager(found["total"], limit, offset),
    )


@pages.get("/instances/<instance_id>")
def instance_page(instance_id: str) -> Any:
    """Status, variables, everything the instance waits for, its history, and its diagram."""
    user = caller()
    instance = engine().runtime.get(instance_id, viewer=user)
    history = engine().history.events(instance_id, viewer=user)
    xml = engine().repository.xml(instance["key"], instance["version"], viewer=user)
    status = instance["status"]
    return render_template(
        "instance.html",
        instance=instance,
        history=history,
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


def diagram_markers(instance: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Element ids to mark on the diagram: where it waits, where incidents are, where it has been."""
    waits = instance.get("waiting") or []
    waiting = [w.get("element_id") for w in waits if w.get("kind") not in FAILED_WAITS]
    waiting += [t["element_id"] for t in instance.get("tasks") or []]
    failed = [w.get("element_id") for w in waits if w.get("kind") in FAILED_WAITS]
    failed += [i.get("element_id") for i in instance.get("incidents") or []]
    done = [e["element_id"] for e in history if e["kind"] in DONE_EVENTS]
    return {
        "waiting": _ids(waiting),
        "incident": _ids(failed),
        "done": _ids(done),
    }


def _ids(values: list[Any]) -> list[str]:
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))
