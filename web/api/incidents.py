"""Incidents: jobs that failed after their last retry; administrators retry them."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE

from ..auth import auth, principal, require_admin
from .blueprint import api, engine
from .schemas import IncidentListQuery, IncidentOut, RetriedIncidentOut


@api.get("/incidents")
@api.auth_required(auth)
@api.input(IncidentListQuery, location="query", arg_name="query", unknown=RAISE)
@api.output(IncidentOut(many=True))
@api.doc(summary="Incidents, oldest first")
def list_incidents(query: dict[str, Any]) -> Any:
    """Open incidents (or resolved, or all), optionally of one instance."""
    status = None if query["status"] == "all" else query["status"]
    return engine().incidents.list(status=status, instance_id=query.get("instance_id"), viewer=principal())


@api.post("/incidents/<incident_id>/retry")
@api.auth_required(auth)
@api.output(RetriedIncidentOut)
@api.doc(
    summary="Retry an incident (administrators)",
    responses={403: "Not an administrator", 404: "No such incident", 409: "Already resolved"},
)
def retry_incident(incident_id: str) -> Any:
    """Queue the failed work again; the incident, resolved, names the new job (`retry_job_id`).

    The retry's outcome is that job's: poll `GET /api/jobs/{id}` — it is not reported as a
    success before it has succeeded.
    """
    require_admin()
    return engine().incidents.retry(incident_id)
