"""Jobs: poll one (an async call's outcome), retry a failed one."""

from __future__ import annotations

from typing import Any

from ..auth import auth, principal, require_admin
from .blueprint import api, engine
from .schemas import JobOut


@api.get("/jobs/<job_id>")
@api.auth_required(auth)
@api.output(JobOut)
@api.doc(summary="One job: status, attempts, result or error", responses={404: "No such job"})
def get_job(job_id: str) -> Any:
    """A job as it stands; an async call is done when its status is `done` (or `failed`)."""
    return engine().jobs.get(job_id, viewer=principal())


@api.post("/jobs/<job_id>/retry")
@api.auth_required(auth)
@api.output(JobOut)
@api.doc(
    summary="Retry a failed job (administrators)",
    responses={403: "Not an administrator", 404: "No such job", 409: "The job has not failed"},
)
def retry_job(job_id: str) -> Any:
    """Run a failed job again; answers the job that will run."""
    require_admin()
    return engine().jobs.retry(job_id)
