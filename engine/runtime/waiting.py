"""Waiting for an instance to settle: the API's start with `wait_seconds`, `flowbridge start --wait`.

An instance has settled when it has ended, or when it waits only on people or outside events:
no job of its own is running or due before the wait ends (its open user tasks, messages,
incidents and far timers wait for someone else). A step of this process wakes the waiter of
its instance at once; changes other processes make (worker processes) are seen by a cheap poll.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, or_, select

from ..errors import InvalidInput, NotFound
from ..store.models import Job, ProcessInstance, utcnow
from ..store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from ..store.database import Database
    from .service import RuntimeService

MAX_WAIT_SECONDS = 300.0
"""The longest one wait may last."""
POLL_SECONDS = 0.04
"""How often a waiter looks at the database for changes other processes made."""
SETTLED_STATUSES = ("completed", "terminated", "suspended")
"""Statuses that wait on nobody but a person: a waiter returns at once."""


class InstanceChanges:
    """Wakes the threads that wait for an instance when a step of this process commits a change to it.

    Costs a dictionary look-up per step when nobody waits.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, list[threading.Event]] = {}

    def changed(self, instance_id: str) -> None:
        """A step committed a change to `instance_id`: wake its waiters."""
        if instance_id not in self._waiters:  # nobody waits (the usual case): no lock taken
            return
        with self._lock:
            events = self._waiters.get(instance_id)
            if events:
                for event in events:
                    event.set()

    @contextmanager
    def watch(self, instance_id: str) -> Iterator[threading.Event]:
        """An event set by every change to `instance_id` while the block runs."""
        event = threading.Event()
        with self._lock:
            self._waiters.setdefault(instance_id, []).append(event)
        try:
            yield event
        finally:
            with self._lock:
                events = self._waiters[instance_id]
                events.remove(event)
                if not events:
                    del self._waiters[instance_id]


def wait_for_instance(runtime: RuntimeService, instance_id: str, seconds: float) -> dict[str, Any]:
    """The instance (as `runtime.get` shows it) once it has settled, or after `seconds` (0..300).

    0 returns it at once. NotFound for an unknown instance.
    """
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or not 0 <= seconds <= MAX_WAIT_SECONDS
    ):
        raise InvalidInput(
            f"wait_seconds must be a number from 0 to {MAX_WAIT_SECONDS:g}, not {seconds!r}",
            wait_seconds=seconds if isinstance(seconds, int | float) else None,
        )
    deadline = time.monotonic() + seconds
    with runtime.changes.watch(instance_id) as changed:
        while True:
            changed.clear()  # a change from here on ends the wait below at once
            remaining = deadline - time.monotonic()
            if remaining <= 0 or settled(runtime.db, instance_id, remaining):
                break
            changed.wait(min(POLL_SECONDS, remaining))
    return runtime.get(instance_id)


def settled(db: Database, instance_id: str, within_seconds: float) -> bool:
    """Whether the instance has ended or waits on nobody but people and outside events.

    That is: no job of its own is running, or queued and due within `within_seconds`.
    One indexed query.
    """
    horizon = utcnow() + timedelta(seconds=within_seconds)
    busy = exists().where(
        Job.instance_id == instance_id,
        or_(Job.status == "running", and_(Job.status == "queued", Job.due_at <= horizon)),
    )
    with UnitOfWork(db) as uow:
        row = uow.connection.execute(
            select(ProcessInstance.status, busy).where(ProcessInstance.id == instance_id)
        ).first()
    if row is None:
        raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)
    status, has_work = row
    return status in SETTLED_STATUSES or not has_work
