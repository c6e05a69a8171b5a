"""Bounded threads for microflow calls: a blocking call or a job's microflow runs in a thread of its
own, and Python cannot stop a thread, so one that hangs past its timeout is abandoned but still
runs. Each pool counts its threads until they really end, abandoned ones included: past its total
(or, for one user, its per-user limit) a new call is refused with CallsBusy (503 with
`Retry-After` over HTTP; a job is tried again later), so hanging microflows can hold only so many
threads and the server keeps answering.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..errors import CallsBusy

RETRY_AFTER_SECONDS = 1
"""What a refused caller is told to wait before trying again."""


class CallThreads:
    """At most `total` running threads, at most `per_user` of them for one user (None: no user limit)."""

    def __init__(self, name: str, total: int, per_user: int | None = None) -> None:
        self.name = name
        self.total = total
        self.per_user = per_user
        self._lock = threading.Lock()
        self._running = 0
        self._by_user: Counter[str] = Counter()

    def start(self, target: Callable[[], Any], thread_name: str, user: str | None = None) -> threading.Thread:
        """Run `target` in a new daemon thread, or raise CallsBusy when the pool is full."""
        with self._lock:
            if self._running >= self.total:
                raise CallsBusy(
                    f"all {self.total} {self.name} threads are busy; try again shortly",
                    retry_after=RETRY_AFTER_SECONDS,
                )
            if user is not None and self.per_user is not None and self._by_user[user] >= self.per_user:
                raise CallsBusy(
                    f"{user} has {self.per_user} {self.name} calls running already; try again shortly",
                    retry_after=RETRY_AFTER_SECONDS,
                )
            self._running += 1
            if user is not None:
                self._by_user[user] += 1

        def run() -> None:
            try:
                target()
            finally:
                self._release(user)

        thread = threading.Thread(target=run, name=thread_name, daemon=True)
        try:
            thread.start()
        except BaseException:
            self._release(user)
            raise
        return thread

    def running(self) -> int:
        """Threads of this pool still running (abandoned ones included)."""
        with self._lock:
            return self._running

    def _release(self, user: str | None) -> None:
        with self._lock:
            self._running -= 1
            if user is not None:
                self._by_user[user] -= 1
                if self._by_user[user] <= 0:
                    del self._by_user[user]
