"""Messages: correlate one to the instances that wait for it, or start a process with it."""

from __future__ import annotations

from typing import Any

from ..auth import auth, principal
from .blueprint import api, engine
from .schemas import MessageIn, MessageOut


@api.post("/messages")
@api.auth_required(auth)
@api.input(MessageIn, arg_name="body")
@api.output(MessageOut)
@api.doc(
    summary="Correlate a message",
    responses={
        403: "It reaches instances the caller takes no part in, or starts a process they may not start",
        404: "Nobody waits for it and no process starts with it",
        409: "A receiving instance changed concurrently, or cannot take it now",
        422: "A receiving flow failed at its next step; nothing was saved",
    },
)
def correlate(body: dict[str, Any]) -> Any:
    """Deliver to every waiting instance whose correlation values match, else start its processes."""
    return engine().messages.correlate(
        body["name"],
        body["correlation"],
        body["variables"],
        message_id=body.get("message_id"),
        sender=principal(),
    )
