"""`flowbridge worker`: run jobs (async microflows, timers) until stopped, or once until none is due."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

import click

from ..jobs.queue import ClaimedJob
from ..workers.runner import JobRunner
from ..workers.worker import LEASE_SECONDS, Worker
from .app import App, pass_app, safe_url
from .jobs import relative

logger = logging.getLogger("flowbridge.worker")
ENGINE_LOGGER = logging.getLogger("flowbridge")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
"""Signals that stop the worker: the first one gracefully, a second one at once."""
GRACEFUL_STOP_SECONDS = 3600.0
"""The longest a graceful stop waits for running jobs (a microflow is abandoned after its own timeout)."""

OUTCOMES = {
    "done": "done",
    "bpmn_error": "raised a BPMN error, routed to its error boundary event",
    "retry": "failed; it runs again after its backoff",
    "incident": "failed after its last attempt: an incident waits for a retry",
    "ignored": "result recorded and ignored: its task no longer waits for it",
    "lost": "lost: another worker finished it first",
    "cancelled": "cancelled: its instance or task is gone",
    "failed": "failed",
    "crashed": "crashed; it runs again when its lease expires",
}
"""What each outcome of `JobRunner.run` means, for the log."""


class LoggingRunner(JobRunner):
    """A job runner that logs one line per outcome at INFO."""

    def run(self, job: ClaimedJob) -> str:
        began = time.monotonic()
        outcome = super().run(job)
        if logger.isEnabledFor(logging.INFO):
            took = (time.monotonic() - began) * 1000
            what = f"{job.kind} {job.microflow}" if job.microflow else job.kind
            where = f" at {job.element_id}" if job.element_id else ""
            instance = f" of instance {job.instance_id}" if job.instance_id else ""
            detail = OUTCOMES.get(outcome, outcome)
            if outcome in ("retry", "incident", "failed"):
                error = self._error(job.id)
                detail += f" ({error})" if error else ""
            logger.info(
                "job %s: %s%s%s, attempt %d/%d: %s [%.0f ms]",
                job.id,
                what,
                where,
                instance,
                job.attempts,
                job.max_attempts,
                detail,
                took,
            )
        return outcome

    def _error(self, job_id: str) -> str | None:
        try:
            error = self.store.get(job_id)["error"]
        except Exception:
            return None
        return str(error) if error else None


class EchoHandler(logging.Handler):
    """Log records as lines on the current stderr (click's, so tests capture them)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:
            self.handleError(record)


@click.command(short_help="Run jobs: async microflows and timers.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    metavar="N",
    help="Jobs run at once (threads).",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=0.1),
    default=LEASE_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="How long a claimed job is this worker's; if it dies, others take the job after that.",
)
@click.option("--once", is_flag=True, help="Run the jobs that are due until none is, then exit.")
@click.option("-v", "--verbose", is_flag=True, help="Log one line per job outcome.")
@pass_app
def worker(app: App, concurrency: int, lease: float, once: bool, verbose: bool) -> None:
    """Run jobs until SIGTERM or SIGINT (Ctrl-C), or with --once until none is due.

    The first signal stops gracefully: running jobs finish, no new ones start. A second signal
    exits at once; the jobs it interrupts run again once their lease expires.
    """
    engine = app.engine()
    # The engine's loggers ("flowbridge.*") print to stderr; -v adds the worker's INFO lines.
    handler = EchoHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    previous_level = logger.level
    ENGINE_LOGGER.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        runner = Worker(
            engine, concurrency=concurrency, lease_seconds=lease, runner=LoggingRunner.for_engine(engine)
        )
        for label, value in (
            ("worker", runner.name),
            ("database", safe_url(engine.settings.database_url)),
            ("concurrency", str(concurrency)),
            ("microflows", ", ".join(m.name for m in engine.registry) or "none"),
        ):
            click.echo(f"{label:<13}{value}")
        if once:
            ran = runner.run_until_idle()
            click.echo(f"ran {ran} job{'' if ran == 1 else 's'}{_summary(runner.outcomes)}")
        else:
            _run_until_signalled(runner)
        due = engine.jobs.next_due()
        if due is not None:
            click.echo(f"next job due {relative(due.isoformat())}")
    finally:
        ENGINE_LOGGER.removeHandler(handler)
        logger.setLevel(previous_level)


def _run_until_signalled(runner: Worker) -> None:
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stopping.is_set():
            click.echo("second signal: exiting now; interrupted jobs run again after their lease", err=True)
            os._exit(128 + signum)
        stopping.set()

    previous: dict[int, Any] = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        runner.start()
        click.echo("running; stop with Ctrl-C or SIGTERM")
        while not stopping.wait(0.5):
            pass
        click.echo("stopping: running jobs finish first (a second signal exits at once)")
        runner.stop(timeout=GRACEFUL_STOP_SECONDS)
        ran = sum(runner.outcomes.values())
        click.echo(f"stopped after {ran} job{'' if ran == 1 else 's'}{_summary(runner.outcomes)}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _summary(outcomes: dict[str, int]) -> str:
    """` (done 3, retry 1)`, or nothing when no job ran."""
    if not outcomes:
        return ""
    return " (" + ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())) + ")"
