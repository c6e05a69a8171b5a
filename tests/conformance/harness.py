"""The conformance harness: a case ported from a peer's engine test, and how one is run.

A `Case` names the peer's test it comes from (`source`), the model files it deploys (kept in its
peer's `models/` folder), the process it starts and what happens then: a list of steps, each an
action (complete a user task, correlate a message, broadcast a signal, let timers come due, run
the async jobs) or a `Check` of what the peer's test asserts at that point (status, the elements
that completed, the tasks open, the variables). A case the engine does not support is a `Case`
with `refused`: the words deploy's refusal must contain — an expected refusal, run and checked
like any other case, never a silent skip.

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

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Complete:
    """Complete the one open user task at `element` with `variables`."""

    element: str
    variables: dict[str, Any] = field(default_factory=dict)


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
class Wait:
    """Let `seconds` pass on SpiffWorkflow's clock and fire the timers that came due."""

    seconds: float


@dataclass(frozen=True)
class RunJobs:
    """Run the instance's async jobs (microflows, messages) until none is left to do."""


@dataclass(frozen=True)
class Check:
    """What the peer's test asserts at this point; None: not asserted.

    `status`: the instance's status (waiting, completed, incident, ...). `completed`: elements
    that must have completed by now (a subset; `completed_in_order` compares the whole sequence).
    `not_completed`: elements that must not have. `open`: the element ids of the open user tasks,
    as a sorted list. `variables`: a subset of the instance's variables. `absent`: variable names
    the instance must not have.
    """

    status: str | None = None
    completed: tuple[str, ...] = ()
    completed_in_order: tuple[str, ...] | None = None
    not_completed: tuple[str, ...] = ()
    open: tuple[str, ...] | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    absent: tuple[str, ...] = ()


Step = Complete | Message | Signal | Wait | RunJobs | Check


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
                engine.repository.deploy(files)
            except InvalidModel as exc:
                assert case.refused in exc.message, f"refused for another reason: {exc.message}"
                return
            raise AssertionError(f"deploy accepted what it should refuse ({case.refused})")
        engine.repository.deploy(files)
        if case.process is None:
            return
        try:
            instance = engine.runtime.start(case.process, dict(case.variables))
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
        found = [t for t in shown["tasks"] if t["element_id"] == step.element]
        assert found, f"no open task {step.element}; open: {_open(shown)}"
        engine.tasks.complete(found[0]["id"], dict(step.variables))
    elif isinstance(step, Message):
        engine.messages.correlate(step.name, step.correlation, dict(step.variables))
    elif isinstance(step, Signal):
        engine.signals.broadcast(step.name, dict(step.variables))
    elif isinstance(step, Wait):
        clock.offset += timedelta(seconds=step.seconds)
        engine.runtime.fire_timers(instance_id)
    elif isinstance(step, RunJobs):
        Worker(engine, concurrency=1).run_until_idle()
    else:
        _check(engine, instance_id, step)
    return engine.runtime.get(instance_id)


def _check(engine: Engine, instance_id: str, check: Check) -> None:
    shown = engine.runtime.get(instance_id)
    done = completed_elements(engine, instance_id)
    where = f"(status {shown['status']}, open {_open(shown)}, completed {done})"
    if check.status is not None:
        assert shown["status"] == check.status, where
    missing = [e for e in check.completed if e not in done]
    assert not missing, f"not completed: {missing} {where}"
    if check.completed_in_order is not None:
        assert tuple(done) == check.completed_in_order, where
    unexpected = [e for e in check.not_completed if e in done]
    assert not unexpected, f"completed, but must not have: {unexpected} {where}"
    if check.open is not None:
        assert _open(shown) == sorted(check.open), where
    variables = shown["variables"]
    for name, value in check.variables.items():
        assert name in variables, f"no variable {name!r}; variables: {sorted(variables)}"
        assert variables[name] == value, f"{name} = {variables[name]!r}, not {value!r}"
    present = [name for name in check.absent if name in variables]
    assert not present, f"variables that must not be set: {present}"


def completed_elements(engine: Engine, instance_id: str) -> list[str]:
    """The element ids that completed, in the order they did (from the instance's history)."""
    return [
        event["element_id"]
        for event in engine.history.events(instance_id)
        if event["kind"] == "activity_completed" and event["element_id"]
    ]


def _open(shown: dict[str, Any]) -> list[str]:
    return sorted(t["element_id"] for t in shown["tasks"])
