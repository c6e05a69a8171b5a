"""`flowbridge worker`, `incidents`, `incidents retry`, `jobs show`, and the waits `show` prints."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, Settings
from engine.workers import Worker

from ..builders import flow, model
from ..conftest import ROOT
from .test_cli import EXAMPLES, Run, as_json, cli, db_url, deployed, ok, refused  # noqa: F401


def async_flow(topic: str, key: str = "p") -> bytes:
    """start → an async service task calling `topic` → end."""
    body = (
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:serviceTask id="work" camunda:type="external" camunda:topic="{topic}" '
        'camunda:asyncBefore="true"/><bpmn:endEvent id="e"/>' + flow("s", "work") + flow("work", "e")
    )
    return model(body, key=key)


def deploy_file(run: Run, tmp_path: Path, xml: bytes, name: str = "p.bpmn") -> None:
    path = tmp_path / name
    path.write_bytes(xml)
    ok(run("deploy", str(path)))


@pytest.fixture
def flaky(microflows: Any) -> dict[str, Any]:
    """`flaky`: fails while `plan["fail"]`, else doubles `n`; with no retries a failure is an incident."""
    plan: dict[str, Any] = {"fail": True}

    def flaky(n: int) -> dict[str, Any]:
        if plan["fail"]:
            raise RuntimeError("the ledger is down")
        return {"doubled": n * 2}

    microflows("flaky", flaky, retries=0, backoff=0.01, timeout=5)
    return plan


@pytest.fixture
def background_worker(db_url: str) -> Iterator[Worker]:  # noqa: F811
    """A worker thread on the CLI's database, as `flowbridge worker` would run beside it."""
    engine = Engine(Settings(database_url=db_url), load_microflows=False)
    engine.upgrade()
    worker = Worker(engine, concurrency=1, max_idle_seconds=0.05)
    worker.start()
    yield worker
    worker.stop()
    engine.close()


# -- worker ------------------------------------------------------------------------------------


def test_worker_once_runs_an_async_instance_to_its_end(deployed: Run, tmp_path: Path, db_url: str) -> None:  # noqa: F811
    deploy_file(deployed, tmp_path, async_flow("reserve_stock"))
    started = as_json(deployed("start", "p", "--var", "order_id=A-1", "--var", "sku=X", "--json"))
    assert started["status"] == "waiting"

    result = ok(deployed("worker", "--once", "-v"))
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"worker\s+\S+:\d+:\w+", lines[0]), lines
    assert lines[1].split() == ["database", db_url]
    assert lines[2].split() == ["concurrency", "4"]
    assert "reserve_stock" in lines[3]
    assert "ran 1 job (done 1)" in lines
    assert "microflow reserve_stock at work" in result.stderr and ": done" in result.stderr

    shown = as_json(deployed("show", started["id"], "--json"))
    assert shown["status"] == "completed" and shown["variables"]["reserved"] == 1
    assert ok(deployed("worker", "--once")).stdout.splitlines()[-1] == "ran 0 jobs"


def test_worker_prints_the_database_without_its_password(cli: Run) -> None:  # noqa: F811
    result = cli("--db", "postgresql+psycopg://ann:secret@127.0.0.1:1/none", "worker", "--once")
    assert "secret" not in result.output + result.stderr
    refused(result, "unavailable")


def test_worker_stops_gracefully_on_sigterm_and_at_once_on_a_second_signal(
    tmp_path: Path, microflows: Any
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "nap.bpmn").write_bytes(async_flow("cli_nap", key="nap"))
    (models / "nap_flows.py").write_text(
        "import time\nfrom engine import microflow\n\n\n"
        '@microflow("cli_nap", timeout=900)\ndef cli_nap(seconds: float) -> dict:\n'
        '    time.sleep(seconds)\n    return {"slept": seconds}\n'
    )
    db = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    base = [sys.executable, "-m", "web.cli", "--db", db, "--models", str(models)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    engine = Engine(Settings(database_url=db), load_microflows=False)
    engine.upgrade()
    engine.repository.deploy({"nap.bpmn": (models / "nap.bpmn").read_bytes()})
    microflows("cli_nap", lambda seconds: {}, timeout=900)  # this process only starts instances
    worker: subprocess.Popen[str] | None = None

    def nap(seconds: float) -> str:
        """Start an instance whose job sleeps `seconds`; the id of its job."""
        instance = engine.runtime.start("nap", {"seconds": seconds})
        return str(engine.runtime.get(instance["id"])["jobs"][0]["id"])

    def status(job_id: str) -> str:
        return str(engine.jobs.get(job_id)["status"])

    try:
        # A short job: the first SIGTERM lets it finish and stops the worker with exit 0.
        short_job = nap(1.0)
        worker = subprocess.Popen(
            [*base, "worker", "--concurrency", "1"], stdout=subprocess.PIPE, text=True, env=env
        )
        first = _read_until(worker, "running")
        assert first[0].startswith("worker ")
        assert any(line.split() == ["database", db] for line in first), first
        assert any(line.split() == ["concurrency", "1"] for line in first), first
        _wait(lambda: status(short_job) == "running")
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0, out
        assert "stopping: running jobs finish first" in out and "stopped after 1 job (done 1)" in out
        assert status(short_job) == "done"

        # A long job: a second signal ends the worker at once; its job waits for its lease to expire.
        long_job = nap(600)
        worker = subprocess.Popen(
            [*base, "worker", "--concurrency", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        _read_until(worker, "running")
        _wait(lambda: status(long_job) == "running")
        worker.send_signal(signal.SIGINT)
        time.sleep(0.5)
        assert worker.poll() is None, "the first signal waits for the running job"
        began = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=300)
        assert time.monotonic() - began < 300, "the worker waited for its 600 s job"
        assert worker.returncode == 128 + signal.SIGTERM
        assert "second signal" in err
        assert status(long_job) == "running"  # leased: a worker takes it again when the lease expires
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.communicate()
        engine.close()


def _read_until(process: subprocess.Popen[str], word: str) -> list[str]:
    lines: list[str] = []
    deadline = time.time() + 120
    while time.time() < deadline:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            break
        lines.append(line)
        if line.startswith(word):
            return lines
    raise AssertionError(f"no line starting with {word!r} in {lines}")


def _wait(condition: Any, seconds: float = 20) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


# -- incidents ---------------------------------------------------------------------------------


def start_incident(run: Run, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start an instance whose flaky job fails into an incident; the instance and the incident."""
    deploy_file(run, tmp_path, async_flow("flaky"))
    started = as_json(run("start", "p", "--var", "n=21", "--json"))
    assert "ran 1 job (incident 1)" in ok(run("worker", "--once")).stdout
    [incident] = as_json(run("incidents", "--json"))
    return started, incident


def test_incidents_lists_open_incidents_and_show_says_how_to_retry(
    deployed: Run,  # noqa: F811
    tmp_path: Path,
    flaky: dict[str, Any],
) -> None:
    started, incident = start_incident(deployed, tmp_path)
    assert (incident["instance_id"], incident["element_id"], incident["status"]) == (
        started["id"],
        "work",
        "open",
    )
    assert "the ledger is down" in incident["error"]

    listed = ok(deployed("incidents")).stdout
    assert incident["id"] in listed and "the ledger is down" in listed and started["id"][:8] in listed
    assert "flowbridge incidents retry INCIDENT" in listed
    assert as_json(deployed("incidents", "--instance", started["id"], "--json")) == [incident]
    assert as_json(deployed("incidents", "--instance", "other", "--json")) == []

    shown = as_json(deployed("show", started["id"], "--json"))
    assert shown["status"] == "incident"
    assert [i["id"] for i in shown["incidents"]] == [incident["id"]]
    [failed_job] = shown["jobs"]
    assert (failed_job["id"], failed_job["status"]) == (incident["job_id"], "failed")
    [wait] = shown["waiting"]
    assert (wait["kind"], wait["job_status"], wait["attempts"], wait["max_attempts"]) == (
        "incident",
        "failed",
        1,
        1,
    )
    human = ok(deployed("show", started["id"])).stdout
    error = "microflow 'flaky' raised RuntimeError: the ledger is down"
    assert f"incident   work: {error}; incident {incident['id']}" in human
    assert f"retry: flowbridge incidents retry {incident['id']}" in human

    job = ok(deployed("jobs", "show", incident["job_id"])).stdout
    assert "failed after 1/1 attempts" in job and "the ledger is down" in job
    assert f"incidents retry {incident['id']}" in job


def test_retry_wait_reports_a_new_failure_with_exit_1_then_a_success_with_exit_0(
    deployed: Run,  # noqa: F811
    tmp_path: Path,
    flaky: dict[str, Any],
    background_worker: Worker,
) -> None:
    background_worker.stop()  # the incident is made by `worker --once` first
    started, incident = start_incident(deployed, tmp_path)
    background_worker.start()

    again = deployed("incidents", "retry", incident["id"], "--wait", "10")
    line = refused(again, "failed again", "the ledger is down", "new incident")
    assert "retried as job" in again.stdout and "failed after 1/1 attempts" in again.stdout
    [second] = as_json(deployed("incidents", "--json"))
    assert second["id"] != incident["id"] and second["id"] in line
    assert as_json(deployed("incidents", "--all", "--json"))[1]["status"] == "resolved"
    refused(deployed("incidents", "retry", incident["id"]), "already resolved")

    flaky["fail"] = False
    fixed = ok(deployed("incidents", "retry", second["id"], "--wait", "10", "--json"))
    answer = as_json(fixed)
    assert (answer["status"], answer["job"]["status"], answer["new_incident"]) == ("resolved", "done", None)
    assert answer["job"]["id"] == answer["retry_job_id"]
    shown = as_json(deployed("show", started["id"], "--json"))
    assert (shown["status"], shown["variables"]["doubled"], shown["incidents"], shown["jobs"]) == (
        "completed",
        42,
        [],
        [],
    )
    assert ok(deployed("incidents")).stdout.strip() == "no open incidents"


def test_retry_never_reports_success_before_the_job_succeeded(
    deployed: Run,  # noqa: F811
    tmp_path: Path,
    flaky: dict[str, Any],
) -> None:
    _started, incident = start_incident(deployed, tmp_path)
    flaky["fail"] = False
    waited = deployed("incidents", "retry", incident["id"], "--wait", "0.2")  # no worker runs it
    refused(waited, "has not finished within 0.2 s", "queued")
    [job_id] = re.findall(r"job ([0-9a-f-]{36})", waited.stdout)

    shown = ok(deployed("jobs", "show", job_id)).stdout
    assert re.search(r"status\s+queued, due .*: waiting for a worker", shown), shown
    assert as_json(deployed("jobs", "show", job_id, "--json"))["status"] == "queued"
    assert "ran 1 job (done 1)" in ok(deployed("worker", "--once")).stdout
    assert as_json(deployed("jobs", "show", job_id, "--json"))["status"] == "done"


def test_retry_without_wait_only_queues(deployed: Run, tmp_path: Path, flaky: dict[str, Any]) -> None:  # noqa: F811
    _started, incident = start_incident(deployed, tmp_path)
    out = ok(deployed("incidents", "retry", incident["id"])).stdout
    assert "queued again as job" in out and "flowbridge jobs show" in out


def test_unknown_ids_are_refused(deployed: Run) -> None:  # noqa: F811
    refused(deployed("jobs", "show", "nope"), "no job nope")
    refused(deployed("incidents", "retry", "nope"), "no incident nope")
    assert deployed("incidents", "retry").exit_code == 2


# -- show: what an instance waits on -----------------------------------------------------------


def test_show_prints_every_wait_in_one_line(deployed: Run) -> None:  # noqa: F811
    order = as_json(
        deployed(
            "start", "async_order", "--var", "order_id=A-1", "--var", "sku=X", "--var", "quantity=2", "--json"
        )
    )
    shown = as_json(deployed("show", order["id"], "--json"))
    job_ids = {job["kind"]: job["id"] for job in shown["jobs"]}
    human = ok(deployed("show", order["id"])).stdout
    waits = human.split("waits on\n")[1].split("history\n")[0].splitlines()
    assert len(waits) == 2, waits
    assert waits[0].startswith("  job        microflow reserve_stock at reserve_stock_task: queued, due ")
    assert waits[0].endswith(f"job {job_ids['microflow']}")
    assert re.fullmatch(
        r"  timer      30 seconds \(reservation_late\): "
        r"due \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (2\d|30)s\)",
        waits[1],
    ), waits[1]

    ok(deployed("worker", "--once"))
    human = ok(deployed("show", order["id"])).stdout
    assert human.split("waits on\n")[1].split("history\n")[0] == "  message    payment_received\n"

    hello = as_json(deployed("start", "hello_task", "--json"))
    human = ok(deployed("show", hello["id"])).stdout
    task_id = hello["tasks"][0]["id"]
    assert f"  user task  Say hello (say_hello), anyone, task {task_id}\n" in human


def test_show_lists_a_failing_job_with_its_attempts_and_last_error(
    deployed: Run,  # noqa: F811
    tmp_path: Path,
    microflows: Any,
) -> None:
    def stubborn(n: int) -> dict[str, Any]:
        raise RuntimeError("try later")

    microflows("stubborn", stubborn, retries=2, backoff=45, timeout=5)
    deploy_file(deployed, tmp_path, async_flow("stubborn"))
    started = as_json(deployed("start", "p", "--var", "n=1", "--json"))
    assert "ran 1 job (retry 1)" in ok(deployed("worker", "--once")).stdout
    human = ok(deployed("show", started["id"])).stdout
    assert re.search(
        r"job        microflow stubborn at work: queued, attempt 1/3 failed, next try in 4[45]s, "
        r"last error: microflow 'stubborn' raised RuntimeError: try later, job [0-9a-f-]{36}",
        human,
    ), human
