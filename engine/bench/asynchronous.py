"""The benchmark's `async` scenario: an async service task's round trip (job saved, worker runs it,
result applied) with the embedded worker, and instances/s with embedded threads and worker processes."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import bindparam, func, select

from ..engine import Engine
from ..errors import StepFailed
from ..jobs.queue import ClaimedJob
from ..store.models import ProcessInstance, as_utc
from ..workers.runner import JobRunner
from ..workers.worker import Worker
from .common import ASYNC_KEY, Record, Sizes, p95, timing

ASYNC_THREADS = (1, 4)
"""Threads of the embedded worker in the `async` scenario's runs."""
ASYNC_PROCESS_CONCURRENCY = 1
"""Threads of each `flowbridge worker` process in the `async` scenario (`--concurrency`)."""
ASYNC_STARTERS = 4
"""Threads that start each throughput burst's instances (one alone would measure its own start rate)."""
ASYNC_TIMEOUT_SECONDS = 120.0
"""The longest the `async` scenario waits for its instances to end before it gives up."""


# -- async microflows: the job round trip -----------------------------------------------------------


class _TimedRunner(JobRunner):
    """A job runner that notes when each instance's job step has committed, and wakes who waits."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine.runtime, engine.jobs, engine.registry, engine.job_kinds)
        self.finished: dict[str, float] = {}
        self.failures: list[str] = []
        self.changed = threading.Condition()

    def run(self, job: ClaimedJob) -> str:
        outcome = super().run(job)
        now = perf_counter()
        with self.changed:
            if outcome != "done":
                self.failures.append(f"job {job.id} of instance {job.instance_id}: {outcome}")
            if job.instance_id is not None:
                self.finished[job.instance_id] = now
            self.changed.notify_all()
        return outcome

    def wait_for(self, instance_ids: list[str]) -> None:
        """Wait until every instance's job has run (its step committed)."""

        def ready() -> bool:
            return bool(self.failures) or all(i in self.finished for i in instance_ids)

        with self.changed:
            if not self.changed.wait_for(ready, ASYNC_TIMEOUT_SECONDS):
                missing = sum(1 for i in instance_ids if i not in self.finished)
                raise StepFailed(f"{missing} async instances did not end in {ASYNC_TIMEOUT_SECONDS:g} s")
            if self.failures:
                raise StepFailed(f"an async job did not finish: {self.failures[0]}")


def _start_async(engine: Engine, index: int) -> str:
    instance = engine.runtime.start(ASYNC_KEY, {"x": index})
    if instance["status"] not in ("waiting", "completed"):
        raise StepFailed(f"async instance is {instance['status']} after its start, not waiting")
    instance_id: str = instance["id"]
    return instance_id


def _start_burst(engine: Engine, count: int) -> dict[str, float]:
    """Start `count` instances from `ASYNC_STARTERS` threads; when each `start` returned (perf_counter)."""
    returned: dict[str, float] = {}
    errors: list[BaseException] = []

    def start_some(indexes: range) -> None:
        try:
            for index in indexes:
                instance_id = _start_async(engine, index)
                returned[instance_id] = perf_counter()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(
            target=start_some, args=(range(i, count, ASYNC_STARTERS),), name=f"bench-starter-{i}"
        )
        for i in range(ASYNC_STARTERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return returned


def _embedded_async(sizes: Sizes, engine: Engine, threads: int) -> list[Record]:
    """Round trips one at a time, then bursts, through a worker in this process with `threads` threads.

    The round trip is timed from `runtime.start` returning to the moment the worker's step that
    applies the result (and ends the instance) has committed; the worker's runner notes that
    moment and wakes the waiting bench thread, so nothing polls the database.
    """
    runner = _TimedRunner(engine)
    worker = Worker(engine, concurrency=threads, runner=runner)
    worker.start()
    try:
        trips: list[float] = []
        for index in range(sizes.warmup + sizes.async_round_trips):
            instance_id = _start_async(engine, index)
            returned = perf_counter()
            runner.wait_for([instance_id])
            if index >= sizes.warmup:
                trips.append(max(0.0, runner.finished[instance_id] - returned))
        gc.collect()
        rates, start_rates, latencies = [], [], []
        for _ in range(sizes.async_bursts):
            began = perf_counter()
            returned_at = _start_burst(engine, sizes.async_burst)
            start_rates.append(sizes.async_burst / (max(returned_at.values()) - began))
            runner.wait_for(list(returned_at))
            last = max(runner.finished[i] for i in returned_at)
            rates.append(sizes.async_burst / (last - began))
            latencies += [max(0.0, runner.finished[i] - t) for i, t in returned_at.items()]
    finally:
        worker.stop()
    label = f"embedded worker, {threads} thread{'s' if threads > 1 else ''}"
    return [
        timing(f"round trip, {label}", trips),
        _throughput(f"instances/s, {label}", rates, start_rates, latencies),
    ]


def _throughput(figure: str, rates: list[float], start_rates: list[float], latencies: list[float]) -> Record:
    """Instances per second (the median of the bursts), with the rate the starting threads reached
    (when the two are close, the workers kept up and the starts were the limit) and the bursts'
    start-to-end latencies."""
    return Record(
        figure,
        statistics.median(rates),
        None,
        len(rates),
        "/s",
        extra={
            "latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
            "latency_p95_ms": round(p95(latencies) * 1000, 1),
            "starters": ASYNC_STARTERS,
            "started_per_second": round(statistics.median(start_rates), 1),
        },
    )


_MICROFLOW_FILE = "from engine.bench.common import register_microflow\n\nregister_microflow()\n"
"""The models-folder file through which `flowbridge worker` processes load the bench microflows."""


class _WorkerProcesses:
    """`flowbridge worker` processes on the benchmark's database, started and stopped together."""

    def __init__(self, url: str, count: int, directory: Path) -> None:
        (directory / "bench_flows.py").write_text(_MICROFLOW_FILE)
        env = {**os.environ, "FLOWBRIDGE_DATABASE_URL": url, "FLOWBRIDGE_MODELS": str(directory)}
        env.pop("FLOWBRIDGE_MICROFLOWS", None)
        command = [
            sys.executable,
            "-c",
            "from engine.cli import main; main()",
            "worker",
            f"--concurrency={ASYNC_PROCESS_CONCURRENCY}",
        ]
        self.logs = [directory / f"worker-{i}.log" for i in range(count)]
        self.processes = []
        for log_path in self.logs:
            with open(log_path, "wb") as log:
                self.processes.append(
                    subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
                )

    def check(self) -> None:
        """Refuse to go on when a worker process has exited."""
        for process, log_path in zip(self.processes, self.logs, strict=True):
            if process.poll() is not None:
                tail = " ".join(log_path.read_text(errors="replace").split()[-40:])
                raise StepFailed(f"a worker process exited with code {process.returncode}: {tail}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


_TIMES = select(ProcessInstance.id, ProcessInstance.started_at, ProcessInstance.ended_at).where(
    ProcessInstance.id.in_(bindparam("ids", expanding=True))
)
_STATUSES = (
    select(ProcessInstance.status, func.count())
    .where(ProcessInstance.key == ASYNC_KEY)
    .group_by(ProcessInstance.status)
)


def _wait_ended(engine: Engine, workers: _WorkerProcesses, instance_ids: list[str]) -> dict[str, Any]:
    """Wait until every async instance completed, looking every 20 ms; these instances' start and end.

    One cheap count per look (every instance of the scenario's model must be completed, as
    this waits for each burst before the next starts), then the times once at the end: the
    times are the ones the steps saved (`started_at`, `ended_at`), not when this loop saw
    them, so how often it looks does not change the figures.
    """
    deadline = perf_counter() + ASYNC_TIMEOUT_SECONDS
    with engine.db.engine.connect() as conn:
        while True:
            statuses = {status: count for status, count in conn.execute(_STATUSES)}
            conn.rollback()
            if statuses.get("incident") or statuses.get("failed"):
                raise StepFailed("an async instance raised an incident instead of completing")
            unfinished = sum(n for status, n in statuses.items() if status != "completed")
            if not unfinished:
                break
            workers.check()
            if perf_counter() > deadline:
                raise StepFailed(f"{unfinished} async instances did not end in {ASYNC_TIMEOUT_SECONDS:g} s")
            time.sleep(0.02)
        ended: dict[str, Any] = {}
        for chunk in range(0, len(instance_ids), 500):
            rows = conn.execute(_TIMES, {"ids": instance_ids[chunk : chunk + 500]}).all()
            ended.update({row.id: (row.started_at, row.ended_at) for row in rows})
        conn.rollback()
    if len(ended) != len(instance_ids):
        raise StepFailed(f"{len(instance_ids) - len(ended)} async instances are missing")
    return ended


def _aware_seconds(value: Any) -> float:
    """A stored timestamp as seconds since the epoch (SQLite gives it back without its zone)."""
    return float(as_utc(value).timestamp())


def _process_async(sizes: Sizes, engine: Engine, count: int) -> Record:
    """Bursts of instances started here and run by `count` `flowbridge worker` processes: instances/s
    from the first start to the last end, and each instance's start-to-end latency."""
    url = engine.settings.database_url
    directory = Path(tempfile.mkdtemp(prefix="flowbridge-bench-workers-"))
    workers = _WorkerProcesses(url, count, directory)
    try:
        # Warm-up: the processes have started, connected and run a few jobs each.
        _wait_ended(engine, workers, [_start_async(engine, i) for i in range(max(sizes.warmup, 4 * count))])
        rates, start_rates, latencies = [], [], []
        for _ in range(sizes.async_bursts):
            began, began_perf = time.time(), perf_counter()
            returned_at = _start_burst(engine, sizes.async_burst)
            start_rates.append(sizes.async_burst / (max(returned_at.values()) - began_perf))
            ids = list(returned_at)
            ended = _wait_ended(engine, workers, ids)
            spans = [(_aware_seconds(s), _aware_seconds(e)) for s, e in ended.values()]
            rates.append(sizes.async_burst / (max(e for _s, e in spans) - began))
            latencies += [max(0.0, e - s) for s, e in spans]
    finally:
        workers.stop()
        shutil.rmtree(directory, ignore_errors=True)
    plural = "es" if count > 1 else ""
    record = _throughput(f"instances/s, {count} worker process{plural}", rates, start_rates, latencies)
    record.extra["threads_each"] = ASYNC_PROCESS_CONCURRENCY
    return record


def scenario_async(sizes: Sizes, engine: Engine, cold: Engine, raw: Any) -> list[Record]:
    """An async microflow's round trip (job saved → worker runs it → result applied), and instances/s.

    First a worker in this process (1 and 4 threads): round trips one instance at a time, then
    bursts; then `flowbridge worker` processes on the same database, bursts only.
    """
    records = []
    for threads in ASYNC_THREADS:
        records += _embedded_async(sizes, engine, threads)
    for count in sizes.async_processes:
        records.append(_process_async(sizes, engine, count))
    completed = engine.runtime.list(key=ASYNC_KEY, status="completed", limit=1)["total"]
    started = engine.runtime.list(key=ASYNC_KEY, limit=1)["total"]
    if completed != started:
        raise StepFailed(f"{started - completed} of {started} async instances did not complete")
    return records
