"""Bulk actions on selected instances (the cockpit's): retry their incidents, suspend or terminate.

`plan` says, before anything happens, what the action would do to each instance or why it would
be refused, from the instance rows alone. `run` then handles each instance on its own through
the engine's own calls (`RuntimeService.suspend` and `terminate`, `IncidentService.retry`), each
in its own unit of work: one instance refused or failed leaves the others done, and the answer
says per instance what happened or why not. Who may do this is the caller's to check (it is an
administrator's act, DESIGN §6a), as for the single-instance calls.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..errors import EngineError, InstanceNotInState, InvalidInput, NotFound
from ..store.models import Incident, ProcessDefinition, ProcessInstance
from ..store.unit_of_work import UnitOfWork
from .incidents import IncidentService
from .lifecycle import ENDED, SUSPENDABLE
from .service import RuntimeService

ACTIONS = ("retry", "suspend", "terminate")
"""What a bulk action may do to each selected instance."""
MAX_SELECTED = 200
"""The most instances one bulk action takes."""


class BulkService:
    """Plans and runs one action over many instances, each instance on its own."""

    def __init__(self, runtime: RuntimeService, incidents: IncidentService) -> None:
        self.runtime = runtime
        self.incidents = incidents
        self.db = runtime.db

    def plan(self, action: str, instance_ids: list[str]) -> list[dict[str, Any]]:
        """Per selected instance, in the order given: `instance_id`, `name` (its process's),
        `business_key`, `status`, `incidents` (open), `allowed` and `what` (what the action would
        do, or why it would be refused). An unknown id is listed as refused."""
        ids = _checked(action, instance_ids)
        rows = _rows(self.db, ids)
        planned = []
        for instance_id in ids:
            row = rows.get(instance_id)
            if row is None:
                planned.append(_entry(instance_id, None, False, "no such instance"))
                continue
            allowed, what = _what(action, row["status"], row["incidents"])
            planned.append(_entry(instance_id, row, allowed, what))
        return planned

    def run(
        self, action: str, instance_ids: list[str], user: str | None = None, reason: str | None = None
    ) -> list[dict[str, Any]]:
        """Do `action` to each instance, each in its own unit of work; per instance, in the order
        given: `instance_id`, `name`, `business_key`, `done` and `what` (what happened, or why
        it was refused). `reason` is a termination's."""
        ids = _checked(action, instance_ids)
        outcomes = []
        for instance_id in ids:
            try:
                done, what = self._one(action, instance_id, user, reason)
            except EngineError as exc:
                done, what = False, _refusal(action, exc)
            outcomes.append((instance_id, done, what))
        rows = _rows(self.db, ids)
        return [
            {
                "instance_id": instance_id,
                "name": rows.get(instance_id, {}).get("name"),
                "business_key": rows.get(instance_id, {}).get("business_key"),
                "status": rows.get(instance_id, {}).get("status"),
                "done": done,
                "what": what,
            }
            for instance_id, done, what in outcomes
        ]

    def _one(self, action: str, instance_id: str, user: str | None, reason: str | None) -> tuple[bool, str]:
        if action == "suspend":
            self.runtime.suspend(instance_id, user=user)
            return True, "suspended"
        if action == "terminate":
            self.runtime.terminate(instance_id, user=user, reason=reason)
            return True, "terminated"
        status = self.runtime.get(instance_id)["status"]
        if status == "suspended" or status in ENDED:
            return False, _what("retry", status, 1)[1]
        incidents = self.incidents.list(instance_id=instance_id)
        if not incidents:
            return False, "it has no open incident to retry"
        for incident in incidents:
            self.incidents.retry(incident["id"])
        return True, _retried(len(incidents))


def _checked(action: str, instance_ids: list[str]) -> list[str]:
    """The selected ids, each once, in order; InvalidInput for an unknown action or selection."""
    if action not in ACTIONS:
        raise InvalidInput(f"the action must be one of {', '.join(ACTIONS)}", action=action)
    ids = list(dict.fromkeys(i for i in instance_ids if isinstance(i, str) and i))
    if not ids:
        raise InvalidInput("select at least one instance")
    if len(ids) > MAX_SELECTED:
        raise InvalidInput(f"select at most {MAX_SELECTED} instances at once", selected=len(ids))
    return ids


def _rows(db: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The selected instances' status, business key, process name and open incident count."""
    i, d = ProcessInstance, ProcessDefinition
    with UnitOfWork(db) as uow:
        rows = uow.connection.execute(
            select(i.id, i.status, i.business_key, i.key, d.name)
            .join(d, d.id == i.definition_id)
            .where(i.id.in_(ids))
        ).all()
        open_incidents = dict(
            uow.connection.execute(
                select(Incident.instance_id, func.count())
                .where(Incident.instance_id.in_(ids), Incident.status == "open")
                .group_by(Incident.instance_id)
            ).all()
        )
    return {
        r.id: {
            "status": r.status,
            "business_key": r.business_key,
            "name": r.name or r.key,
            "incidents": open_incidents.get(r.id, 0),
        }
        for r in rows
    }


def _what(action: str, status: str, incidents: int) -> tuple[bool, str]:
    """Whether `action` may be done to an instance of `status` with `incidents` open, and what
    it would do (or why not)."""
    if status in ENDED:
        return False, f"it has {status} already: nothing changes it any more"
    if action == "suspend":
        if status not in SUSPENDABLE:
            return False, f"it is {status} already"
        return True, "suspended: its tasks stay listed but nobody can complete them, its jobs wait"
    if action == "terminate":
        return True, "ended now: its open tasks close, its jobs are cancelled, its incidents resolved"
    if status == "suspended":
        return False, "it is suspended: resume it first"
    if not incidents:
        return False, "it has no open incident to retry"
    return True, _retried(incidents)


def _refusal(action: str, exc: EngineError) -> str:
    """Why the engine refused `action` on one instance, in the page's words."""
    status = exc.details.get("status") if isinstance(exc, InstanceNotInState) else None
    if isinstance(status, str):
        allowed, what = _what(action, status, 1)
        return f"it is {status} now" if allowed else what
    if isinstance(exc, NotFound):
        return "no such instance"
    return f"refused: {exc.message}"


def _entry(instance_id: str, row: dict[str, Any] | None, allowed: bool, what: str) -> dict[str, Any]:
    row = row or {}
    return {
        "instance_id": instance_id,
        "name": row.get("name"),
        "business_key": row.get("business_key"),
        "status": row.get("status"),
        "incidents": row.get("incidents", 0),
        "allowed": allowed,
        "what": what,
    }


def _retried(incidents: int) -> str:
    """What retrying an instance's open incidents does."""
    return f"retried ({incidents} {'incident' if incidents == 1 else 'incidents'} sent to the workers again)"
