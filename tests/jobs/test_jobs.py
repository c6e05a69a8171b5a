"""Async microflows as durable jobs: outbox, retries, incidents, timeouts, stale results, leases, timers."""

from __future__ import annotations

import time
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import select

from engine import BpmnError, Engine
from engine.errors import Conflict
from engine.store import UnitOfWork
from engine.store.models import Job
from engine.workers import Worker

from ..builders import flow, model

IDLE_SECONDS = 600.0
"""An idle worker's longest sleep where a test shows that something wakes it: a job that ends well
before half of it was woken for, whatever the machine's pace."""


def async_model(extra: str = "", attrs: str = 'camunda:asyncBefore="true"', after: str = "done") -> bytes:
    body = (
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:serviceTask id="work" camunda:type="external" camunda:topic="slow_double" {attrs}>'
        f"{extra}</bpmn:serviceTask>"
        f'<bpmn:userTask id="done"/><bpmn:endEvent id="e"/>' + flow("s", "work") + flow("work", after)
    )
    if after == "done":
        body += flow("done", "e")
    return model(body)


START_ASYNC = (
    '<bpmn:startEvent id="s"/><bpmn:serviceTask id="work" camunda:type="external" '
    'camunda:topic="slow_double" camunda:asyncBefore="true"/>'
)


def jobs_of(engine: Engine, instance_id: str) -> list[Job]:
    with UnitOfWork(engine.db) as uow:
        return list(
            uow.session.scalars(select(Job).where(Job.instance_id == instance_id).order_by(Job.created_at))
        )


def history_kinds(engine: Engine, instance_id: str) -> list[str]:
    return [e["kind"] for e in engine.history.events(instance_id)]


@pytest.fixture
def doubled(microflows: Any) -> dict[str, Any]:
    """`slow_double`: doubles `n`; the test steers failures and hangs through `plan`."""
    plan: dict[str, Any] = {"fail": 0, "hang": 0.0, "calls": [], "bpmn_error": False}

    def slow_double(n: int) -> dict[str, Any]:
        from engine import call_context

        plan["calls"].append(call_context())
        if plan["hang"]:
            time.sleep(plan["hang"])
        if plan["bpmn_error"]:
            raise BpmnError("TOO_BIG", "n is too big")
        if plan["fail"] > 0:
            plan["fail"] -= 1
            raise RuntimeError("the service is down")
        return {"doubled": n * 2}

    microflows("slow_double", slow_double, retries=2, backoff=0.01, timeout=5)
    return plan


def deploy_and_start(engine: Engine, xml: bytes, **variables: Any) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": xml})
    return engine.runtime.start("p", variables)


def test_an_async_task_waits_with_a_job_and_resumes_with_its_result(engine: Engine, doubled: Any) -> None:
    started = deploy_and_start(engine, async_model(), n=21)
    assert started["status"] == "waiting"
    [wait] = [w for w in started["waiting"] if w["kind"] == "service_task"]
    [job] = jobs_of(engine, started["id"])
    assert (job.status, job.kind, job.microflow, job.payload) == (
        "queued",
        "microflow",
        "slow_double",
        {"input": {"n": 21}},
    )
    assert wait["job_id"] == job.id
    assert doubled["calls"] == []  # nothing ran inside the step

    assert Worker(engine, concurrency=1).run_until_idle() == 1
    instance = engine.runtime.get(started["id"])
    assert instance["variables"]["doubled"] == 42
    assert [t["element_id"] for t in instance["tasks"]] == ["done"]
    assert doubled["calls"][0].idempotency_key == job.id
    assert engine.jobs.get(job.id)["status"] == "done"
    assert history_kinds(engine, started["id"]).count("microflow_returned") == 1


def test_a_returned_microflow_is_recorded_under_its_elements_name(engine: Engine, doubled: Any) -> None:
    xml = async_model().replace(b'id="work"', b'id="work" name="Double it"')
    started = deploy_and_start(engine, xml, n=2)
    assert Worker(engine, concurrency=1).run_until_idle() == 1
    [returned] = [e for e in engine.history.events(started["id"]) if e["kind"] == "microflow_returned"]
    assert (returned["element_id"], returned["element_name"]) == ("work", "Double it")
    [row] = [r for r in engine.history.readable(started["id"]) if r["kind"] == "microflow_returned"]
    assert (row["title"], row["element_name"]) == ("Microflow returned", "Double it")


def test_the_model_or_the_microflow_chooses_the_mode(engine: Engine, doubled: Any) -> None:
    sync = deploy_and_start(engine, async_model(attrs=""), n=1)
    assert sync["variables"]["doubled"] == 2 and jobs_of(engine, sync["id"]) == []
    props = '<bpmn:extensionElements><camunda:properties><camunda:property name="mode" value="async"/>'
    props += "</camunda:properties></bpmn:extensionElements>"
    engine.repository.deploy({"p.bpmn": async_model(extra=props, attrs="")})
    assert engine.runtime.start("p", {"n": 1})["status"] == "waiting"


def test_failures_are_retried_with_backoff_then_succeed(engine: Engine, doubled: Any) -> None:
    doubled["fail"] = 2
    started = deploy_and_start(engine, async_model(), n=5)
    worker = Worker(engine, concurrency=1)
    deadline = time.time() + 120
    while engine.runtime.get(started["id"])["variables"].get("doubled") is None and time.time() < deadline:
        worker.run_until_idle()
        time.sleep(0.02)
    [job] = jobs_of(engine, started["id"])
    assert (job.status, job.attempts, job.error) == ("done", 3, None)
    assert engine.runtime.get(started["id"])["variables"]["doubled"] == 10


def test_after_the_last_retry_an_incident_waits_for_a_retry(engine: Engine, doubled: Any) -> None:
    doubled["fail"] = 100
    started = deploy_and_start(engine, async_model(), n=5)
    worker = Worker(engine, concurrency=1)
    deadline = time.time() + 120
    while engine.runtime.get(started["id"])["status"] != "incident" and time.time() < deadline:
        worker.run_until_idle()
        time.sleep(0.02)
    instance = engine.runtime.get(started["id"])
    assert instance["status"] == "incident"
    [incident] = engine.incidents.list()
    assert (incident["instance_id"], incident["element_id"]) == (started["id"], "work")
    assert "the service is down" in incident["error"]
    assert any(w["kind"] == "incident" and w["incident_id"] == incident["id"] for w in instance["waiting"])

    doubled["fail"] = 0
    retried = engine.incidents.retry(incident["id"])
    assert retried["status"] == "resolved"
    assert engine.jobs.get(retried["retry_job_id"])["status"] == "queued"  # not a success yet
    with pytest.raises(Conflict):
        engine.incidents.retry(incident["id"])
    worker.run_until_idle()
    assert engine.jobs.get(retried["retry_job_id"])["status"] == "done"
    assert engine.runtime.get(started["id"])["variables"]["doubled"] == 10


def test_a_hanging_microflow_is_abandoned_and_does_not_stop_other_jobs(
    engine: Engine, microflows: Any
) -> None:
    def hang(n: int) -> dict[str, Any]:
        time.sleep(5 if n == 1 else 0)
        return {"doubled": n * 2}

    microflows("slow_double", hang, retries=0, timeout=0.3)
    engine.repository.deploy({"p.bpmn": async_model()})
    hung = engine.runtime.start("p", {"n": 1})
    fine = engine.runtime.start("p", {"n": 2})
    worker = Worker(engine, concurrency=2, max_idle_seconds=0.05)
    worker.start()
    try:
        deadline = time.time() + 120
        while time.time() < deadline and (
            engine.runtime.get(hung["id"])["status"] != "incident"
            or engine.runtime.get(fine["id"])["variables"].get("doubled") != 4
        ):
            time.sleep(0.05)
    finally:
        worker.stop()
    assert engine.runtime.get(fine["id"])["variables"]["doubled"] == 4
    assert engine.runtime.get(hung["id"])["status"] == "incident"
    assert "ran longer than 0.3 s" in engine.incidents.list()[0]["error"]


def test_an_async_bpmn_error_reaches_the_error_boundary_event(engine: Engine, doubled: Any) -> None:
    doubled["bpmn_error"] = True
    body = (
        START_ASYNC + '<bpmn:boundaryEvent id="caught" attachedToRef="work">'
        '<bpmn:errorEventDefinition errorRef="err"/></bpmn:boundaryEvent><bpmn:userTask id="handle"/>'
        '<bpmn:endEvent id="e"/>' + flow("s", "work") + flow("work", "e") + flow("caught", "handle")
    )
    xml = model(body).replace(
        b"</bpmn:definitions>", b'<bpmn:error id="err" errorCode="TOO_BIG"/></bpmn:definitions>'
    )
    started = deploy_and_start(engine, xml, n=5)
    Worker(engine, concurrency=1).run_until_idle()
    instance = engine.runtime.get(started["id"])
    assert [t["element_id"] for t in instance["tasks"]] == ["handle"]
    assert instance["variables"]["error_code"] == "TOO_BIG"


def test_a_result_for_a_task_that_no_longer_waits_is_recorded_and_ignored(
    engine: Engine, doubled: Any
) -> None:
    body = (
        START_ASYNC + '<bpmn:boundaryEvent id="late" attachedToRef="work">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT0.3S</bpmn:timeDuration></bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent><bpmn:userTask id="done"/><bpmn:userTask id="timed_out"/>'
        + flow("s", "work")
        + flow("work", "done")
        + flow("late", "timed_out")
    )
    started = deploy_and_start(engine, model(body), n=5)
    worker = Worker(engine, concurrency=1)
    claimed = [j for j in engine.jobs.claim(worker.name, 10, 30) if j.kind == "microflow"]
    time.sleep(0.35)
    moved = engine.runtime.fire_timers(started["id"])
    assert [t["element_id"] for t in moved["tasks"]] == ["timed_out"]
    assert worker.runner.run(claimed[0]) == "ignored"
    instance = engine.runtime.get(started["id"])
    assert "doubled" not in instance["variables"]
    assert "job_result_ignored" in history_kinds(engine, started["id"])
    assert engine.jobs.get(claimed[0].id)["status"] == "done"


def test_a_dead_workers_job_runs_again_after_its_lease_and_applies_once(engine: Engine, doubled: Any) -> None:
    started = deploy_and_start(engine, async_model(), n=4)
    dead = Worker(engine, concurrency=1, lease_seconds=0.2)
    [abandoned] = engine.jobs.claim(dead.name, 1, 0.2)  # claimed, then its worker "dies"
    assert engine.jobs.claim("other", 1, 30) == []  # still leased
    time.sleep(0.25)
    alive = Worker(engine, concurrency=1)
    assert alive.run_until_idle() == 1
    assert dead.runner.run(abandoned) == "lost"  # the dead worker wakes up late: nothing applied
    assert engine.runtime.get(started["id"])["variables"]["doubled"] == 8
    assert history_kinds(engine, started["id"]).count("microflow_returned") == 1
    assert len(doubled["calls"]) == 2  # at least once: the microflow ran twice, its result applied once


def test_a_timer_is_a_due_job_that_a_running_worker_fires(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT0.5S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        '<bpmn:endEvent id="e"/>' + flow("s", "wait") + flow("wait", "e")
    )
    started = deploy_and_start(engine, model(body))
    [job] = jobs_of(engine, started["id"])
    assert (job.kind, job.status) == ("timer", "queued")
    assert [w["kind"] for w in started["waiting"]] == ["event"]
    worker = Worker(engine, concurrency=1, max_idle_seconds=IDLE_SECONDS)
    worker.start()
    try:
        deadline = time.time() + IDLE_SECONDS / 2
        while engine.runtime.get(started["id"])["status"] != "completed" and time.time() < deadline:
            time.sleep(0.02)
        ended = time.time()
    finally:
        worker.stop()
    assert engine.runtime.get(started["id"])["status"] == "completed"
    due = (job.due_at if job.due_at.tzinfo else job.due_at.replace(tzinfo=UTC)).timestamp()
    # The idle worker slept until the timer's due time, not for its whole idle sleep.
    assert ended - due < IDLE_SECONDS / 2, "fired at its due time"


def test_a_new_job_wakes_an_idle_worker_at_once(engine: Engine, doubled: Any) -> None:
    engine.repository.deploy({"p.bpmn": async_model()})
    worker = Worker(engine, concurrency=1, max_idle_seconds=IDLE_SECONDS)
    worker.start()
    try:
        time.sleep(0.2)  # the worker is idle, sleeping up to IDLE_SECONDS
        began = time.time()
        started = engine.runtime.start("p", {"n": 3})
        while (
            engine.runtime.get(started["id"])["variables"].get("doubled") is None
            and time.time() - began < IDLE_SECONDS / 2
        ):
            time.sleep(0.005)
        took = time.time() - began
    finally:
        worker.stop()
    assert took < IDLE_SECONDS / 2, took  # woken by the commit, not at the end of its sleep


def test_jobs_of_a_completed_wait_are_cancelled(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="ask"/>'
        '<bpmn:boundaryEvent id="remind" attachedToRef="ask">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
        + flow("s", "ask")
        + flow("ask", "e")
        + flow("remind", "e2")
    )
    started = deploy_and_start(engine, model(body))
    [timer] = jobs_of(engine, started["id"])
    engine.tasks.complete(started["tasks"][0]["id"], {})
    assert engine.jobs.get(timer.id)["status"] == "cancelled"


def test_a_timer_start_event_starts_an_instance_by_itself(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeDuration>PT0.2S</bpmn:timeDuration>'
        '</bpmn:timerEventDefinition></bpmn:startEvent><bpmn:userTask id="t"/>' + flow("s", "t")
    )
    engine.repository.deploy({"p.bpmn": model(body)})
    worker = Worker(engine, concurrency=1)
    assert worker.run_until_idle() == 1  # the deployment's start job
    [instance] = engine.runtime.list(key="p")["items"]
    assert instance["status"] == "waiting"
    time.sleep(0.25)
    worker.run_until_idle()  # the instance's start timer
    assert [t["element_id"] for t in engine.runtime.get(instance["id"])["tasks"]] == ["t"]
    engine.repository.deploy({"p.bpmn": model(body)})  # unchanged: no second start
    assert worker.run_until_idle() == 0


def test_a_non_interrupting_cycle_timer_fires_on_each_cycle(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="ask"/>'
        '<bpmn:boundaryEvent id="remind" attachedToRef="ask" cancelActivity="false">'
        "<bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT0.2S</bpmn:timeCycle></bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent><bpmn:userTask id="reminder"/><bpmn:endEvent id="e"/>'
        + flow("s", "ask")
        + flow("ask", "e")
        + flow("remind", "reminder")
    )
    started = deploy_and_start(engine, model(body))
    worker = Worker(engine, concurrency=1, max_idle_seconds=0.05)
    worker.start()
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            tasks = [t["element_id"] for t in engine.runtime.get(started["id"])["tasks"]]
            if tasks.count("reminder") == 2:
                break
            time.sleep(0.05)
    finally:
        worker.stop()
    assert sorted(tasks) == ["ask", "reminder", "reminder"]


def test_an_async_bpmn_error_nothing_catches_becomes_an_incident_naming_its_code(
    engine: Engine, doubled: Any
) -> None:
    doubled["bpmn_error"] = True
    started = deploy_and_start(engine, async_model(), n=5)
    worker = Worker(engine, concurrency=1)
    for _ in range(500):  # each round runs an attempt or waits out a backoff of 10 to 40 ms
        if engine.runtime.get(started["id"])["status"] == "incident":
            break
        worker.run_until_idle()
        time.sleep(0.01)
    instance = engine.runtime.get(started["id"])
    assert instance["status"] == "incident"
    [incident] = instance["incidents"]
    assert "BpmnError 'TOO_BIG'" in incident["error"]
    assert "no error boundary event or event subprocess catches it" in incident["error"]
    assert [w["element_id"] for w in instance["waiting"] if w["kind"] == "incident"] == ["work"]
