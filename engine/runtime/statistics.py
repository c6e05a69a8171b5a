"""The cockpit's figures: per definition and per element, counted in the database.

Every figure comes from the projection rows a step saves (instances, open user tasks, unfinished
jobs, message and signal subscriptions, open incidents), never from a restored workflow. With a
`viewer`, every count covers only the instances they may see (DESIGN §6a), filtered in the query.

An element's `instances` counts the unended instances that wait at it: at an open user task, a
job (an async service task, a timer), a message or signal it waits for, or an incident there.
Camunda 7's activity statistics count the same way (an incident's activity is still active).
Receive tasks that wait for a plain trigger (no message) are only in the instance's saved waits,
a JSON column no query can group portably, so they count on their definition but not on an element.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, union_all

from ..accounts import visibility
from ..accounts.service import Principal
from ..errors import InvalidInput, NotFound
from ..store.database import Database
from ..store.models import (
    Incident,
    Job,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    SignalSubscription,
    UserTask,
    iso,
)
from ..store.unit_of_work import UnitOfWork
from .lifecycle import ENDED

LIVE_JOBS = ("queued", "running", "suspended")
"""Job statuses of work an instance still waits for."""
MAX_LISTED = 1000
"""The most instances one page of `running` lists."""


class StatisticsService:
    """Counts per definition (`definitions`), per element of one version (`elements`), and the
    unended instances of a definition, at one element if asked (`running`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def definitions(self, viewer: Principal | None = None, key: str | None = None) -> list[dict[str, Any]]:
        """Every deployed key, by key, with its name, latest version and figures, and each version
        newest first with its own: `instances` (unended), `suspended`, `incidents` (open). With
        `key`, only that process (an empty list when it is not deployed)."""
        d = ProcessDefinition
        query = select(d.id, d.key, d.version, d.name, d.deployed_at).order_by(d.key, d.version.desc())
        with UnitOfWork(self.db) as uow:
            rows = uow.session.execute(query if key is None else query.where(d.key == key)).all()
            counts = _instance_counts(uow, viewer, key=key)
            incidents = _incident_counts(uow, viewer, key)
        found: dict[str, dict[str, Any]] = {}
        for row in rows:
            per_status = counts.get(row.id, {})
            version = {
                "id": row.id,
                "version": row.version,
                "deployed_at": iso(row.deployed_at),
                "instances": sum(per_status.values()),
                "suspended": per_status.get("suspended", 0),
                "incidents": incidents.get(row.id, 0),
            }
            entry = found.setdefault(
                row.key,
                {"key": row.key, "name": row.name, "latest_version": row.version, "versions": []},
            )
            entry["versions"].append(version)
        for entry in found.values():
            for figure in ("instances", "suspended", "incidents"):
                entry[figure] = sum(v[figure] for v in entry["versions"])
        return list(found.values())

    def elements(
        self, key: str, version: int | None = None, viewer: Principal | None = None
    ) -> dict[str, Any]:
        """One version's figures (the latest unless `version`), and per element id the unended
        instances waiting there and the open incidents there, busiest first.

        NotFound when the version is not deployed, or `viewer` may not read its model.
        """
        with UnitOfWork(self.db) as uow:
            row = _definition(uow, key, version, viewer)
            waiting = _waits(row.id, viewer).subquery()
            at_elements = uow.connection.execute(
                select(waiting.c.element_id, func.count(func.distinct(waiting.c.instance_id)))
                .where(waiting.c.element_id.is_not(None))
                .group_by(waiting.c.element_id)
            ).all()
            incidents = uow.connection.execute(
                _open_incidents(row.id, viewer)
                .with_only_columns(Incident.element_id, func.count())
                .group_by(Incident.element_id)
            ).all()
            per_status = _instance_counts(uow, viewer, row.id).get(row.id, {})
        elements: dict[str, dict[str, Any]] = {
            element: {"element_id": element, "instances": count, "incidents": 0}
            for element, count in at_elements
        }
        for element, count in incidents:
            if element is not None:
                elements.setdefault(element, {"element_id": element, "instances": 0, "incidents": 0})
                elements[element]["incidents"] = count
        return {
            "key": row.key,
            "version": row.version,
            "name": row.name,
            "instances": sum(per_status.values()),
            "suspended": per_status.get("suspended", 0),
            "incidents": sum(e["incidents"] for e in elements.values()),
            "elements": sorted(
                elements.values(), key=lambda e: (-e["instances"], -e["incidents"], e["element_id"])
            ),
        }

    def running(
        self,
        key: str,
        version: int | None = None,
        element_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
        viewer: Principal | None = None,
    ) -> dict[str, Any]:
        """The unended instances of a version (the latest unless `version`), newest first, those
        waiting at `element_id` only if given: `{"items": [{"id", "business_key", "status",
        "started_at", "incidents"}], "total"}`."""
        if limit < 1 or limit > MAX_LISTED or offset < 0:
            raise InvalidInput(f"limit must be 1..{MAX_LISTED} and offset at least 0")
        i = ProcessInstance
        with UnitOfWork(self.db) as uow:
            row = _definition(uow, key, version, viewer)
            filters = [i.definition_id == row.id, i.status.not_in(ENDED)]
            visible = visibility.visible_clause(viewer, i.id)
            if visible is not None:
                filters.append(visible)
            if element_id is not None:
                waiting = _waits(row.id, viewer).subquery()
                filters.append(
                    i.id.in_(select(waiting.c.instance_id).where(waiting.c.element_id == element_id))
                )
            total = uow.connection.execute(select(func.count()).select_from(i).where(*filters)).scalar() or 0
            rows = uow.connection.execute(
                select(i.id, i.business_key, i.status, i.started_at)
                .where(*filters)
                .order_by(i.started_at.desc(), i.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            ids = [r.id for r in rows]
            incidents = dict(
                uow.connection.execute(
                    select(Incident.instance_id, func.count())
                    .where(Incident.instance_id.in_(ids), Incident.status == "open")
                    .group_by(Incident.instance_id)
                ).all()
            )
        items = [
            {
                "id": r.id,
                "business_key": r.business_key,
                "status": r.status,
                "started_at": iso(r.started_at),
                "incidents": incidents.get(r.id, 0),
            }
            for r in rows
        ]
        return {"key": row.key, "version": row.version, "items": items, "total": total}


def _definition(uow: UnitOfWork, key: str, version: int | None, viewer: Principal | None) -> Any:
    """The definition row of `key` (latest version unless `version`) that `viewer` may read."""
    d = ProcessDefinition
    query = select(d.id, d.key, d.version, d.name, d.starters).where(d.key == key)
    if version is not None:
        query = query.where(d.version == version)
    row = uow.connection.execute(query.order_by(d.version.desc()).limit(1)).first()
    if row is None or not visibility.may_see_definition(uow, row.id, row.starters, viewer):
        which = f" version {version}" if version is not None else ""
        raise NotFound(f"no process definition '{key}'{which} is deployed", key=key)
    return row


def _instance_counts(
    uow: UnitOfWork, viewer: Principal | None, definition_id: int | None = None, key: str | None = None
) -> dict[int, dict[str, int]]:
    """Unended instances per definition version and status (of one version, or one key)."""
    i = ProcessInstance
    query = select(i.definition_id, i.status, func.count()).where(i.status.not_in(ENDED))
    if definition_id is not None:
        query = query.where(i.definition_id == definition_id)
    if key is not None:
        query = query.where(i.key == key)
    visible = visibility.visible_clause(viewer, i.id)
    if visible is not None:
        query = query.where(visible)
    counts: dict[int, dict[str, int]] = {}
    for definition, status, count in uow.connection.execute(query.group_by(i.definition_id, i.status)):
        counts.setdefault(definition, {})[status] = count
    return counts


def _incident_counts(uow: UnitOfWork, viewer: Principal | None, key: str | None = None) -> dict[int, int]:
    """Open incidents per definition version (of one key, if given)."""
    i = ProcessInstance
    query = (
        select(i.definition_id, func.count())
        .select_from(Incident)
        .join(i, i.id == Incident.instance_id)
        .where(Incident.status == "open")
    )
    if key is not None:
        query = query.where(i.key == key)
    visible = visibility.visible_clause(viewer, Incident.instance_id)
    if visible is not None:
        query = query.where(visible)
    return {
        definition: count for definition, count in uow.connection.execute(query.group_by(i.definition_id))
    }


def _open_incidents(definition_id: int, viewer: Principal | None) -> Select[Any]:
    """The open incidents of one definition version's instances (that `viewer` may see)."""
    i = ProcessInstance
    query = (
        select(Incident.id)
        .join(i, i.id == Incident.instance_id)
        .where(Incident.status == "open", i.definition_id == definition_id)
    )
    visible = visibility.visible_clause(viewer, Incident.instance_id)
    return query if visible is None else query.where(visible)


def _waits(definition_id: int, viewer: Principal | None) -> Any:
    """(instance_id, element_id) of every wait of one version's unended instances, from the rows
    that hold waits; an instance may appear more than once."""
    sources: list[tuple[Any, list[ColumnElement[bool]]]] = [
        (UserTask, [UserTask.status == "open"]),
        (Job, [Job.status.in_(LIVE_JOBS), Job.instance_id.is_not(None)]),
        (MessageSubscription, []),
        (SignalSubscription, []),
        (Incident, [Incident.status == "open"]),
    ]
    i = ProcessInstance
    parts = []
    for table, filters in sources:
        query = (
            select(table.instance_id.label("instance_id"), table.element_id.label("element_id"))
            .join(i, i.id == table.instance_id)
            .where(i.definition_id == definition_id, i.status.not_in(ENDED), *filters)
        )
        visible = visibility.visible_clause(viewer, table.instance_id)
        parts.append(query if visible is None else query.where(visible))
    return union_all(*parts)
