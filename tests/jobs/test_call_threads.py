"""Blocking microflow calls run in bounded threads (engine/jobs/call_threads.py): a hanging microflow
holds its thread after its timeout, so the pool refuses new calls (503 over HTTP) instead of
growing without bound, per user and in all; a thread that ends frees its place."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from engine import Engine
from engine.errors import CallsBusy, MicroflowTimeout
from engine.jobs.call_threads import CallThreads

from ..conftest import Api


@pytest.fixture
def gate(microflows: Any) -> threading.Event:
    """Microflow `stuck` hangs until the test opens the gate."""
    opened = threading.Event()
    microflows("stuck", lambda: opened.wait(30) and "released", timeout=0.05, expose=True)
    microflows("quick", lambda: "done", expose=True)
    yield opened
    opened.set()


def test_abandoned_calls_keep_their_threads_until_they_end(engine: Engine, gate: threading.Event) -> None:
    engine.microflows.threads = pool = CallThreads("test", total=2, per_user=None)
    for _ in range(2):
        with pytest.raises(MicroflowTimeout):
            engine.microflows.call("stuck", {})
    assert pool.running() == 2  # both still hang, abandoned
    with pytest.raises(CallsBusy, match="all 2 test threads are busy"):
        engine.microflows.call("quick", {})
    gate.set()
    for thread in [t for t in threading.enumerate() if t.name.startswith("microflow-stuck")]:
        thread.join(5)
    assert pool.running() == 0
    assert engine.microflows.call("quick", {}) == "done"


def test_one_user_cannot_take_every_thread(engine: Engine, gate: threading.Event) -> None:
    engine.microflows.threads = CallThreads("test", total=10, per_user=1)
    with pytest.raises(MicroflowTimeout):
        engine.microflows.call("stuck", {}, user="mallory")
    with pytest.raises(CallsBusy, match="mallory has 1 test calls running already"):
        engine.microflows.call("quick", {}, user="mallory")
    assert engine.microflows.call("quick", {}, user="ada") == "done"  # others are not starved


def test_a_full_pool_is_503_with_retry_after(api: Api, gate: threading.Event) -> None:
    api.engine.microflows.threads = CallThreads("test", total=1, per_user=None)
    status, _body = api.post("/api/microflows/stuck/call", "bob", json={"input": {}})
    assert status == 504
    answer = api.client.post(
        "/api/microflows/quick/call",
        json={"input": {}},
        headers={"Authorization": f"Bearer {api.tokens['bob']}"},
    )
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert answer.get_json()["error"]["code"] == "calls_busy"


def test_a_blocking_call_waits_at_most_the_configured_maximum(engine: Engine, gate: threading.Event) -> None:
    engine.microflows.max_call_seconds = 0.05
    with pytest.raises(MicroflowTimeout, match=r"longer than 0\.05 s"):
        engine.microflows.call("stuck", {}, timeout_seconds=10)  # asks for more than the maximum


def test_jobs_keep_flowing_while_microflows_hang(
    engine: Engine, gate: threading.Event, microflows: Any
) -> None:
    from engine.workers import Worker
    from engine.workers.runner import JobRunner

    from ..signals.test_signals import THROWER, catching, signal_model

    microflows("stuck_job", lambda: gate.wait(30) and "released", timeout=0.05, retries=0)
    microflows("quick_job", lambda: "done", retries=0)
    runner = JobRunner(
        engine.runtime, engine.jobs, engine.registry, engine.job_kinds, threads=CallThreads("job", 1)
    )
    worker = Worker(engine, concurrency=1, runner=runner)
    stuck = engine.microflows.call_async("stuck_job", {})
    assert worker.run_until_idle() == 1  # abandoned after its timeout, still holding the pool's thread
    assert engine.jobs.get(stuck["id"])["status"] == "failed"
    quick = engine.microflows.call_async("quick_job", {})
    engine.repository.deploy(
        {"c.bpmn": signal_model(catching(), "catcher"), "t.bpmn": signal_model(THROWER, "thrower")}
    )
    catcher = engine.runtime.start("catcher", {})
    engine.runtime.start("thrower", {})  # its signal is a job that needs no microflow thread
    assert worker.run_until_idle() == 2
    error = engine.jobs.get(quick["id"])["error"] or ""
    assert "all 1 job threads are busy" in error  # refused a thread, not run alongside the hanging one
    assert [t["element_id"] for t in engine.runtime.get(catcher["id"])["tasks"]] == [
        "after"
    ]  # the signal went on
    gate.set()
