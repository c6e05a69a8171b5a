"""Run one model twice with the same decisions and record what each run did.

The *memory* run is SpiffWorkflow alone: one `BpmnWorkflow` kept in memory from start to end,
changed the way SpiffWorkflow's own users change it (set a user task's data and run it, let a
timer come due and refresh timers, let a message's task catch it, end a receive task's wait for a
trigger), with Flowbridge's parser and script engine, so it runs the same specs and microflows.
The *persisted* run goes through the engine's one step path: every decision is a step that locks
the row, restores the workflow from the database (no cache), applies the change, runs, prunes,
projects and saves.

A driver picks each decision from the memory run's state (the first ready user task, else the
async microflows that wait, else the first message waited for, else the first receive task waiting
for a trigger, else the earliest timer) and applies it to both. After every step both runs are
described the same way: status, waits, variables and the elements that finished in that step.
The traces must be equal.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import REGISTRY, Engine, EngineError
from engine.definitions import parse_files
from engine.definitions.dialects import PROCESS_VARIABLES
from engine.expressions import ASYNC_INPUT, FlowbridgeScriptEngine
from engine.forms import validate
from engine.messages.service import receive
from engine.messages.waits import Message
from engine.microflows import CallContext
from engine.runtime import StepRecord, find_task
from engine.runtime.advance import run_to_wait
from engine.runtime.projections import live_tasks, project
from engine.runtime.triggers import trigger_at
from engine.store import UnitOfWork
from engine.store.models import Job

MAX_DECISIONS = 25
"""Decisions per run at most: enough for every model's paths, and a bound on cycle timers."""
FINISHED_KINDS = frozenset({"activity_completed", "activity_cancelled", "activity_failed"})


# -- the clock SpiffWorkflow's timers read ------------------------------------------------------------


class Clock:
    """SpiffWorkflow's `datetime`, moved forward by the driver to make timers due."""

    offset = timedelta()

    @contextmanager
    def installed(self) -> Iterator[Clock]:
        clock = self

        class _Shifted(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> Any:
                return datetime.now(tz) + clock.offset

        real = spiff_timer.datetime
        spiff_timer.datetime = _Shifted  # type: ignore[misc]
        try:
            yield self
        finally:
            spiff_timer.datetime = real  # type: ignore[misc]

    def move_past(self, due: datetime) -> None:
        """Move the clock just past `due`."""
        ahead = due - (datetime.now(UTC) + self.offset)
        if ahead > timedelta(0):
            self.offset += ahead
        self.offset += timedelta(seconds=2)


# -- values a person would type -----------------------------------------------------------------------


CANDIDATES = ("C-100", "ada@example.com", "https://example.com", 3, 1500, "2026-01-15", True, "x")
"""Values tried, in order, for a field whose first value its rules refuse."""


def generated_values(form: dict[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """Values for a form's fields that its validation accepts: a default, an option, a number within
    the field's range, text, else the first of CANDIDATES that the field takes. Fields whose variable
    is already set keep it."""
    if not form:
        return {}
    values: dict[str, Any] = {}
    for fld in form.get("fields") or []:
        fid = fld["id"]
        if fld.get("readonly") or current.get(fid) not in (None, ""):
            continue
        alone = {**form, "fields": [fld]}
        for value in (_value_for(fld, fld.get("type")), *CANDIDATES):
            try:
                values.update(validate(alone, {fid: value}, current=current))
                break
            except EngineError:
                continue
    return validate(form, values, current=current)


def _value_for(fld: dict[str, Any], kind: Any) -> Any:
    if fld.get("default") not in (None, ""):
        return fld["default"]
    options = fld.get("options") or []
    if options:
        first = options[0]
        return first.get("value", first.get("id")) if isinstance(first, dict) else first
    rules = fld.get("validation") or {}
    if kind in ("integer", "number", "long"):
        low = rules.get("min", rules.get("minimum"))
        return low if isinstance(low, int | float) else 3
    if kind == "boolean":
        return True
    if kind == "date":
        return date(2026, 1, 15).isoformat()
    if kind == "datetime":
        return datetime(2026, 1, 15, 10, tzinfo=UTC).isoformat()
    return f"{fld['id']} value"


# -- one run's description ----------------------------------------------------------------------------


@dataclass
class Trace:
    """What one run did, step by step."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Why a step failed (the two runs word it differently; that it failed is compared)."""

    def add(self, decision: str, **state: Any) -> None:
        self.steps.append({"decision": decision, **state})

    def failed(self, decision: str, exc: BaseException) -> None:
        self.steps.append({"decision": decision, "failed": True})
        self.errors.append(f"{decision}: {type(exc).__name__}: {exc}")


def _waits(waiting: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Waits without ids and times, which differ between two runs of the same flow."""
    described = []
    for w in waiting:
        # The engine's view names a timer's element from its job row; the projection does not.
        element = w.get("element_id") if w.get("kind") != "event" or "correlation" in w else None
        described.append((w.get("kind"), element or "", w.get("event_type") or "", w.get("name") or ""))
    return sorted(described)


def _finished(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((e["kind"], e["element_id"] or "") for e in events if e["kind"] in FINISHED_KINDS)


# -- the memory run -----------------------------------------------------------------------------------


class MemoryRun:
    """SpiffWorkflow alone: one workflow in memory, never saved, restored or pruned."""

    def __init__(
        self,
        files: dict[str, bytes],
        key: str,
        variables: dict[str, Any],
        instance_id: str,
        dialect: str | None = None,
    ) -> None:
        process = next(p for p in parse_files(files, dialect) if p.key == key)
        self.instance_id = instance_id
        scripts = FlowbridgeScriptEngine(REGISTRY, self.instance_id, process.dialect in PROCESS_VARIABLES)
        self.workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=scripts)
        self.record = StepRecord(self.instance_id)
        self._reported = 0
        self.run(lambda: self.workflow.task_tree.data.update(copy.deepcopy(variables)))

    def run(self, change: Callable[[], None] | None = None, fire_timers: bool = False) -> None:
        """Apply `change` and run on as the engine runs a flow, but in memory only."""
        run_to_wait(self.workflow, change, fire_timers)
        self.record.collect(self.workflow)

    def state(self) -> dict[str, Any]:
        projection = project(self.workflow)
        events = self.record.events[self._reported :]
        self._reported = len(self.record.events)
        return {
            "status": projection.status,
            "waits": _waits(projection.waiting),
            "variables": projection.variables,
            "finished": _finished(events),
        }

    # What the driver may choose from.

    def ready_user_tasks(self) -> list[Any]:
        tasks = [t for t in live_tasks(self.workflow, TaskState.READY) if t.task_spec.manual]
        return sorted(tasks, key=lambda t: (t.task_spec.bpmn_id, _data_key(t.data)))

    def async_tasks(self) -> list[Any]:
        tasks = [t for t in live_tasks(self.workflow, TaskState.STARTED) if ASYNC_INPUT in t.internal_data]
        return sorted(tasks, key=lambda t: (t.task_spec.bpmn_id, _data_key(t.internal_data[ASYNC_INPUT])))

    def message_waits(self) -> list[dict[str, Any]]:
        waits = [w for w in project(self.workflow).waiting if w.get("event_type") == "MessageEventDefinition"]
        return sorted(waits, key=lambda w: (w["name"], w["element_id"] or ""))

    def trigger_waits(self) -> list[dict[str, Any]]:
        waits = [w for w in project(self.workflow).waiting if w["kind"] == "trigger"]
        return sorted(waits, key=lambda w: w["element_id"])

    def next_timer(self) -> datetime | None:
        dues = [
            datetime.fromisoformat(str(e.value))
            for e in self.workflow.waiting_events()
            if e.event_type == "TimerEventDefinition" and e.value
        ]
        return min((d if d.tzinfo else d.replace(tzinfo=UTC) for d in dues), default=None)


def _data_key(data: Any) -> str:
    return json.dumps(data, sort_keys=True, default=str)


# -- the driver -----------------------------------------------------------------------------------------


@dataclass
class Twin:
    """One model, run in memory and through the engine with the same decisions."""

    engine: Engine
    files: dict[str, bytes]
    key: str
    variables: dict[str, Any] = field(default_factory=dict)
    task_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    """By element id: values for user tasks without a form (others get their form's values)."""
    dialect: str | None = None
    """The dialect both runs deploy the files as (None: detected)."""
    clock: Clock = field(default_factory=Clock)
    memory: Trace = field(default_factory=Trace)
    persisted: Trace = field(default_factory=Trace)

    def run(self) -> Twin:
        """Start both runs and drive them until the flow ends, nothing more can be decided, a
        step fails, or MAX_DECISIONS."""
        with self.clock.installed():
            self.engine.repository.deploy(self.files, self.dialect)
            process = next(p for p in parse_files(self.files, self.dialect) if p.key == self.key)
            self.variables = {**generated_values(process.start_form, {}), **self.variables}
            # The engine's run first, so the memory run can share its instance id (microflows see it).
            try:
                instance = self.engine.runtime.start(self.key, copy.deepcopy(self.variables))
                self._seen = 0
                self.persisted.add("start", **self._persisted_state(instance["id"]))
            except EngineError as exc:
                self.persisted.failed("start", exc)
                instance = None
            try:
                instance_id = instance["id"] if instance is not None else str(uuid.uuid4())
                mem = MemoryRun(self.files, self.key, self.variables, instance_id, self.dialect)
                self.memory.add("start", **mem.state())
            except Exception as exc:
                self.memory.failed("start", exc)
                mem = None
            if mem is None or instance is None:
                return self
            for _ in range(MAX_DECISIONS):
                if mem.workflow.completed or not self._decide(mem, instance["id"]):
                    break
        return self

    def _decide(self, mem: MemoryRun, instance_id: str) -> bool:
        """Make the next decision in both runs; False when there is none to make."""
        users = mem.ready_user_tasks()
        if users:
            return self._complete(mem, instance_id, users[0])
        jobs = mem.async_tasks()
        if jobs:
            return self._async(mem, instance_id, jobs)
        messages = mem.message_waits()
        if messages:
            return self._message(mem, instance_id, messages[0])
        triggers = mem.trigger_waits()
        if triggers:
            return self._trigger(mem, instance_id, triggers[0]["element_id"])
        due = mem.next_timer()
        if due is not None:
            return self._timer(mem, instance_id, due)
        return False

    def _both(self, decision: str, memory: Callable[[], None], persisted: Callable[[], Any]) -> bool:
        """Apply one decision to both runs and describe them; False once either failed."""
        ok = True
        try:
            memory()
            self.memory.add(decision, **self._mem.state())
        except Exception as exc:
            self.memory.failed(decision, exc)
            ok = False
        try:
            persisted()
            self.persisted.add(decision, **self._persisted_state(self._instance_id))
        except EngineError as exc:
            self.persisted.failed(decision, exc)
            ok = False
        return ok

    # Each decision, in memory (SpiffWorkflow's own API) and through the engine's services.

    def _complete(self, mem: MemoryRun, instance_id: str, task: Any) -> bool:
        spec = task.task_spec
        extensions = spec.extensions if isinstance(spec.extensions, dict) else {}
        values = {
            **self.task_values.get(spec.bpmn_id, {}),
            **generated_values(extensions.get("form"), task.data),
        }
        data = _data_key(_visible(task.data))
        self._mem, self._instance_id = mem, instance_id

        def in_memory() -> None:
            def change() -> None:
                task.data.update(copy.deepcopy(values))
                task.run()

            mem.run(change)

        def persisted() -> None:
            shown = self.engine.runtime.get(instance_id)
            same = [t for t in shown["tasks"] if t["element_id"] == spec.bpmn_id]
            chosen = next((t for t in same if _data_key(_visible(t["variables"])) == data), None)
            chosen = chosen or (same[0] if same else None)
            if chosen is None:
                raise _Missing(f"no open task {spec.bpmn_id}")
            self.engine.tasks.complete(chosen["id"], copy.deepcopy(values))

        return self._both(f"complete {spec.bpmn_id} with {sorted(values)}", in_memory, persisted)

    def _async(self, mem: MemoryRun, instance_id: str, tasks: list[Any]) -> bool:
        names = [t.task_spec.bpmn_id for t in tasks]
        self._mem, self._instance_id = mem, instance_id

        def in_memory() -> None:
            for task in tasks:
                payload = task.internal_data.pop(ASYNC_INPUT)
                result = _call(task.task_spec, payload, mem.instance_id, str(task.id))
                mem.run(
                    lambda task=task, result=result: mem.workflow.script_engine.finish_async(task, result)
                )

        def persisted() -> None:
            for job in self._queued_microflow_jobs(instance_id):
                result = _call_named(job.microflow or "", job.payload["input"], instance_id, job.task_id)

                def change(wf: Any, _record: Any, job: Job = job, result: Any = result) -> None:
                    waiting = find_task(wf, job.task_id or "")
                    if waiting is None or not waiting.has_state(TaskState.STARTED):
                        raise _Missing(f"task {job.element_id} no longer waits for its microflow")
                    wf.script_engine.finish_async(waiting, result)

                self.engine.runtime.step(instance_id, change)

        return self._both(f"run async {names}", in_memory, persisted)

    def _message(self, mem: MemoryRun, instance_id: str, wait: dict[str, Any]) -> bool:
        correlation = dict(wait.get("correlation") or {})
        message = Message(wait["name"], correlation, {"delivered": wait["name"]})
        self._mem, self._instance_id = mem, instance_id

        def in_memory() -> None:
            mem.run(lambda: receive(mem.workflow, mem.record, copy.deepcopy(message), None, None))

        def persisted() -> None:
            self.engine.messages.correlate(message.name, correlation, {"delivered": wait["name"]})

        return self._both(f"message {wait['name']}", in_memory, persisted)

    def _trigger(self, mem: MemoryRun, instance_id: str, element: str) -> bool:
        variables = {"triggered": element}
        self._mem, self._instance_id = mem, instance_id

        def in_memory() -> None:
            mem.run(lambda: trigger_at(mem.workflow, mem.record, element, copy.deepcopy(variables)))

        def persisted() -> None:
            self.engine.triggers.trigger(instance_id, element, copy.deepcopy(variables))

        return self._both(f"trigger {element}", in_memory, persisted)

    def _timer(self, mem: MemoryRun, instance_id: str, due: datetime) -> bool:
        self.clock.move_past(due)
        self._mem, self._instance_id = mem, instance_id
        return self._both(
            "timer", lambda: mem.run(fire_timers=True), lambda: self.engine.runtime.fire_timers(instance_id)
        )

    # Reading the persisted run.

    def _persisted_state(self, instance_id: str) -> dict[str, Any]:
        shown = self.engine.runtime.get(instance_id)
        events = self.engine.history.events(instance_id)
        new, self._seen = events[self._seen :], len(events)
        return {
            "status": shown["status"],
            "waits": _waits([w for w in shown["waiting"] if w.get("kind") != "job"]),
            "variables": shown["variables"],
            "finished": _finished(new),
        }

    def _queued_microflow_jobs(self, instance_id: str) -> list[Job]:
        with UnitOfWork(self.engine.db) as uow:
            rows = uow.session.scalars(
                select(Job).where(
                    Job.instance_id == instance_id, Job.kind == "microflow", Job.status == "queued"
                )
            ).all()
            uow.session.expunge_all()
        return sorted(rows, key=lambda j: (j.element_id or "", _data_key(j.payload["input"])))


class _Missing(EngineError):
    """The persisted run has no counterpart of what the memory run decided."""


def _visible(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "data_objects"}


def _call(spec: Any, payload: Any, instance_id: str, task_id: str) -> Any:
    return _call_named(spec.microflow["name"], payload, instance_id, task_id)


def _call_named(name: str, payload: Any, instance_id: str, task_id: str | None) -> Any:
    context = CallContext(name, f"differential:{instance_id}:{task_id}", instance_id, task_id)
    return REGISTRY.get(name).call(copy.deepcopy(payload), context)
