"""Health: whether the engine reaches its database."""

from __future__ import annotations

from typing import Any

from apiflask import Schema
from apiflask.fields import String
from flask import current_app

from .blueprint import api
from .openapi import response, responses


class HealthOut(Schema):
    """The health answer."""

    database = String(metadata={"description": "ok, or why the database is unavailable"})


@api.get("/health")
@api.output(HealthOut)
@api.doc(
    summary="Health",
    responses=responses({503: response("The database is unavailable", HealthOut)}),
)
def health() -> Any:
    """Whether the database answers (503 when it does not)."""
    from .. import engine_of

    try:
        engine_of(current_app).db.ping()
    except Exception as exc:  # any failure to reach the database is the answer, not an error
        return {"database": f"unavailable: {type(exc).__name__}"}, 503
    return {"database": "ok"}
