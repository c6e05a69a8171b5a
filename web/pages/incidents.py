"""Incidents: jobs that failed after their last retry, with their errors; administrators retry them."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from .blueprint import caller, engine, pages, require_admin

VIEWS = ("open", "resolved", "all")
"""Which incidents the list shows."""


@pages.get("/incidents")
def incident_list() -> Any:
    """Open incidents (or resolved ones, or all), newest first."""
    user = caller()
    view = request.args.get("status", "open")
    view = view if view in VIEWS else "open"
    found = engine().incidents.list(status=None if view == "all" else view, viewer=user)
    return render_template("incidents.html", incidents=found, view=view, views=VIEWS, admin=user.admin)


@pages.post("/incidents/<incident_id>/retry")
def retry(incident_id: str) -> Any:
    """Queue the failed work again (administrators); its job's outcome shows on the instance."""
    require_admin()
    retried = engine().incidents.retry(incident_id)
    flash(
        f"Incident {incident_id} is resolved; job {retried.get('retry_job_id') or '?'} runs the work again.",
        "success",
    )
    return redirect(url_for("pages.incident_list"), 303)
