"""The cockpit's figures over the API: per definition, per element of one version, the unended
instances of a version; and bulk actions on selected instances (administrators).

Figures cover the instances the caller may see (DESIGN §6a): an administrator's are everyone's.
"""

from __future__ import annotations

from typing import Any

from apiflask import Schema
from apiflask.fields import Boolean, Integer, List, Nested, String
from apiflask.validators import Length, OneOf
from marshmallow import RAISE, ValidationError, validates_schema

from engine.runtime.bulk import ACTIONS, MAX_SELECTED

from ..auth import auth, principal, require_admin
from .blueprint import api, engine, send
from .schemas import PageQuery, VersionQuery, _storable


class VersionFiguresOut(Schema):
    """One version's figures."""

    id = Integer()
    version = Integer()
    deployed_at = String()
    instances = Integer(metadata={"description": "its instances that have not ended"})
    suspended = Integer(metadata={"description": "of those, the suspended ones"})
    incidents = Integer(metadata={"description": "open incidents of its instances"})


class DefinitionFiguresOut(Schema):
    """A deployed key with its figures over all its versions, and each version's."""

    key = String()
    name = String(allow_none=True)
    latest_version = Integer()
    instances = Integer()
    suspended = Integer()
    incidents = Integer()
    versions = List(Nested(VersionFiguresOut), metadata={"description": "newest first"})


class ElementFiguresOut(Schema):
    """One element's figures."""

    element_id = String()
    instances = Integer(
        metadata={"description": "unended instances waiting at it (task, job, message, signal, incident)"}
    )
    incidents = Integer(metadata={"description": "open incidents at it"})


class ElementStatisticsOut(Schema):
    """One version's figures, and each element's where anything waits (busiest first)."""

    key = String()
    version = Integer()
    name = String(allow_none=True)
    instances = Integer()
    suspended = Integer()
    incidents = Integer()
    elements = List(Nested(ElementFiguresOut))


class RunningQuery(VersionQuery, PageQuery):
    """Which version, at which element, which page."""

    element_id = _storable(min_length=1)


class RunningItemOut(Schema):
    """An unended instance, as the cockpit lists it."""

    id = String()
    business_key = String(allow_none=True)
    status = String()
    started_at = String()
    incidents = Integer(metadata={"description": "its open incidents"})


class RunningOut(Schema):
    """A page of a version's unended instances."""

    key = String()
    version = Integer()
    items = List(Nested(RunningItemOut))
    total = Integer()


class BulkIn(Schema):
    """One action on selected instances."""

    action = String(required=True, validate=OneOf(ACTIONS))
    instance_ids = List(
        _storable(min_length=1, max_length=36), required=True, validate=Length(1, MAX_SELECTED)
    )
    reason = _storable(max_length=1000, allow_none=True, metadata={"description": "a termination's reason"})
    dry_run = Boolean(load_default=False, metadata={"description": "only say what would happen"})

    @validates_schema(pass_original=True)
    def _strict_dry_run(self, _data: dict[str, Any], original: Any, **_kwargs: Any) -> None:
        """JSON's `true` or `false` only (marshmallow would take 0, 1 and "yes" too)."""
        value = original.get("dry_run", False) if isinstance(original, dict) else False
        if not isinstance(value, bool):
            raise ValidationError("must be true or false", "dry_run")


class BulkItemOut(Schema):
    """What happened to one selected instance (or, in a dry run, would)."""

    instance_id = String()
    name = String(allow_none=True, metadata={"description": "its process's name"})
    business_key = String(allow_none=True)
    status = String(allow_none=True, metadata={"description": "its status after (a dry run: now)"})
    done = Boolean(metadata={"description": "done (a dry run: would be done)"})
    what = String(metadata={"description": "what happened or would, or why it was refused"})


@api.get("/statistics/process-definitions")
@api.auth_required(auth)
@api.output(DefinitionFiguresOut(many=True))
@api.doc(summary="Every deployed process with its instance and incident counts, per version")
def definition_statistics() -> Any:
    """Unended instances, suspended ones and open incidents per key and version."""
    return send(engine().statistics.definitions(viewer=principal()))


@api.get("/process-definitions/<key>/statistics")
@api.auth_required(auth)
@api.input(VersionQuery, location="query", arg_name="query", unknown=RAISE)
@api.output(ElementStatisticsOut)
@api.doc(
    summary="Instance and incident counts per element of one version", responses={404: "No such definition"}
)
def element_statistics(key: str, query: dict[str, Any]) -> Any:
    """The latest version's (or `version`'s) figures, per element: the cockpit's heat map."""
    return send(engine().statistics.elements(key, query.get("version"), viewer=principal()))


@api.get("/process-definitions/<key>/statistics/instances")
@api.auth_required(auth)
@api.input(RunningQuery, location="query", arg_name="query", unknown=RAISE)
@api.output(RunningOut)
@api.doc(
    summary="A version's unended instances, optionally at one element", responses={404: "No such definition"}
)
def running_instances(key: str, query: dict[str, Any]) -> Any:
    """Newest first, paged; with `element_id`, only those waiting there."""
    found = engine().statistics.running(
        key,
        query.get("version"),
        query.get("element_id"),
        limit=query["limit"],
        offset=query["offset"],
        viewer=principal(),
    )
    return send(found)


@api.post("/bulk/process-instances")
@api.auth_required(auth)
@api.input(BulkIn, arg_name="body")
@api.output(BulkItemOut(many=True))
@api.doc(
    summary="Retry, suspend or terminate selected instances (administrators)",
    responses={403: "Not an administrator"},
)
def bulk(body: dict[str, Any]) -> Any:
    """Each instance on its own, in the order given: what happened to it, or why it was refused.

    With `dry_run`, nothing changes: the answer says what would happen.
    """
    user = require_admin()
    ids = body["instance_ids"]
    if body["dry_run"]:
        planned = engine().bulk.plan(body["action"], ids)
        return send([{**_shown(p), "done": p["allowed"]} for p in planned])
    return send(engine().bulk.run(body["action"], ids, user=user.name, reason=body.get("reason")))


def _shown(planned: dict[str, Any]) -> dict[str, Any]:
    keys = ("instance_id", "name", "business_key", "status", "what")
    return {k: planned[k] for k in keys}
