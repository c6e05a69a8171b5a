"""Crash safety for real: worker processes killed with SIGKILL mid-job lose nothing and apply nothing twice.

Worker processes (`flowbridge worker --lease 1.5`) run the async microflow `crash_double`
(tests/workers/crash_flows.py: 5-20 ms, every call recorded in a file) for instances the test process
starts from a few threads. The test SIGKILLs a worker — one that holds a running job, when one
does — and starts a replacement each time a few more instances have completed since the last kill
(and at least half a second later), so the kills keep pace with the machine's progress rather than
with the clock: a slow, busy machine is killed less often, never starved. When every instance has
ended, it checks that each
instance completed with the right variables, that each task's result was applied exactly once
(one `microflow_returned` event), that no job is left queued or running, and that the kills did
land mid-job: some jobs ran more than once (delivery is at least once), yet applied once.

Also: an idle worker process on SQLite (no NOTIFY there) wakes for a job another process commits
(`tests/workers/crash_worker.py` runs the same `Worker` with a long idle limit, which the command
does not expose).
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine import REGISTRY, Engine
from engine.microflows import Microflow

from ..builders import flow, model
from ..conftest import _PG_SKIP, POSTGRES_URL, ROOT, make_engine
from . import crash_flows

LEASE_SECONDS = 1.5
"""Workers' job lease: a killed worker's jobs are claimed again this soon."""
STALL_SECONDS = 300.0
"""The run fails as stuck when no instance completes for this long (a healthy run completes one
every few milliseconds; a killed worker's job is free again after the lease)."""
KILL_EVERY = (0.5, 1.0)
"""The least seconds between kills, drawn uniformly."""
KILL_PATIENCE = 1.0
"""How long a due kill waits for a worker that holds a job before it takes any worker."""
START_SPREAD_SECONDS = 4.0
"""Instances are started over at least this long, so several kills land while jobs run."""
SIZES = {"postgresql": (500, 4, 12), "sqlite": (100, 2, 5)}
"""Instances, worker processes, and completions between kills by database: SQLite's single writer
makes its run smaller."""


def crash_model() -> bytes:
    """start → async service task `work` (crash_double) → end."""
    body = (
        '<bpmn:startEvent id="s"/>'
        '<bpmn:serviceTask id="work" camunda:type="external" camunda:topic="crash_double" '
        'camunda:asyncBefore="true"/>'
        '<bpmn:endEvent id="e"/>' + flow("s", "work") + flow("work", "e")
    )
    return model(body, key="crash")


@pytest.fixture
def crash_microflow() -> Iterator[None]:
    """`crash_double` registered in this process too: the start step reads its retries and timeout."""
    REGISTRY.register(Microflow.wrap("crash_double", crash_flows.crash_double, mode="async", retries=20))
    yield
    REGISTRY.unregister("crash_double")


@pytest.fixture(params=["postgresql", "sqlite"])
def crash_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(kind, URL) of a fresh database: a PostgreSQL schema of its own, or a SQLite file."""
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    schema = f"t_crash_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield "postgresql", f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Workers:
    """The worker processes of one test: started, killed, replaced, stopped."""

    url: str
    logs: Path
    env: dict[str, str]
    concurrency: int
    idle: float
    live: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started: int = 0
    kills: int = 0
    mid_job_kills: int = 0

    def spawn(self) -> None:
        self.started += 1
        log = open(self.logs / f"worker-{self.started}.log", "wb")  # noqa: SIM115 (the child owns it)
        command = worker_command(self.url, self.concurrency, self.idle)
        self.live.append(
            subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        )
        log.close()

    def kill_one(self, busy_pids: set[int], anyone: bool) -> bool:
        """SIGKILL a worker holding a running job (with `anyone`, any worker when none does) and start
        its replacement; False when nobody was killed."""
        holding = [p for p in self.live if p.pid in busy_pids and p.poll() is None]
        if not holding and not anyone:
            return False
        victim = random.choice(holding or self.live)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        self.live.remove(victim)
        self.kills += 1
        self.mid_job_kills += bool(holding)
        self.spawn()
        return True

    def stop(self) -> None:
        for proc in self.live:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.live:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.live.clear()

    def tail(self) -> str:
        """The end of the worker logs that show an error, for a failure message."""
        parts = []
        for path in sorted(self.logs.glob("worker-*.log")):
            log = path.read_text(errors="replace")
            if "Traceback" in log or "ERROR" in log or "error:" in log:
                parts.append(f"--- {path.name}\n{log[-1500:]}")
        return "\n".join(parts[-5:])


def worker_command(url: str, concurrency: int, idle: float) -> list[str]:
    """A real `flowbridge worker` process with a short lease."""
    return [
        sys.executable,
        "-m",
        "web.cli",
        f"--db={url}",
        "--microflows=tests.workers.crash_flows",
        "worker",
        f"--concurrency={concurrency}",
        f"--lease={LEASE_SECONDS}",
    ]


def _scalar_rows(engine: Engine, sql: str) -> list[Any]:
    with engine.db.engine.connect() as conn:
        return list(conn.execute(text(sql)).all())


def _busy_pids(engine: Engine) -> set[int]:
    """Process ids of the workers holding running jobs (a worker's name is host:pid:suffix)."""
    pids = set()
    for (locked_by,) in _scalar_rows(engine, "SELECT locked_by FROM jobs WHERE status = 'running'"):
        parts = str(locked_by).rsplit(":", 2)
        if len(parts) == 3 and parts[1].isdigit():
            pids.add(int(parts[1]))
    return pids


def test_killed_workers_lose_nothing_and_apply_nothing_twice(
    crash_db: tuple[str, str], crash_microflow: None, tmp_path: Path
) -> None:
    kind, url = crash_db
    count, worker_count, kill_stride = SIZES[kind]
    engine = make_engine(url, cache_size=100)
    calls_file = tmp_path / "calls.txt"
    env = {
        **os.environ,
        crash_flows.CALLS_ENV: str(calls_file),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    workers = Workers(url, tmp_path, env, concurrency=2, idle=1.0)
    began = time.monotonic()
    started: dict[str, int] = {}
    start_errors: list[BaseException] = []
    try:
        engine.repository.deploy({"crash.bpmn": crash_model()})
        for _ in range(worker_count):
            workers.spawn()

        def start_some(numbers: range) -> None:
            try:
                for n in numbers:
                    time.sleep(max(0.0, began + START_SPREAD_SECONDS * n / count - time.monotonic()))
                    instance = engine.runtime.start("crash", {"n": n})
                    started[instance["id"]] = n
            except BaseException as exc:
                start_errors.append(exc)

        threads = [threading.Thread(target=start_some, args=(range(i, count, 4),)) for i in range(4)]
        for thread in threads:
            thread.start()

        completed = completed_at_kill = 0
        last_progress = time.monotonic()
        next_kill = time.monotonic() + random.uniform(*KILL_EVERY)
        due_since: float | None = None
        stalled = False
        while True:
            time.sleep(0.05)
            if start_errors:
                break
            starting = any(t.is_alive() for t in threads)
            [(now_completed,)] = _scalar_rows(
                engine, "SELECT count(*) FROM process_instances WHERE status = 'completed'"
            )
            now = time.monotonic()
            if now_completed > completed or starting:
                completed, last_progress = now_completed, now
            if not starting and completed >= count:
                break
            if now - last_progress > STALL_SECONDS:
                stalled = True
                break
            # A kill is due once the workers have made progress since the last one; it aims at a
            # worker holding a job, and waits a little for one rather than kill an idle one.
            if now < next_kill or completed - completed_at_kill < kill_stride:
                continue
            due_since = due_since or now
            if workers.kill_one(_busy_pids(engine), anyone=now >= due_since + KILL_PATIENCE):
                completed_at_kill, due_since = completed, None
                next_kill = time.monotonic() + random.uniform(*KILL_EVERY)
        for thread in threads:
            thread.join(30)
        ran_for = time.monotonic() - began
    finally:
        workers.stop()
    try:
        assert not start_errors, start_errors
        assert len(started) == count
        statuses = collections.Counter(
            status for (status,) in _scalar_rows(engine, "SELECT status FROM process_instances")
        )
        assert statuses == {"completed": count}, (
            f"after {ran_for:.1f} s and {workers.kills} kills"
            f"{f', no instance completed for {STALL_SECONDS:.0f} s' if stalled else ''}: "
            f"{dict(statuses)}\n{workers.tail()}"
        )

        # Each task's result was applied exactly once, and it is the right one.
        returned = collections.Counter(
            (instance_id, task_id)
            for instance_id, task_id in _scalar_rows(
                engine, "SELECT instance_id, task_id FROM history_events WHERE kind = 'microflow_returned'"
            )
        )
        assert len(returned) == count and set(returned.values()) == {1}, collections.Counter(
            returned.values()
        )
        assert {instance_id for instance_id, _task in returned} == set(started)
        ignored = "SELECT count(*) FROM history_events WHERE kind = 'job_result_ignored'"
        assert _scalar_rows(engine, ignored) == [(0,)]
        for instance in _all_instances(engine):
            assert instance["variables"]["doubled"] == 2 * started[instance["id"]], instance

        # No job is left behind; every job ran at least once, some more than once.
        jobs = _scalar_rows(engine, "SELECT id, status, attempts FROM jobs")
        assert collections.Counter(status for _id, status, _a in jobs) == {"done": count}
        calls = collections.Counter(line.split()[0] for line in calls_file.read_text().splitlines())
        assert set(calls) == {job_id for job_id, _s, _a in jobs}
        reclaimed = sum(1 for _id, _s, attempts in jobs if attempts > 1)
        repeated = sum(1 for n in calls.values() if n > 1)
        summary = (
            f"{kind}: {count} instances, {worker_count} workers, {workers.kills} kills "
            f"({workers.mid_job_kills} of a worker holding a job), {reclaimed} jobs claimed again, "
            f"{repeated} jobs ran more than once ({sum(calls.values())} calls for {count} tasks), "
            f"{ran_for:.1f} s"
        )
        print(summary)
        assert workers.kills >= 1, summary
        # A job claimed again is one whose worker died holding it; it ran twice when the worker died
        # after calling the microflow and before its step committed.
        assert reclaimed >= 1, f"no kill landed mid-job: {summary}"
    finally:
        engine.close()


IDLE = 600.0
"""The idle worker's longest sleep in the wake test."""


def test_a_worker_process_on_sqlite_wakes_for_a_job_another_process_commits(
    crash_microflow: None, tmp_path: Path
) -> None:
    """SQLite has no NOTIFY: an idle worker process (here sleeping up to 600 s) still runs a job that
    this process commits at once, by watching the database's data version.

    The bound is the idle sleep, not a guess at the machine's speed: a worker that did not wake would
    take the whole 600 s; one that wakes takes milliseconds, or seconds on a busy machine."""
    url = f"sqlite:///{tmp_path / 'wake.sqlite3'}"
    engine = make_engine(url)
    log_path = tmp_path / "worker.log"
    command = [sys.executable, "-m", "tests.workers.crash_worker", url, "--concurrency=1", f"--idle={IDLE}"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    try:
        engine.repository.deploy({"crash.bpmn": crash_model()})
        with open(log_path, "wb") as log:
            worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while "ready" not in log_path.read_text():
                assert worker.poll() is None, log_path.read_text()
                time.sleep(0.05)
            time.sleep(0.5)  # the worker found nothing to do and sleeps, for up to IDLE seconds
            began = time.monotonic()
            instance = engine.runtime.start("crash", {"n": 21})
            while (
                engine.runtime.get(instance["id"])["status"] != "completed"
                and time.monotonic() - began < IDLE / 2
            ):
                time.sleep(0.01)
            took = time.monotonic() - began
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(15)
        assert engine.runtime.get(instance["id"])["variables"]["doubled"] == 42, log_path.read_text()
        assert took < IDLE / 2, f"the job ran {took:.2f} s after it was committed: the worker slept on"
    finally:
        engine.close()


def _all_instances(engine: Engine) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = engine.runtime.list(key="crash", limit=1000, offset=len(items))["items"]
        items += page
        if len(page) < 1000:
            return items
