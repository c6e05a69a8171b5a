"""Microflows called alone: blocking calls, `call` jobs, retrying failed jobs, and their CLI."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine import BpmnError, Engine, Settings, call_context
from engine.cli import main
from engine.errors import Conflict, InvalidInput, MicroflowFailed, MicroflowTimeout, NotFound
from engine.workers import Worker

from .test_jobs import async_model, deploy_and_start


@pytest.fixture
def flows(microflows: Any) -> dict[str, Any]:
    """`add` (documented), `flaky` (fails while `plan["fail"]`), `sleepy`, `business`, `odd`, `anything`."""
    plan: dict[str, Any] = {"fail": 0, "keys": []}

    def add(a: int, b: int = 0) -> int:
        """Add two numbers.

        Longer text that the list leaves out.
        """
        context = call_context()
        assert context is not None
        plan["keys"].append(context.idempotency_key)
        return a + b

    def flaky(n: int) -> dict[str, Any]:
        if plan["fail"] > 0:
            plan["fail"] -= 1
            raise RuntimeError("the ledger is down")
        return {"doubled": n * 2}

    def sleepy(seconds: float) -> str:
        time.sleep(seconds)
        return "awake"

    def business() -> None:
        raise BpmnError("NO_CREDIT", "the customer has no credit")

    def odd() -> Any:
        return {"when": object()}

    def anything(**variables: Any) -> dict[str, Any]:
        return variables

    microflows("add", add)
    microflows("flaky", flaky, mode="async", retries=1, backoff=0.01, timeout=5)
    microflows("sleepy", sleepy, timeout=0.3)
    microflows("business", business)
    microflows("odd", odd)
    microflows("anything", anything)
    return plan


def run_until(worker: Worker, done: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.time() + seconds
    while not done() and time.time() < deadline:
        worker.run_until_idle()
        time.sleep(0.02)
    assert done()


# -- listing and blocking calls ----------------------------------------------------------------


def test_the_list_names_each_microflow_with_its_defaults(engine: Engine, flows: Any) -> None:
    listed = {m["name"]: m for m in engine.microflows.list()}
    assert listed["add"] == {
        "name": "add",
        "mode": "sync",
        "inputs": ["a", "b"],
        "required_inputs": ["a"],
        "accepts_any_input": False,
        "timeout_seconds": 60.0,
        "retries": 3,
        "backoff_seconds": 2.0,
        "description": "Add two numbers.",
    }
    assert (listed["flaky"]["mode"], listed["flaky"]["retries"], listed["flaky"]["description"]) == (
        "async",
        1,
        None,
    )
    assert listed["anything"]["accepts_any_input"] is True
    assert engine.microflows.get("sleepy")["timeout_seconds"] == 0.3


def test_a_blocking_call_returns_the_result(engine: Engine, flows: Any) -> None:
    assert engine.microflows.call("add", {"a": 2, "b": 40}) == 42
    assert engine.microflows.call("add", {"a": 1}) == 1
    assert engine.microflows.call("anything", {"x": [1, {"y": None}]}) == {"x": [1, {"y": None}]}
    first, second = flows["keys"]
    assert first != second  # every call has an idempotency key of its own


def test_unknown_microflows_and_bad_input_are_refused(engine: Engine, flows: Any) -> None:
    with pytest.raises(NotFound):
        engine.microflows.call("nope", {})
    with pytest.raises(NotFound):
        engine.microflows.call_async("nope", {})
    for bad in ([1, 2], "a=1", None):
        with pytest.raises(InvalidInput, match="must be a JSON object"):
            engine.microflows.call("add", bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="needs input 'a'") as missing:
        engine.microflows.call("add", {"b": 1})
    assert missing.value.details["missing"] == ["a"]
    with pytest.raises(InvalidInput, match="has no input 'c'") as unknown:
        engine.microflows.call_async("add", {"a": 1, "c": 2})
    assert unknown.value.details["unknown"] == ["c"]
    with pytest.raises(InvalidInput, match="JSON"):
        engine.microflows.call("anything", {"x": {1, 2}})
    for timeout in (0, -1, "5", True, float("nan")):
        with pytest.raises(InvalidInput, match="timeout_seconds"):
            engine.microflows.call("add", {"a": 1}, timeout_seconds=timeout)  # type: ignore[arg-type]
    assert flows["keys"] == []  # nothing ran


def test_a_raising_microflow_is_a_failure_with_its_error(engine: Engine, flows: Any) -> None:
    flows["fail"] = 1
    with pytest.raises(MicroflowFailed, match="raised RuntimeError: the ledger is down") as failed:
        engine.microflows.call("flaky", {"n": 1})
    assert failed.value.code == "microflow_failed"
    assert failed.value.details == {
        "microflow": "flaky",
        "error_type": "RuntimeError",
        "error_message": "the ledger is down",
    }
    with pytest.raises(MicroflowFailed, match="NO_CREDIT") as business:
        engine.microflows.call("business", {})
    assert business.value.details["error_code"] == "NO_CREDIT"
    assert business.value.details["error_message"] == "the customer has no credit"
    with pytest.raises(MicroflowFailed, match="is not JSON"):
        engine.microflows.call("odd", {})


def test_a_call_that_runs_too_long_times_out_at_its_timeout(engine: Engine, microflows: Any) -> None:
    # The microflow waits for a gate the test opens only after the call answered: the call gave
    # up at its timeout, with the microflow still running (bound by progress, not by a clock).
    gate, finished = threading.Event(), threading.Event()

    def blocked() -> str:
        gate.wait(30)
        finished.set()
        return "awake"

    microflows("blocked", blocked, timeout=0.3)
    try:
        with pytest.raises(MicroflowTimeout, match=r"ran longer than 0\.3 s") as late:
            engine.microflows.call("blocked", {})
        assert late.value.code == "microflow_timeout" and not finished.is_set()
        with pytest.raises(MicroflowTimeout, match=r"ran longer than 0\.1 s"):
            engine.microflows.call("blocked", {}, timeout_seconds=0.1)
        assert not finished.is_set()
    finally:
        gate.set()
    assert engine.microflows.call("blocked", {}, timeout_seconds=30) == "awake"  # the gate is open


# -- async calls: jobs -------------------------------------------------------------------------


def test_an_async_call_is_a_job_a_worker_runs(engine: Engine, flows: Any) -> None:
    job = engine.microflows.call_async("add", {"a": 20, "b": 22})
    assert {k: job[k] for k in ("kind", "status", "attempts", "result", "error", "microflow")} == {
        "kind": "call",
        "status": "queued",
        "attempts": 0,
        "result": None,
        "error": None,
        "microflow": "add",
    }
    assert job["instance_id"] is None and job["max_attempts"] == 4
    assert Worker(engine, concurrency=1).run_until_idle() == 1
    done = engine.jobs.get(job["id"])
    assert (done["status"], done["result"], done["attempts"], done["error"]) == ("done", 42, 1, None)
    assert flows["keys"] == [job["id"]]  # the job id is the idempotency key


def test_a_new_call_wakes_a_running_worker_at_once(engine: Engine, flows: Any) -> None:
    # The idle worker would look again only after 300 s; the job is done long before that only if
    # the call woke it (a generous wait, so a busy machine cannot fail it).
    worker = Worker(engine, concurrency=1, max_idle_seconds=300)
    worker.start()
    try:
        time.sleep(0.1)
        began = time.monotonic()
        job = engine.microflows.call_async("add", {"a": 1})
        while engine.jobs.get(job["id"])["status"] != "done" and time.monotonic() - began < 120:
            time.sleep(0.005)
    finally:
        worker.stop()
    assert engine.jobs.get(job["id"])["result"] == 1


def test_a_failing_async_call_retries_then_fails_and_can_be_retried(engine: Engine, flows: Any) -> None:
    flows["fail"] = 100
    job = engine.microflows.call_async("flaky", {"n": 4})
    worker = Worker(engine, concurrency=1)
    run_until(worker, lambda: engine.jobs.get(job["id"])["status"] == "failed")
    failed = engine.jobs.get(job["id"])
    assert failed["attempts"] == 2  # the first attempt and one retry
    assert "RuntimeError: the ledger is down" in failed["error"]
    assert engine.incidents.list(status=None) == []  # no instance, no incident

    flows["fail"] = 0
    retried = engine.jobs.retry(job["id"])
    assert retried["id"] == job["id"]
    assert (retried["status"], retried["attempts"], retried["finished_at"]) == ("queued", 0, None)
    assert "the ledger is down" in retried["error"]  # kept until it runs
    with pytest.raises(Conflict, match="is queued, only failed jobs can be retried"):
        engine.jobs.retry(job["id"])
    worker.run_until_idle()
    done = engine.jobs.get(job["id"])
    assert (done["status"], done["result"], done["error"], done["attempts"]) == (
        "done",
        {"doubled": 8},
        None,
        1,
    )
    with pytest.raises(Conflict, match="is done, only failed jobs can be retried") as conflict:
        engine.jobs.retry(job["id"])
    assert conflict.value.details["status"] == "done"
    with pytest.raises(NotFound):
        engine.jobs.retry("no-such-job")


def test_a_business_error_fails_an_async_call_without_retries(engine: Engine, flows: Any) -> None:
    job = engine.microflows.call_async("business", {})
    Worker(engine, concurrency=1).run_until_idle()
    failed = engine.jobs.get(job["id"])
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert "NO_CREDIT" in failed["error"]


def test_retrying_a_job_behind_an_incident_retries_the_incident(engine: Engine, microflows: Any) -> None:
    plan = {"fail": True}

    def slow_double(n: int) -> dict[str, Any]:
        if plan["fail"]:
            raise RuntimeError("the service is down")
        return {"doubled": n * 2}

    microflows("slow_double", slow_double, retries=0, backoff=0.01, timeout=5)
    started = deploy_and_start(engine, async_model(), n=5)
    worker = Worker(engine, concurrency=1)
    worker.run_until_idle()
    [incident] = engine.incidents.list()
    plan["fail"] = False
    retried = engine.jobs.retry(incident["job_id"])
    assert retried["id"] != incident["job_id"]
    assert (retried["kind"], retried["status"], retried["instance_id"]) == (
        "microflow",
        "queued",
        started["id"],
    )
    assert engine.incidents.get(incident["id"])["status"] == "resolved"
    with pytest.raises(Conflict, match="no open incident"):
        engine.jobs.retry(incident["job_id"])
    worker.run_until_idle()
    assert engine.runtime.get(started["id"])["variables"]["doubled"] == 10


# -- command line ------------------------------------------------------------------------------


def test_the_command_line_lists_calls_and_retries(tmp_path: Path, flows: Any) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--db", db, "--models", str(tmp_path / "none"), *args])

    listed = run("microflows")
    assert listed.exit_code == 0, listed.output
    assert any(line.split()[:3] == ["add", "sync", "a,"] for line in listed.stdout.splitlines())
    assert "Add two numbers." in listed.stdout
    assert "add" in [m["name"] for m in json.loads(run("microflows", "--json").stdout)]

    called = run("call", "add", "--input", "a=2", "--input", "b=3")
    assert (called.exit_code, json.loads(called.stdout)) == (0, 5)
    assert json.loads(run("call", "add", "--input", "a=2", "--json").stdout) == {"result": 2}
    refused = run("call", "add", "--input", "b=1")
    assert refused.exit_code == 1 and "needs input 'a'" in refused.stderr
    refused = run("call", "sleepy", "--input", "seconds=2", "--timeout", "0.1")
    assert refused.exit_code == 1 and "ran longer than 0.1 s" in refused.stderr
    assert run("call", "add", "--input", "nonsense").exit_code == 1

    flows["fail"] = 100
    queued = run("call", "flaky", "--input", "n=3", "--async")
    assert queued.exit_code == 0, queued.output
    job_id = queued.stdout.strip()
    engine = Engine(Settings(database_url=db), load_microflows=False)
    try:
        run_until(Worker(engine, concurrency=1), lambda: engine.jobs.get(job_id)["status"] == "failed")
        flows["fail"] = 0
        retried = run("jobs", "retry", job_id)
        assert retried.exit_code == 0, retried.output
        assert job_id in retried.stdout and "queued" in retried.stdout
        Worker(engine, concurrency=1).run_until_idle()
        assert engine.jobs.get(job_id)["result"] == {"doubled": 6}
        again = run("jobs", "retry", job_id)
        assert again.exit_code == 1 and "only failed jobs can be retried" in again.stderr
    finally:
        engine.close()
