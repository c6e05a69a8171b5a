"""The benchmark behind `flowbridge bench` (DESIGN §8): the engine measured beside SpiffWorkflow alone.

`run()` returns the figures as one JSON-ready object; `engine/cli/bench.py` prints them as a table.

Every persisted figure is taken side by side with its in-memory floor in the same run (batches
of raw and persisted cycles alternate), after warm-up, and reported as medians, so a ratio holds
on a noisy machine. Each scenario gets a fresh database: a temporary SQLite file, or a new
PostgreSQL schema that is dropped afterwards.
"""

from __future__ import annotations

import gc
import importlib.metadata
import os
import platform
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from time import perf_counter
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from ..definitions.parsing import parse_files
from ..definitions.specs import quiet_spiff_debug_logging
from ..engine import Engine
from ..errors import InvalidInput, StepFailed
from ..expressions.script_engine import FlowbridgeScriptEngine
from ..microflows import REGISTRY
from .api import scenario_http, scenario_tasklist
from .asynchronous import scenario_async
from .common import (
    AUTO_KEY,
    FULL,
    HUMAN_KEY,
    LOOP_KEY,
    QUICK,
    SQLITE,
    Cycle,
    Record,
    Sizes,
    interleave,
    load_models,
    register_microflow,
    timing,
)
from .databases import check_database, describe_database, engines, fresh_database, server_version
from .instance_list import scenario_instances

SCENARIOS = ("raw", "auto", "human", "loop", "async", "tasklist", "instances", "http")
"""The scenarios of DESIGN §8 built so far, in the order they run."""


# -- SpiffWorkflow alone -----------------------------------------------------------------------------


class RawRunner:
    """The benchmark models run by SpiffWorkflow in memory: parsed once, nothing stored."""

    def __init__(self, models: dict[str, bytes]) -> None:
        register_microflow()
        self.specs = {p.key: (p.spec, p.subprocess_specs) for p in parse_files(models)}
        self.script_engine = FlowbridgeScriptEngine(REGISTRY, "bench")

    def _workflow(self, key: str, variables: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = self.specs[key]
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data.update(variables)
        return workflow

    def auto(self, index: int) -> dict[str, float]:
        """A new `auto` workflow run to its end."""
        start = perf_counter()
        workflow = self._workflow(AUTO_KEY, {"n": index % 6})
        workflow.do_engine_steps()
        took = perf_counter() - start
        if not workflow.completed:
            raise StepFailed("raw auto workflow did not reach its end")
        return {"cycle": took}

    def human(self, _index: int) -> dict[str, float]:
        """A new `human` workflow to its user task, then the task run and the workflow to its end."""
        t0 = perf_counter()
        workflow = self._workflow(HUMAN_KEY, {})
        workflow.do_engine_steps()
        t1 = perf_counter()
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.run()
        workflow.do_engine_steps()
        t2 = perf_counter()
        if not workflow.completed:
            raise StepFailed("raw human workflow did not reach its end")
        return {"cycle": t2 - t0, "start": t1 - t0, "complete": t2 - t1}


# -- the persisted engine ---------------------------------------------------------------------------


def _auto_cycle(engine: Engine) -> Cycle:
    def cycle(index: int) -> dict[str, float]:
        start = perf_counter()
        instance = engine.runtime.start(AUTO_KEY, {"n": index % 6})
        took = perf_counter() - start
        if instance["status"] != "completed":
            raise StepFailed(f"auto instance ended {instance['status']}, not completed")
        return {"cycle": took}

    return cycle


def _human_cycle(engine: Engine) -> Cycle:
    def cycle(_index: int) -> dict[str, float]:
        t0 = perf_counter()
        instance = engine.runtime.start(HUMAN_KEY, {})
        t1 = perf_counter()
        done = engine.tasks.complete(_only_task(instance, "review"), {"ok": True})
        t2 = perf_counter()
        if done["status"] != "completed":
            raise StepFailed(f"human instance ended {done['status']}, not completed")
        return {"cycle": t2 - t0, "start": t1 - t0, "complete": t2 - t1}

    return cycle


def _only_task(instance: dict[str, Any], element_id: str) -> str:
    tasks = instance.get("tasks") or []
    if len(tasks) != 1 or tasks[0]["element_id"] != element_id:
        found = [t["element_id"] for t in tasks]
        raise StepFailed(
            f"instance {instance['id']} offers {found} instead of one '{element_id}' task "
            f"(status {instance['status']})"
        )
    task_id: str = tasks[0]["id"]
    return task_id


# -- scenarios --------------------------------------------------------------------------------------


def scenario_raw(sizes: Sizes, raw: RawRunner) -> list[Record]:
    """SpiffWorkflow alone: the floor every persisted figure is compared with."""
    samples = interleave(
        {
            "auto": (raw.auto, sizes.raw_cycles // sizes.rounds),
            "human": (raw.human, sizes.raw_cycles // sizes.rounds),
        },
        sizes.rounds,
        sizes.warmup,
    )
    return [
        timing("auto: instance to end", samples["auto"]["cycle"]),
        timing("human: start + complete", samples["human"]["cycle"]),
        timing("human: start", samples["human"]["start"]),
        timing("human: complete", samples["human"]["complete"]),
    ]


def scenario_auto(sizes: Sizes, engine: Engine, cold: Engine, raw: RawRunner) -> list[Record]:
    """Script, sync microflow and gateway, start to end, persisted; beside the same flow in memory."""
    samples = interleave(
        {"raw": (raw.auto, sizes.batch), "engine": (_auto_cycle(engine), sizes.batch)},
        sizes.rounds,
        sizes.warmup,
    )
    return [timing("instance to end", samples["engine"]["cycle"], samples["raw"]["cycle"])]


def scenario_human(sizes: Sizes, engine: Engine, cold: Engine, raw: RawRunner) -> list[Record]:
    """Start, then complete one user task, both persisted; also with the instance cache off."""
    samples = interleave(
        {
            "raw": (raw.human, sizes.batch),
            "engine": (_human_cycle(engine), sizes.batch),
            "cold": (_human_cycle(cold), sizes.cold_batch),
        },
        sizes.rounds,
        sizes.warmup,
    )
    base, warm, nocache = samples["raw"], samples["engine"], samples["cold"]
    return [
        timing("start + complete", warm["cycle"], base["cycle"]),
        timing("start", warm["start"], base["start"]),
        timing("complete", warm["complete"], base["complete"]),
        timing("complete, no instance cache", nocache["complete"], base["complete"]),
    ]


@dataclass
class _Lane:
    """A loop instance of the `loop` scenario; a reference lane restarts once past its window."""

    engine: Engine
    limit: int
    instance_id: str = ""
    task_id: str = ""
    done: int = 0

    def begin(self) -> None:
        instance = self.engine.runtime.start(LOOP_KEY, {"limit": self.limit})
        self.instance_id, self.task_id, self.done = instance["id"], _only_task(instance, "work"), 0

    def step(self) -> float:
        """Complete `work` once; the seconds it took."""
        start = perf_counter()
        instance = self.engine.tasks.complete(self.task_id, {})
        took = perf_counter() - start
        self.done += 1
        try:
            self.task_id = _only_task(instance, "work")
        except StepFailed as exc:
            raise StepFailed(f"the loop stopped after {self.done} iterations: {exc.message}") from exc
        return took


def scenario_loop(sizes: Sizes, engine: Engine, cold: Engine, raw: RawRunner) -> list[Record]:
    """One step after 10, 100, 1,000 earlier iterations of the same instance, and its stored size.

    Beside the long-running instance, a reference instance is stepped at the same moments through
    the first point's window (restarted whenever it passes it), so each point's ratio compares
    steps taken side by side and a noisy patch of the machine falls on both.
    """
    points, window = sizes.loop_points, sizes.loop_window
    first, last = points[0], max(points) + window
    if sizes.loop_limit <= last + 1:
        raise InvalidInput(f"loop limit {sizes.loop_limit} must exceed {last + 1}")
    arms = {"engine": engine, "cold": cold}
    for eng in arms.values():  # warm-up: a short loop run to its end
        instance = eng.runtime.start(LOOP_KEY, {"limit": sizes.warmup})
        while instance["status"] != "completed":
            instance = eng.tasks.complete(_only_task(instance, "work"), {})
    gc.collect()
    main = {arm: _Lane(eng, sizes.loop_limit) for arm, eng in arms.items()}
    reference = {arm: _Lane(eng, sizes.loop_limit) for arm, eng in arms.items()}
    for lane in [*main.values(), *reference.values()]:
        lane.begin()
    steps: dict[str, dict[int, list[float]]] = {arm: {p: [] for p in points} for arm in arms}
    paired: dict[str, dict[int, list[float]]] = {arm: {p: [] for p in points} for arm in arms}
    state: dict[int, int] = {}
    lanes = [(arm, kind) for arm in arms for kind in ("main", "reference")]
    for done in range(last + 1):
        if done in points:
            state[done] = engine.runtime.state_size(main["engine"].instance_id)
        near = [p for p in points if abs(done - p) <= window]
        for arm, kind in lanes:
            if kind == "main":
                took = main[arm].step()
                for point in near:
                    steps[arm][point].append(took)
            else:
                ref = reference[arm]
                while abs(ref.done - first) > window:  # keep it inside the first point's window
                    if ref.done > first:
                        ref.begin()
                    else:
                        ref.step()
                took = ref.step()
                for point in near:
                    paired[arm][point].append(took)
        lanes.reverse()
    records = []
    for arm, label in (("engine", ""), ("cold", ", no instance cache")):
        for point in points:
            record = timing(f"step after {point}{label}", steps[arm][point], paired[arm][point])
            record.extra["reference_median_ms"] = record.extra.pop("raw_median_ms")
            records.append(record)
    for point in points:
        records.append(
            Record(
                f"state after {point}",
                state[point],
                None,
                1,
                "B",
                ratio=state[point] / state[first] if state[first] else None,
            )
        )
    return records


# -- the run ----------------------------------------------------------------------------------------


PERSISTED: dict[str, Callable[[Sizes, Engine, Engine, RawRunner], list[Record]]] = {
    "auto": scenario_auto,
    "human": scenario_human,
    "loop": scenario_loop,
    "async": scenario_async,
    "tasklist": scenario_tasklist,
    "instances": scenario_instances,
    "http": scenario_http,
}


def machine_info() -> dict[str, Any]:
    """What the figures were measured on."""

    def version(dist: str) -> str | None:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "spiffworkflow": version("SpiffWorkflow"),
        "sqlalchemy": version("SQLAlchemy"),
        "flowbridge": version("flowbridge"),
        "sqlite": sqlite3.sqlite_version,
    }


def run(
    db_urls: list[str] | tuple[str, ...],
    quick: bool = False,
    scenarios: list[str] | tuple[str, ...] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the scenarios on each database (the temporary SQLite file by default); the `--json` object."""
    chosen = [s for s in SCENARIOS if not scenarios or s in scenarios]
    unknown = sorted(set(scenarios or ()) - set(SCENARIOS))
    if unknown:
        raise InvalidInput(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    targets = list(db_urls) or [SQLITE]
    for target in targets:
        check_database(target)
    say = progress or (lambda _message: None)
    sizes = QUICK if quick else FULL
    models = load_models()
    # SpiffWorkflow alone runs with the logging the engine sets, so the ratio compares like with like.
    quiet_spiff_debug_logging()
    raw = RawRunner(models)
    result: dict[str, Any] = {
        "machine": machine_info(),
        "quick": quick,
        "sizes": asdict(sizes),
        "databases": [],
    }
    for target in targets:
        entry: dict[str, Any] = {"database": describe_database(target), "server": None, "scenarios": {}}
        result["databases"].append(entry)
        for name in chosen:
            say(f"{entry['database']}: {name}")
            started = perf_counter()
            if name == "raw":
                records = scenario_raw(sizes, raw)
            else:
                with fresh_database(target) as url, engines(url, models) as (warm, cold):
                    entry["server"] = entry["server"] or server_version(warm)
                    records = PERSISTED[name](sizes, warm, cold, raw)
            entry["scenarios"][name] = {
                "seconds": round(perf_counter() - started, 2),
                "records": [asdict(r) for r in records],
            }
    return result
