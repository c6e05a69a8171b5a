"""The JSON API under /api (DESIGN §5): one blueprint, one module per resource.

Views parse input (the schemas in `schemas`), call one engine service and return its view;
errors are engine errors, turned into JSON with their status by `web.errors`. `blueprint` holds
the blueprint and the checks every request passes; `openapi` documents the responses.
"""

from . import (  # noqa: F401  (each registers its routes on the blueprint)
    definitions,
    health,
    incidents,
    instances,
    jobs,
    messages,
    microflows,
    signals,
    statistics,
    tasks,
)
from .blueprint import api

__all__ = ["api"]
