"""Workers: threads that claim due jobs, run them, and renew their leases while they run.

`flowbridge worker` runs one `Worker`; `flowbridge serve` embeds one beside the web app. Idle
threads sleep until the next job is due, and wake at once when a step of this process commits
new jobs (an in-process signal) or when any process does: on PostgreSQL through LISTEN/NOTIFY, on
SQLite by watching the database's data version (a cheap pragma, read every 20 ms). A notice
wakes one idle thread; a thread that claims a job wakes the next, so a batch of jobs wakes as many
threads as it keeps busy, and a single job does not send every thread to claim nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime
from typing import Any

from ..jobs.outbox import NOTIFY_CHANNEL
from ..jobs.queue import ClaimedJob, JobStore
from ..jobs.signal import JobSignal
from ..store.models import utcnow
from .runner import JobRunner

logger = logging.getLogger("flowbridge.worker")

LEASE_SECONDS = 30.0
"""How long a claimed job is a worker's; renewed every third of it while the job runs."""
MAX_IDLE_SECONDS = 1.0
"""The longest an idle thread sleeps before it looks for due jobs again (timers fire within it)."""
LISTEN_TIMEOUT_SECONDS = 0.25
"""How long the PostgreSQL listener waits for a notification before it checks whether to stop."""
SQLITE_WATCH_SECONDS = 0.02
"""How often a worker on SQLite (which has no NOTIFY) looks whether another process committed."""


class Worker:
    """A pool of threads running jobs for one engine."""

    def __init__(
        self,
        engine: Any,
        concurrency: int = 4,
        name: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        max_idle_seconds: float = MAX_IDLE_SECONDS,
        runner: JobRunner | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("a worker needs at least one thread")
        self.engine = engine
        self.concurrency = concurrency
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_seconds = lease_seconds
        self.max_idle_seconds = max_idle_seconds
        self.store: JobStore = engine.jobs
        self.runner = runner if runner is not None else JobRunner.for_engine(engine)
        """Runs each claimed job (a subclass may time or log them)."""
        self.signal: JobSignal = engine.runtime.signal
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._running: dict[str, ClaimedJob] = {}
        self._lock = threading.Lock()
        self.outcomes: dict[str, int] = {}
        """Outcome name → count, for logs and tests."""

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the job threads, the lease renewer, and the listener (PostgreSQL) or watcher (SQLite)."""
        self._stop.clear()
        targets = [self._loop] * self.concurrency + [self._renew_leases]
        targets.append(self._watch if self.engine.db.is_sqlite else self._listen)
        for index, target in enumerate(targets):
            thread = threading.Thread(target=target, name=f"flowbridge-worker-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the threads to stop after their current job, and wait for them."""
        self._stop.set()
        self.signal.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def run_until_idle(self, timeout: float = 30.0) -> int:
        """Run due jobs in this thread until none is due (tests and `--once`); how many ran."""
        deadline = utcnow().timestamp() + timeout
        ran = 0
        while utcnow().timestamp() < deadline:
            claimed = self.store.claim(self.name, self.concurrency, self.lease_seconds)
            if not claimed:
                return ran
            for job in claimed:
                self._run(job)
                ran += 1
        return ran

    # -- threads --------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            # Notices before this moment announce jobs the claim below sees; a later one wakes the wait.
            seen = self.signal.generation
            try:
                claimed, due = self.store.claim_or_next_due(self.name, 1, self.lease_seconds)
            except Exception:
                logger.exception("claiming jobs failed; trying again shortly")
                self._stop.wait(self.max_idle_seconds)
                continue
            if claimed:
                # More may be due: an idle thread (if any) looks while this one works.
                self.signal.notify()
                for job in claimed:
                    self._run(job)
                continue
            self.signal.wait(seen, self._idle_seconds(due))

    def _run(self, job: ClaimedJob) -> None:
        with self._lock:
            self._running[job.id] = job
        try:
            outcome = self.runner.run(job)
        finally:
            with self._lock:
                self._running.pop(job.id, None)
        with self._lock:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        logger.debug("job %s (%s): %s", job.id, job.kind, outcome)

    def _idle_seconds(self, due: datetime | None) -> float:
        """How long to sleep when nothing is due: until the next queued job is, at most the idle limit."""
        if due is None:
            return self.max_idle_seconds
        return max(0.0, min(self.max_idle_seconds, (due - utcnow()).total_seconds()))

    def _renew_leases(self) -> None:
        while not self._stop.wait(self.lease_seconds / 3):
            with self._lock:
                running = list(self._running)
            try:
                self.store.heartbeat(self.name, running, self.lease_seconds)
            except Exception:
                logger.exception("renewing job leases failed")

    def _listen(self) -> None:
        """Turn PostgreSQL notifications of new jobs into wake-ups of this worker's threads."""
        while not self._stop.is_set():
            try:
                import psycopg

                # A connection of its own, outside the pool: it stays in autocommit, listening.
                url = self.engine.db.url.set(drivername="postgresql")
                with psycopg.connect(
                    url.render_as_string(hide_password=False), autocommit=True
                ) as connection:
                    connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    while not self._stop.is_set():
                        for _notice in connection.notifies(timeout=LISTEN_TIMEOUT_SECONDS, stop_after=1):
                            self.signal.notify()
            except Exception:
                logger.exception("listening for new jobs failed; polling until it works again")
                self._stop.wait(self.max_idle_seconds)

    def _watch(self) -> None:
        """SQLite has no NOTIFY: turn other processes' commits that leave a job due into wake-ups.

        `PRAGMA data_version` on one connection changes whenever another connection commits;
        reading it costs microseconds and takes no lock. Only after a change does the watcher
        ask whether a job is due, and wake a thread if one is.
        """
        while not self._stop.is_set():
            try:
                with self.engine.db.engine.connect() as connection:
                    # Straight to the driver, outside any transaction (the engine's SQLite
                    # connections autocommit until a unit of work begins one).
                    driver = connection.connection.driver_connection
                    assert driver is not None
                    seen = driver.execute("PRAGMA data_version").fetchone()[0]
                    while not self._stop.wait(SQLITE_WATCH_SECONDS):
                        version = driver.execute("PRAGMA data_version").fetchone()[0]
                        if version == seen:
                            continue
                        seen = version
                        due = self.store.next_due()
                        if due is not None and due <= utcnow():
                            self.signal.notify()
            except Exception:
                logger.exception("watching for new jobs failed; polling until it works again")
                self._stop.wait(self.max_idle_seconds)
