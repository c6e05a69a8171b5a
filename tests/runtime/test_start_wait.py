"""Start and wait: `runtime.wait` returns once the instance ends or waits only on people or events."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from engine import Engine
from engine.errors import InvalidInput, NotFound
from engine.workers import Worker

from ..builders import flow, model
from ..conftest import make_engine


def auto_flow() -> bytes:
    """start → async `triple` → end."""
    body = (
        '<bpmn:startEvent id="s"/><bpmn:serviceTask id="work" camunda:type="external" '
        'camunda:topic="triple" camunda:asyncBefore="true"/><bpmn:endEvent id="e"/>'
        + flow("s", "work")
        + flow("work", "e")
    )
    return model(body, key="auto")


def user_flow() -> bytes:
    """start → user task `ask` → end."""
    body = '<bpmn:startEvent id="s"/><bpmn:userTask id="ask"/><bpmn:endEvent id="e"/>'
    return model(body + flow("s", "ask") + flow("ask", "e"), key="human")


def timer_flow(duration: str) -> bytes:
    """start → timer `duration` → end."""
    body = (
        '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        f"<bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition>"
        '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>' + flow("s", "wait") + flow("wait", "e")
    )
    return model(body, key="timed")


@pytest.fixture
def triple(microflows: Any) -> None:
    def triple(n: int) -> dict[str, Any]:
        time.sleep(0.05)
        return {"tripled": n * 3}

    microflows("triple", triple, retries=0, timeout=5)


WAIT_SECONDS = 240.0
"""The deadline of the waits that a worker ends: far beyond any machine's pace, so that ending
well before it shows a wake-up (or a poll), not the deadline."""


@pytest.fixture
def deployed(engine: Engine, triple: None) -> Engine:
    engine.repository.deploy(
        {"auto.bpmn": auto_flow(), "human.bpmn": user_flow(), "timed.bpmn": timer_flow("PT1H")}
    )
    return engine


@pytest.fixture
def worker(deployed: Engine) -> Iterator[Worker]:
    running = Worker(deployed, concurrency=2, max_idle_seconds=30)
    running.start()
    yield running
    running.stop()


def test_start_and_wait_returns_the_completed_instance(deployed: Engine, worker: Worker) -> None:
    started = deployed.runtime.start("auto", {"n": 7})
    assert started["status"] == "waiting"
    began = time.monotonic()
    ended = deployed.runtime.wait(started["id"], WAIT_SECONDS)
    took = time.monotonic() - began
    assert (ended["status"], ended["variables"]["tripled"]) == ("completed", 21)
    assert took < WAIT_SECONDS / 2, took  # woken by the step that applied the result, not the deadline


@pytest.fixture
def blocked(deployed: Engine, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The timeouts of every wait that blocked inside `runtime.wait`: none means it returned at
    once, whatever the machine's speed."""
    timeouts: list[float] = []
    watch = deployed.runtime.changes.watch

    @contextlib.contextmanager
    def counting(instance_id: str) -> Iterator[Any]:
        with watch(instance_id) as event:
            real = event.wait

            def wait(timeout: float | None = None) -> bool:
                timeouts.append(timeout or 0.0)
                return real(timeout)

            event.wait = wait  # type: ignore[method-assign]
            yield event

    monkeypatch.setattr(deployed.runtime.changes, "watch", counting)
    return timeouts


def test_a_flow_waiting_on_a_person_returns_at_once(
    deployed: Engine, worker: Worker, blocked: list[float]
) -> None:
    started = deployed.runtime.start("human")
    waiting = deployed.runtime.wait(started["id"], 5)
    assert blocked == []  # settled before any wait
    assert waiting["status"] == "waiting"
    assert [t["element_id"] for t in waiting["tasks"]] == ["ask"]


def test_a_far_timer_does_not_hold_the_wait(deployed: Engine, blocked: list[float]) -> None:
    started = deployed.runtime.start("timed")
    assert deployed.runtime.wait(started["id"], 5)["status"] == "waiting"
    assert blocked == []


def test_a_near_timer_is_waited_for(deployed: Engine, worker: Worker) -> None:
    deployed.repository.deploy({"timed.bpmn": timer_flow("PT0.3S")})
    started = deployed.runtime.start("timed")
    assert deployed.runtime.wait(started["id"], 5)["status"] == "completed"


def test_wait_zero_returns_at_once_and_bad_waits_are_refused(deployed: Engine, blocked: list[float]) -> None:
    started = deployed.runtime.start("auto", {"n": 1})  # no worker: its job stays queued
    assert deployed.runtime.wait(started["id"], 0)["status"] == "waiting"
    assert blocked == []
    for bad in (-1, 301, float("nan"), True, "5"):
        with pytest.raises(InvalidInput, match="wait_seconds"):
            deployed.runtime.wait(started["id"], bad)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        deployed.runtime.wait("no-such-instance", 1)
    with pytest.raises(NotFound):
        deployed.runtime.wait("no-such-instance", 0)


def test_without_a_worker_the_wait_ends_at_its_deadline(deployed: Engine, blocked: list[float]) -> None:
    started = deployed.runtime.start("auto", {"n": 1})
    began = time.monotonic()
    waited = deployed.runtime.wait(started["id"], 0.3)
    took = time.monotonic() - began
    assert waited["status"] == "waiting" and "tripled" not in waited["variables"]
    assert took >= 0.3, took
    # It never asked to sleep past its deadline, however slow the machine (no wall-clock bound).
    assert blocked and sum(blocked) <= 0.3 + 0.05  # (a wait may return a hair before its timeout)


def test_a_worker_in_another_process_is_seen_by_polling(deployed: Engine, database_url: str) -> None:
    other = make_engine(database_url)  # its own runtime: no in-process wake-ups reach this one
    worker = Worker(other, concurrency=1, max_idle_seconds=0.05)
    worker.start()
    try:
        started = deployed.runtime.start("auto", {"n": 2})
        began = time.monotonic()
        ended = deployed.runtime.wait(started["id"], WAIT_SECONDS)
        took = time.monotonic() - began
    finally:
        worker.stop()
        other.close()
    assert (ended["status"], ended["variables"]["tripled"]) == ("completed", 6)
    assert took < WAIT_SECONDS / 2, took  # seen by a poll, not at the deadline


def test_the_command_line_starts_and_waits(tmp_path: Any, triple: None) -> None:
    from click.testing import CliRunner

    from engine import Settings
    from engine.cli import main

    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = Engine(Settings(database_url=db), load_microflows=False)
    engine.upgrade()
    engine.repository.deploy({"auto.bpmn": auto_flow(), "human.bpmn": user_flow()})
    worker = Worker(engine, concurrency=1, max_idle_seconds=0.05)
    worker.start()
    try:

        def start(*args: str) -> dict[str, Any]:
            result = CliRunner().invoke(
                main, ["--db", db, "--models", str(tmp_path), "start", *args, "--json"]
            )
            assert result.exit_code == 0, result.output
            return json.loads(result.stdout)

        assert start("auto", "--var", "n=4", "--wait", "5")["variables"]["tripled"] == 12
        assert start("human", "--wait", "5")["status"] == "waiting"
    finally:
        worker.stop()
        engine.close()
