"""Signals: broadcast one to every instance that waits for it and start the processes it starts."""

from __future__ import annotations

from typing import Any

from ..auth import auth, principal
from .blueprint import api, engine
from .schemas import MessageOut, SignalIn


@api.post("/signals")
@api.auth_required(auth)
@api.input(SignalIn, arg_name="body")
@api.output(MessageOut)
@api.doc(
    summary="Broadcast a signal",
    responses={
        403: "It reaches instances the caller takes no part in, or starts a process they may not start",
        409: "A receiving instance changed concurrently",
        422: "A receiving flow failed at its next step; nothing was saved for it",
    },
)
def broadcast(body: dict[str, Any]) -> Any:
    """Deliver to every instance that waits for the signal and start every process it starts; a
    signal nobody waits for reaches nobody (both lists empty), as BPMN has it."""
    return engine().signals.broadcast(body["name"], body["variables"], sender=principal())
