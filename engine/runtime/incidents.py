"""Incidents: jobs that failed after their last retry. Listing them, and retrying one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ..accounts import visibility
from ..accounts.service import Principal
from ..errors import Conflict, NotFound
from ..expressions.script_engine import ASYNC_INPUT
from ..jobs.outbox import INCIDENT, JOB_DUE, JOB_ID
from ..store.models import Incident, Job, utcnow
from ..store.unit_of_work import UnitOfWork
from .service import RuntimeService, find_task
from .views import incident_view


class IncidentService:
    """Open and resolved incidents; a retry sends the failed work to the workers again."""

    def __init__(self, runtime: RuntimeService) -> None:
        self.runtime = runtime
        self.db = runtime.db

    def list(
        self, status: str | None = "open", instance_id: str | None = None, viewer: Principal | None = None
    ) -> list[dict[str, Any]]:
        """Incidents, newest first; with `viewer`, those of instances they may see."""
        query = select(Incident).order_by(Incident.created_at.desc())
        if status is not None:
            query = query.where(Incident.status == status)
        if instance_id is not None:
            query = query.where(Incident.instance_id == instance_id)
        visible = visibility.visible_clause(viewer, Incident.instance_id)
        if visible is not None:
            query = query.where(visible)
        with UnitOfWork(self.db) as uow:
            return [incident_view(r) for r in uow.session.scalars(query.limit(1000)).all()]

    def get(self, incident_id: str, viewer: Principal | None = None) -> dict[str, Any]:
        """One incident; with `viewer`, of an instance they may see (NotFound otherwise)."""
        with UnitOfWork(self.db) as uow:
            row = uow.session.get(Incident, incident_id)
            if row is None or not visibility.may_see(uow, row.instance_id, viewer):
                raise NotFound(f"no incident {incident_id}", incident_id=incident_id)
            return incident_view(row)

    def retry(self, incident_id: str) -> dict[str, Any]:
        """Queue the failed work again with fresh attempts; the incident, resolved, with the new job's id.

        The outcome is the new job's: poll it (`jobs.get`) — a retry is not reported as a success
        before the work has succeeded.
        """
        incident = self.get(incident_id)
        if incident["status"] != "open":
            raise Conflict(f"incident {incident_id} is already {incident['status']}", incident_id=incident_id)
        with UnitOfWork(self.db) as uow:
            failed = uow.session.get(Job, incident["job_id"]) if incident["job_id"] else None
            payload = dict(failed.payload) if failed is not None else {}
            kind = failed.kind if failed is not None else ("microflow" if incident["job_id"] else "step")

        def change(wf: Any, record: Any) -> None:
            task = find_task(wf, incident["task_id"] or "")
            if task is None or task.internal_data.get(INCIDENT, {}).get("id") != incident_id:
                raise Conflict(f"incident {incident_id} no longer matches a waiting task")
            task.internal_data.pop(INCIDENT, None)
            task.internal_data.pop(JOB_ID, None)
            task.internal_data.pop(JOB_DUE, None)
            if kind == "microflow":
                # The step's job plan writes a new job for a waiting task that has input and no job.
                task.internal_data[ASYNC_INPUT] = payload.get("input") or {}
            elif kind == "step":
                # Raised by a step itself: a call activity whose process was not deployed. Try again.
                task.task_spec.start_workflow(task)
                if INCIDENT in task.internal_data:
                    error = task.internal_data.pop(INCIDENT)["error"]
                    raise Conflict(
                        f"incident {incident_id} cannot be retried yet: {error}", incident_id=incident_id
                    )
            record.add(
                "incident_retried",
                element_id=incident["element_id"],
                task_id=incident["task_id"],
                data={"incident_id": incident_id},
            )

        def resolve(uow: UnitOfWork) -> None:
            uow.connection.execute(
                update(Incident.__table__)  # type: ignore[arg-type]
                .where(Incident.__table__.c.id == incident_id)
                .values(status="resolved", resolved_at=utcnow())
            )

        self.runtime.step(incident["instance_id"], change, None, finish=resolve)
        with UnitOfWork(self.db) as uow:
            new_job = uow.session.scalars(
                select(Job.id)
                .where(Job.instance_id == incident["instance_id"], Job.task_id == incident["task_id"])
                .order_by(Job.created_at.desc())
                .limit(1)
            ).first()
        return {**self.get(incident_id), "retry_job_id": new_job}
