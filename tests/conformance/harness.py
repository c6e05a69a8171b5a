"""The conformance harness: a case ported from a peer's engine test, and how one is run.

A `Case` names the peer's test it comes from (`source`), the model files it deploys (kept in its
peer's `models/` folder), the process it starts and what happens then: a list of steps, each an
action (complete or claim a user task, correlate a message, broadcast a signal, trigger a waiting
receive task, let timers come due, run the async jobs) or a `Check` of what the peer's test
asserts at that point (status, the elements that completed, the tasks open and their assignment,
due dates and own variables, the variables, the waits; checks.py). `Start` gives the starting
user and the business key. A case the engine does not support is a `Case` with `refused`: the
words deploy's refusal must contain — an expected refusal, run and checked like any other case,
never a silent skip.

Cases run through the engine facade, the same services the HTTP API calls, on SQLite and on
PostgreSQL (tests/conformance/test_conformance.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from engine import REGISTRY, Engine, EngineError, InvalidModel
from engine.microflows import Microflow
from engine.workers import Worker

from ..differential import Clock
from .checks import Check, OpenTask, check, completed_elements, open_elements

__all__ = [
    "Case",
    "Check",
    "Claim",
    "Complete",
    "Message",
    "OpenTask",
    "RunJobs",
    "Signal",
    "Start",
    "Trigger",
    "Wait",
    "completed_elements",
    "run_case",
]

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Complete:
    """Complete the open user task at `element` with `variables` (the one assigned to `assignee`,
    when given; else the first)."""

    element: str
    variables: dict[str, Any] = field(default_factory=dict)
    assignee: str | None = None


@dataclass(frozen=True)
class Message:
    """Correlate message `name` (by `correlation` keys, with `variables`)."""

    name: str
    correlation: dict[str, Any] | None = None
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Signal:
    """Broadcast signal `name`."""

    name: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Trigger:
    """Move the instance on at the receive task waiting at `element`, with `variables` (Camunda 7's
    `runtimeService.signal(executionId, variables)`, or `messageEventReceived(name, executionId)`
    for one execution of a receive task with a message); where several wait, the first."""

    element: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Wait:
    """Let `seconds` pass on SpiffWorkflow's clock and fire the timers that came due."""

    seconds: float


@dataclass(frozen=True)
class RunJobs:
    """Run the instance's async jobs (microflows, messages) until none is left to do."""


@dataclass(frozen=True)
class Claim:
    """`user` (a member of `groups`) claims the one open user task at `element`: its assignee."""

    element: str
    user: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Start:
    """How the case starts its process: the starting `user` (Camunda's authenticated user, whom
    camunda:initiator names) and the instance's `business_key`."""

    user: str | None = None
    business_key: str | None = None


Step = Complete | Claim | Message | Signal | Trigger | Wait | RunJobs | Check


@dataclass(frozen=True)
class Case:
    """One behaviour a peer's engine test asserts, ported."""

    name: str
    source: str
    """The peer's test: repository path of the test class or file, and the test method."""
    files: tuple[str, ...]
    """Model files under the peer's `models/` folder, deployed together."""
    process: str | None = None
    """The key of the process to start (None: deploy only)."""
    variables: dict[str, Any] = field(default_factory=dict)
    start: Start = Start()
    """The starting user and business key."""
    steps: tuple[Step, ...] = ()
    refused: str | None = None
    """When set, deploy refuses the files and its message contains these words."""
    microflows: dict[str, Callable[..., Any]] = field(default_factory=dict)
    """Microflows the model's service tasks call, registered for the case (sync unless named in
    `async_microflows`)."""
    async_microflows: tuple[str, ...] = ()
    construct: str = ""
    """The BPMN construct the case shows, for README's "Supported BPMN" table."""
    error: str | None = None
    """When set, the start or one of the steps raises an engine error whose message contains these
    words (the peer's test expects an exception there); the steps after it do not run."""
    dialect: str | None = None
    """Deploy the files as this dialect (`spiff`: as SpiffArena runs them) instead of the one their
    namespaces suggest, as the peer's test ran them with its own parser."""
    gap: str | None = None
    """A known difference from the peer, said in a sentence: the case runs and must fail (a strict
    xfail), so the day it passes the suite says so."""


def run_case(engine: Engine, case: Case, models: Path, clock: Clock) -> None:
    """Deploy and run one case, asserting each of its checks (or its expected refusal)."""
    files = {name: (models / name).read_bytes() for name in case.files}
    added = _register(case)
    try:
        if case.refused is not None:
            try:
                engine.repository.deploy(files, case.dialect)
            except InvalidModel as exc:
                assert case.refused in exc.message, f"refused for another reason: {exc.message}"
                return
            raise AssertionError(f"deploy accepted what it should refuse ({case.refused})")
        engine.repository.deploy(files, case.dialect)
        if case.process is None:
            return
        try:
            instance = engine.runtime.start(
                case.process, dict(case.variables), user=case.start.user, business_key=case.start.business_key
            )
            for step in case.steps:
                instance = _do(engine, instance["id"], step, clock)
        except EngineError as exc:
            if case.error is None:
                raise
            assert case.error in exc.message, f"failed for another reason: {exc.message}"
            return
        assert case.error is None, f"nothing raised the expected error ({case.error})"
    finally:
        for name in added:
            REGISTRY.unregister(name)


def _register(case: Case) -> list[str]:
    added = []
    for name, func in case.microflows.items():
        mode = "async" if name in case.async_microflows else "sync"
        REGISTRY.register(Microflow.wrap(name, func, mode=mode, retries=0))
        added.append(name)
    return added


def _do(engine: Engine, instance_id: str, step: Step, clock: Clock) -> dict[str, Any]:
    if isinstance(step, Complete):
        shown = engine.runtime.get(instance_id)
        found = _open_task(engine, shown, step.element, step.assignee)
        engine.tasks.complete(found["id"], dict(step.variables))
    elif isinstance(step, Claim):
        found = _open_task(engine, engine.runtime.get(instance_id), step.element)
        engine.tasks.claim(found["id"], step.user, step.groups)
    elif isinstance(step, Message):
        engine.messages.correlate(step.name, step.correlation, dict(step.variables))
    elif isinstance(step, Signal):
        engine.signals.broadcast(step.name, dict(step.variables))
    elif isinstance(step, Trigger):
        engine.triggers.trigger(instance_id, step.element, dict(step.variables))
    elif isinstance(step, Wait):
        clock.offset += timedelta(seconds=step.seconds)
        engine.runtime.fire_timers(instance_id)
    elif isinstance(step, RunJobs):
        Worker(engine, concurrency=1).run_until_idle()
    else:
        check(engine, instance_id, step)
    return engine.runtime.get(instance_id)


def _open_task(
    engine: Engine, shown: dict[str, Any], element: str, assignee: str | None = None
) -> dict[str, Any]:
    found = [t for t in shown["tasks"] if t["element_id"] == element]
    assert found, f"no open task {element}; open: {open_elements(shown)}"
    if assignee is None:
        return found[0]
    mine = [t for t in found if engine.tasks.get(t["id"])["assignee"] == assignee]
    assert mine, f"no open task {element} assigned to {assignee}"
    return mine[0]
