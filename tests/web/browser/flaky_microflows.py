"""A microflow that fails once per instance, loaded by the browser tests' server to make an incident."""

from __future__ import annotations

from engine import call_context, microflow

_FAILED: set[str] = set()
"""Instances whose first call has failed already (the server process keeps this)."""


@microflow("browser_flaky_once", retries=0)
def browser_flaky_once() -> dict[str, object]:
    """Fail the first call for an instance (a technical failure: an incident), then succeed."""
    context = call_context()
    key = (context.instance_id or context.idempotency_key) if context is not None else "alone"
    if key not in _FAILED:
        _FAILED.add(key)
        raise RuntimeError("the ledger is down (this microflow fails once on purpose)")
    return {"booked": True}
