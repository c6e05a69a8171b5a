"""The HTTP API's microflows and jobs: blocking and async calls, polling, retries, incidents."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from engine.workers import Worker

from ..conftest import Api

WOKE = threading.Event()
"""Set when `api_hang` has slept its time."""


@pytest.fixture
def flows(microflows: Any) -> None:
    """Microflows to call: one that answers, one that raises, one that hangs."""

    def add(a: int, b: int = 1) -> dict[str, int]:
        """Add two numbers."""
        return {"sum": a + b}

    def explode(reason: str) -> None:
        raise RuntimeError(f"exploded: {reason}")

    def hang(seconds: float) -> str:
        time.sleep(seconds)
        WOKE.set()
        return "woke"

    microflows("api_add", add, expose=True)
    microflows("api_explode", explode, retries=0, expose=True)
    microflows("api_hang", hang, timeout=0.3, expose=True)


@pytest.fixture
def worker(api: Api) -> Iterator[Worker]:
    """An embedded worker on the API's engine."""
    running = Worker(api.engine, concurrency=2)
    running.start()
    yield running
    running.stop()


def poll(api: Api, job_id: str, until: tuple[str, ...] = ("done", "failed"), seconds: float = 10) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        status, job = api.get(f"/api/jobs/{job_id}", "bob")
        assert status == 200, job
        if job["status"] in until or time.monotonic() > deadline:
            return job
        time.sleep(0.02)


def test_microflows_are_listed_with_their_inputs(api: Api, flows: None) -> None:
    status, listed = api.get("/api/microflows", "bob")
    assert status == 200
    add = next(m for m in listed if m["name"] == "api_add")
    assert add["inputs"] == ["a", "b"] and add["mode"] == "sync"
    assert add["description"] == "Add two numbers."


def test_a_blocking_call_answers_the_result_502_on_error_504_on_timeout(api: Api, flows: None) -> None:
    url = "/api/microflows/{}/call"
    status, body = api.post(url.format("api_add"), "bob", json={"input": {"a": 40, "b": 2}})
    assert (status, body) == (200, {"result": {"sum": 42}})

    status, body = api.post(url.format("api_explode"), "bob", json={"input": {"reason": "boom"}})
    assert status == 502 and "exploded: boom" in body["error"]["message"]

    WOKE.clear()
    status, body = api.post(
        url.format("api_hang"), "bob", json={"input": {"seconds": 30}, "timeout_seconds": 0.2}
    )
    assert status == 504 and body["error"]["code"]
    assert not WOKE.is_set()  # the call answered at its timeout, while the microflow still slept

    assert api.post(url.format("nope"), "bob", json={})[0] == 404
    status, body = api.post(url.format("api_add"), "bob", json={"input": {"c": 1}})
    assert status == 400 and body["error"]["message"]
    assert api.post(url.format("api_add"), "bob", json={"input": {"a": 1}, "mode": "later"})[0] == 400


def test_an_async_call_answers_202_and_a_job_to_poll(api: Api, flows: None, worker: Worker) -> None:
    answer = api.client.post(
        "/api/microflows/api_add/call",
        json={"input": {"a": 1, "b": 2}, "mode": "async"},
        headers={"Authorization": f"Bearer {api.tokens['bob']}"},
    )
    assert answer.status_code == 202
    job_id = answer.get_json()["job_id"]
    assert answer.headers["Location"].endswith(f"/api/jobs/{job_id}")

    job = poll(api, job_id)
    assert (job["status"], job["result"], job["kind"]) == ("done", {"sum": 3}, "call")
    assert api.get("/api/jobs/no-such-job")[0] == 404
    status, body = api.post(f"/api/jobs/{job_id}/retry")
    assert status == 409 and "only failed jobs" in body["error"]["message"]


def test_a_failed_async_call_is_retried_by_an_administrator(api: Api, flows: None, worker: Worker) -> None:
    status, accepted = api.post(
        "/api/microflows/api_explode/call", "bob", json={"input": {"reason": "once"}, "mode": "async"}
    )
    assert status == 202
    job = poll(api, accepted["job_id"])
    assert job["status"] == "failed" and "exploded: once" in job["error"]

    assert api.post(f"/api/jobs/{job['id']}/retry", "bob")[0] == 403
    status, retried = api.post(f"/api/jobs/{job['id']}/retry")
    assert status == 200 and retried["status"] in ("queued", "running", "failed")
    again = poll(api, retried["id"], until=("failed",))
    assert again["status"] == "failed" and again["attempts"] >= 1


def test_incidents_are_listed_and_retried_by_administrators_only(api: Api, microflows: Any) -> None:
    from .test_api_flows import HEAD, deployed, start

    calls: list[int] = []

    def flaky(n: int) -> dict[str, int]:
        calls.append(n)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return {"m": n + 1}

    microflows("api_flaky", flaky, retries=0, mode="async")
    flow = (
        HEAD + '<bpmn:process id="flaky" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:serviceTask id="work" camunda:type="external" camunda:topic="api_flaky"/>'
        '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/></bpmn:process></bpmn:definitions>'
    ).encode()
    deployed(api, ("flaky.bpmn", flow))
    instance = start(api, "flaky", variables={"n": 1})
    Worker(api.engine, concurrency=1).run_until_idle()

    status, incidents = api.get("/api/incidents", "bob")
    assert status == 200
    [incident] = incidents
    assert incident["instance_id"] == instance["id"] and "first call fails" in incident["error"]
    assert api.get(f"/api/process-instances/{instance['id']}")[1]["status"] == "incident"

    assert api.post(f"/api/incidents/{incident['id']}/retry", "bob")[0] == 403
    status, retried = api.post(f"/api/incidents/{incident['id']}/retry")
    assert status == 200 and retried["status"] == "resolved" and retried["retry_job_id"]
    Worker(api.engine, concurrency=1).run_until_idle()
    assert poll(api, retried["retry_job_id"])["status"] == "done"
    final = api.get(f"/api/process-instances/{instance['id']}")[1]
    assert (final["status"], final["variables"]["m"]) == ("completed", 2)
    assert api.get("/api/incidents")[1] == []
    assert api.post(f"/api/incidents/{incident['id']}/retry")[0] == 409
