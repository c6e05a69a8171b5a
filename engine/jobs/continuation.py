"""The continuation job Camunda 7's `camunda:asyncAfter` asks for.

`camunda:asyncAfter="true"` ends the step after the element completes: what follows runs in a
job a worker picks up. At deploy the element gets, behind it, a service task
`<id>__async_after` that calls the built-in async microflow `flowbridge.continue`, which does
nothing; its job is that continuation (engine.definitions.dialects.camunda7.async_after).
"""

from __future__ import annotations

from typing import Any

from ..microflows import REGISTRY, Microflow, MicroflowRegistry

CONTINUE = "flowbridge.continue"
"""The built-in microflow of an asyncAfter continuation."""


def _continue() -> dict[str, Any]:
    """Nothing: the job itself is the point (the flow goes on in the worker's step)."""
    return {}


def register(registry: MicroflowRegistry = REGISTRY) -> None:
    """Register `flowbridge.continue` (once; the engine does this as it starts)."""
    if CONTINUE not in registry:
        registry.register(Microflow.wrap(CONTINUE, _continue, mode="async"))
