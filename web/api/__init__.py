"""The JSON API under /api (DESIGN §5): one blueprint, one module per resource."""

from __future__ import annotations

from apiflask import APIBlueprint

api = APIBlueprint("api", __name__, url_prefix="/api")

from . import health  # noqa: E402,F401  (registers its routes on the blueprint)
