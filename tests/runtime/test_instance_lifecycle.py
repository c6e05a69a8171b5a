"""Suspend, resume and terminate: nothing changes a suspended instance, its jobs wait for the resume,
and a terminated one leaves the task lists, the job queue and the message waits."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import Conflict, Engine, NotFound, TaskAlreadyCompleted
from engine.cli import main
from engine.errors import InstanceNotInState, InstanceSuspended
from engine.store import UnitOfWork
from engine.store.models import MessageSubscription
from engine.workers import Worker

from ..builders import flow, model
from ..jobs.test_jobs import async_model, history_kinds, jobs_of
from ..messages.test_messages import CATCH, message, with_messages

ASK = '<bpmn:startEvent id="s"/><bpmn:userTask id="ask"/><bpmn:endEvent id="e"/>' + flow("s", "ask")
ASK += flow("ask", "e")


def timer(element: str, duration: str) -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="{element}"><bpmn:timerEventDefinition>'
        f"<bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )


TIMER = '<bpmn:startEvent id="s"/>' + timer("wait", "PT0.2S") + '<bpmn:endEvent id="e"/>'
TIMER += flow("s", "wait") + flow("wait", "e")

# A user task, a timer (a queued job) and a message wait, side by side.
EVERYTHING = (
    '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="split"/><bpmn:userTask id="ask"/>'
    + timer("later", "PT1H")
    + '<bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="M"/>'
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/>'
    + flow("s", "split")
    + "".join(flow("split", x) + flow(x, "join") for x in ("ask", "later", "c"))
    + flow("join", "e")
)


def deploy_and_start(engine: Engine, xml: bytes, **variables: Any) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": xml})
    return engine.runtime.start("p", variables)


def subscriptions(engine: Engine, instance_id: str) -> list[str]:
    with UnitOfWork(engine.db) as uow:
        return list(
            uow.session.scalars(
                select(MessageSubscription.name).where(MessageSubscription.instance_id == instance_id)
            )
        )


def event(engine: Engine, instance_id: str, kind: str) -> dict[str, Any]:
    [found] = [e for e in engine.history.events(instance_id) if e["kind"] == kind]
    return found


@pytest.fixture
def doubled(microflows: Any) -> dict[str, Any]:
    """`slow_double`: doubles `n` once `gate` is open, or fails while `fail` says so."""
    plan: dict[str, Any] = {"calls": 0, "fail": False, "gate": threading.Event()}
    plan["gate"].set()

    def slow_double(n: int) -> dict[str, Any]:
        plan["calls"] += 1
        plan["gate"].wait(4)
        if plan["fail"]:
            raise RuntimeError("the service is down")
        return {"doubled": n * 2}

    microflows("slow_double", slow_double, retries=0, backoff=0.01, timeout=5)
    return plan


# -- suspend and resume ------------------------------------------------------------------------------


def test_a_suspended_instance_refuses_completion_and_nothing_changes(engine: Engine) -> None:
    started = deploy_and_start(engine, model(ASK), n=1)
    [task] = started["tasks"]

    suspended = engine.runtime.suspend(started["id"], user="ops")
    assert suspended["status"] == "suspended"
    assert [t["id"] for t in suspended["tasks"]] == [task["id"]]
    assert [t["id"] for t in engine.tasks.list()["items"]] == [task["id"]]  # listed, as Camunda does
    before = engine.runtime.get(started["id"])
    with pytest.raises(InstanceSuspended) as refused:
        engine.tasks.complete(task["id"], {"n": 2})
    assert isinstance(refused.value, Conflict)
    assert engine.runtime.get(started["id"]) == before
    assert engine.tasks.get(task["id"])["status"] == "open"
    assert event(engine, started["id"], "instance_suspended")["user"] == "ops"
    with pytest.raises(InstanceNotInState):
        engine.runtime.suspend(started["id"])

    resumed = engine.runtime.resume(started["id"], user="ops")
    assert resumed["status"] == "waiting"
    assert event(engine, started["id"], "instance_resumed")["data"]["status"] == "waiting"
    with pytest.raises(InstanceNotInState):
        engine.runtime.resume(started["id"])
    assert engine.tasks.complete(task["id"], {"n": 2})["status"] == "completed"
    for change in (engine.runtime.suspend, engine.runtime.resume, engine.runtime.terminate):
        with pytest.raises(InstanceNotInState):
            change(started["id"])
    with pytest.raises(NotFound):
        engine.runtime.suspend("no-such-instance")


def test_the_cached_workflow_is_not_reused_across_a_suspension(cached_engine: Engine) -> None:
    engine = cached_engine
    body = '<bpmn:startEvent id="s"/><bpmn:userTask id="one"/><bpmn:userTask id="two"/>'
    body += '<bpmn:endEvent id="e"/>' + flow("s", "one") + flow("one", "two") + flow("two", "e")
    started = deploy_and_start(engine, model(body))
    engine.runtime.suspend(started["id"])
    engine.runtime.resume(started["id"])
    moved = engine.tasks.complete(started["tasks"][0]["id"], {"x": 1})
    assert [t["element_id"] for t in moved["tasks"]] == ["two"]
    engine.runtime.terminate(started["id"])
    with pytest.raises(TaskAlreadyCompleted):
        engine.tasks.complete(moved["tasks"][0]["id"], {})


def test_a_due_timer_does_not_fire_while_suspended_and_fires_after_resume(engine: Engine) -> None:
    started = deploy_and_start(engine, model(TIMER))
    engine.runtime.suspend(started["id"])
    [job] = jobs_of(engine, started["id"])
    assert job.status == "suspended"
    time.sleep(0.3)  # due now
    worker = Worker(engine, concurrency=1)
    assert worker.run_until_idle() == 0
    assert engine.runtime.get(started["id"])["status"] == "suspended"
    with pytest.raises(InstanceSuspended):
        engine.runtime.fire_timers(started["id"])

    engine.runtime.resume(started["id"])
    assert engine.jobs.get(job.id)["status"] == "queued"
    assert worker.run_until_idle() == 1
    assert engine.runtime.get(started["id"])["status"] == "completed"


def test_an_async_job_waits_for_the_resume_in_a_running_worker(engine: Engine, doubled: Any) -> None:
    engine.repository.deploy({"p.bpmn": async_model()})
    doubled["gate"].clear()  # the microflow returns only after the suspension
    worker = Worker(engine, concurrency=1, max_idle_seconds=0.05)
    worker.start()
    try:
        started = engine.runtime.start("p", {"n": 21})  # the worker may take its job at once ...
        engine.runtime.suspend(started["id"])  # ... but applies nothing after this
        doubled["gate"].set()
        time.sleep(0.3)
        suspended = engine.runtime.get(started["id"])
        assert suspended["status"] == "suspended"
        assert "doubled" not in suspended["variables"]
        assert [j["status"] for j in suspended["jobs"]] == ["suspended"]

        engine.runtime.resume(started["id"])
        deadline = time.time() + 120  # a failure detector: the loop ends when the job has run
        while "doubled" not in engine.runtime.get(started["id"])["variables"] and time.time() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    instance = engine.runtime.get(started["id"])
    assert instance["variables"]["doubled"] == 42
    assert [t["element_id"] for t in instance["tasks"]] == ["done"]
    assert history_kinds(engine, started["id"]).count("microflow_returned") == 1


def test_a_job_running_when_suspended_is_not_applied_and_runs_again_after_resume(
    engine: Engine, doubled: Any
) -> None:
    started = deploy_and_start(engine, async_model(), n=4)
    worker = Worker(engine, concurrency=1)
    [running] = engine.jobs.claim(worker.name, 1, 30)
    engine.runtime.suspend(started["id"])

    assert worker.runner.run(running) == "deferred"  # the microflow ran; its result is dropped
    assert doubled["calls"] == 1
    assert "doubled" not in engine.runtime.get(started["id"])["variables"]
    held = engine.jobs.get(running.id)
    assert (held["status"], held["attempts"]) == ("suspended", 0)  # the attempt was given back

    engine.runtime.resume(started["id"])
    assert worker.run_until_idle() == 1
    assert engine.runtime.get(started["id"])["variables"]["doubled"] == 8
    done = engine.jobs.get(running.id)
    assert (done["status"], done["attempts"]) == ("done", 1)
    assert history_kinds(engine, started["id"]).count("microflow_returned") == 1


def test_an_incident_instance_resumes_as_an_incident(engine: Engine, doubled: Any) -> None:
    doubled["fail"] = True
    started = deploy_and_start(engine, async_model(), n=4)
    Worker(engine, concurrency=1).run_until_idle()
    assert engine.runtime.get(started["id"])["status"] == "incident"
    [incident] = engine.incidents.list()
    engine.runtime.suspend(started["id"])
    with pytest.raises(InstanceSuspended):
        engine.incidents.retry(incident["id"])
    assert engine.runtime.resume(started["id"])["status"] == "incident"

    terminated = engine.runtime.terminate(started["id"], reason="given up")
    assert (terminated["status"], terminated["incidents"]) == ("terminated", [])
    assert engine.incidents.list() == []
    assert engine.incidents.get(incident["id"])["status"] == "resolved"
    with pytest.raises(Conflict):
        engine.incidents.retry(incident["id"])


def test_messages_pass_a_suspended_instance_by(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": with_messages(model(CATCH), message())})
    waiting = engine.runtime.start("p", {})
    engine.runtime.suspend(waiting["id"])
    with pytest.raises(NotFound):  # nobody waits: a suspended instance receives nothing
        engine.messages.correlate("order_paid")
    assert subscriptions(engine, waiting["id"]) == ["order_paid"]  # kept for after the resume
    engine.runtime.resume(waiting["id"])
    assert engine.messages.correlate("order_paid") == {"delivered_to": [waiting["id"]], "started": []}


# -- terminate --------------------------------------------------------------------------------------


def test_terminate_closes_tasks_cancels_jobs_and_removes_message_waits(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": with_messages(model(EVERYTHING), message())})
    started = engine.runtime.start("p", {"order": 7})
    [task] = started["tasks"]
    [job] = jobs_of(engine, started["id"])
    assert job.status == "queued"
    assert subscriptions(engine, started["id"]) == ["order_paid"]

    ended = engine.runtime.terminate(started["id"], user="ops", reason="duplicate order")

    assert (ended["status"], ended["tasks"], ended["waiting"], ended["jobs"]) == ("terminated", [], [], [])
    assert ended["ended_at"] is not None and ended["variables"] == {"order": 7}
    assert engine.tasks.list()["items"] == []
    assert engine.tasks.get(task["id"])["status"] == "cancelled"
    with pytest.raises(TaskAlreadyCompleted):
        engine.tasks.complete(task["id"], {})
    assert engine.jobs.get(job.id)["status"] == "cancelled"
    assert Worker(engine, concurrency=1).run_until_idle() == 0
    assert subscriptions(engine, started["id"]) == []
    with pytest.raises(NotFound):
        engine.messages.correlate("order_paid")
    terminated = event(engine, started["id"], "instance_terminated")
    assert terminated["user"] == "ops"
    assert terminated["data"]["reason"] == "duplicate order"
    assert terminated["data"]["tasks"] == [task["id"]] and terminated["data"]["jobs"] == [job.id]
    assert [i["id"] for i in engine.runtime.list(status="terminated")["items"]] == [started["id"]]

    with pytest.raises(InstanceNotInState):
        engine.runtime.terminate(started["id"])
    with pytest.raises(InstanceNotInState):
        engine.runtime.suspend(started["id"])


def test_a_suspended_instance_can_be_terminated(engine: Engine) -> None:
    started = deploy_and_start(engine, model(TIMER))
    engine.runtime.suspend(started["id"])
    assert engine.runtime.terminate(started["id"])["status"] == "terminated"
    [job] = jobs_of(engine, started["id"])
    assert job.status == "cancelled"
    with pytest.raises(InstanceNotInState):
        engine.runtime.resume(started["id"])
    kinds = history_kinds(engine, started["id"])
    assert kinds[-2:] == ["instance_suspended", "instance_terminated"]


# -- the command line --------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    (tmp_path / "p.bpmn").write_bytes(model(ASK))

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--db", url, "--models", str(tmp_path), *args])

    assert run("deploy", str(tmp_path / "p.bpmn")).exit_code == 0
    yield run


def test_cli_suspend_resume_terminate(cli: Any) -> None:
    started = json.loads(cli("start", "p", "--json").stdout)
    suspended = cli("suspend", started["id"], "--user", "ops")
    assert suspended.exit_code == 0 and suspended.stdout.startswith(f"{started['id']}  p v1  suspended")
    assert json.loads(cli("resume", started["id"], "--json").stdout)["status"] == "waiting"
    ended = cli("terminate", started["id"], "--reason", "test run")
    assert ended.exit_code == 0 and ended.stdout.strip() == f"{started['id']}  p v1  terminated"
    again = cli("terminate", started["id"])
    assert again.exit_code == 1 and "is terminated" in again.stderr
