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
import math
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC
from pathlib import Path
from time import perf_counter
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, create_engine, func, select, text
from sqlalchemy.engine import URL, make_url

from .engine import Engine
from .errors import InvalidInput, StepFailed
from .job_runner import JobRunner
from .jobs import ClaimedJob
from .microflows import REGISTRY, microflow
from .models import ProcessInstance
from .parsing import parse_files
from .scripting import FlowbridgeScriptEngine
from .settings import DEFAULT_INSTANCE_CACHE, Settings
from .specs import quiet_spiff_debug_logging
from .worker import Worker

SCENARIOS = ("raw", "auto", "human", "loop", "async")
"""The scenarios of DESIGN §8 built so far, in the order they run."""

MODELS_DIR = Path(__file__).parent / "bench_models"
"""The BPMN files the benchmark deploys (shipped inside the package)."""

SQLITE = "sqlite"
"""The `--db` value meaning a temporary SQLite file (the default)."""

AUTO_KEY, HUMAN_KEY, LOOP_KEY, ASYNC_KEY = "bench_auto", "bench_human", "bench_loop", "bench_async"

ASYNC_THREADS = (1, 4)
"""Threads of the embedded worker in the `async` scenario's runs."""
ASYNC_PROCESS_CONCURRENCY = 1
"""Threads of each `flowbridge worker` process in the `async` scenario (`--concurrency`)."""
ASYNC_STARTERS = 4
"""Threads that start each throughput burst's instances (one alone would measure its own start rate)."""
ASYNC_TIMEOUT_SECONDS = 120.0
"""The longest the `async` scenario waits for its instances to end before it gives up."""


@dataclass(frozen=True)
class Sizes:
    """How much each scenario measures."""

    warmup: int
    """Untimed cycles of each kind before timing starts."""
    raw_cycles: int
    """Timed cycles of each raw model in the `raw` scenario."""
    rounds: int
    """Rounds of alternating batches in `auto` and `human`."""
    batch: int
    """Cycles per batch (raw and persisted alike)."""
    cold_batch: int
    """Cycles per batch with the instance cache off (each one restores from the database)."""
    loop_points: tuple[int, ...]
    """Earlier iterations after which one `loop` step is measured."""
    loop_window: int
    """Steps timed on each side of a loop point; the figure is the median of the window."""
    loop_limit: int
    """The loop instance's `limit`: more than the last point plus its window."""
    async_round_trips: int
    """Timed round trips, one instance at a time, per embedded worker size in `async`."""
    async_burst: int
    """Instances started at once in each throughput burst of `async`."""
    async_bursts: int
    """Throughput bursts per worker configuration; the figure is their median."""
    async_processes: tuple[int, ...]
    """How many `flowbridge worker` processes `async` measures throughput with."""


QUICK = Sizes(
    warmup=10,
    raw_cycles=200,
    rounds=5,
    batch=20,
    cold_batch=10,
    loop_points=(10, 100),
    loop_window=10,
    loop_limit=200,
    async_round_trips=20,
    async_burst=40,
    async_bursts=1,
    async_processes=(2,),
)
FULL = Sizes(
    warmup=50,
    raw_cycles=2000,
    rounds=20,
    batch=50,
    cold_batch=25,
    loop_points=(10, 100, 1000),
    loop_window=10,
    loop_limit=2000,
    async_round_trips=200,
    async_burst=500,
    async_bursts=3,
    async_processes=(1, 4),
)


@dataclass
class Record:
    """One figure of a scenario: median and p95 of its samples, and its ratio to a reference."""

    figure: str
    median: float
    p95: float | None
    count: int
    unit: str
    ratio: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Cycle = Callable[[int], dict[str, float]]
"""Runs one cycle (given its index) and returns the seconds each of its parts took."""


# -- models and the bench microflow ---------------------------------------------------------------


def bench_double(x: int) -> int:
    """Double x (the benchmark's sync microflow)."""
    return x * 2


def bench_increment(x: int) -> int:
    """Add one to x (the benchmark's async microflow: the work is nothing, the round trip is all)."""
    return x + 1


def register_microflow() -> None:
    """Register the benchmark's microflows unless they already are (only the benchmark needs them)."""
    if "bench_double" not in REGISTRY:
        microflow("bench_double")(bench_double)
    if "bench_increment" not in REGISTRY:
        microflow("bench_increment", mode="async", retries=0)(bench_increment)


def load_models() -> dict[str, bytes]:
    """The benchmark's BPMN files, by file name."""
    return {path.name: path.read_bytes() for path in sorted(MODELS_DIR.glob("*.bpmn"))}


# -- statistics -----------------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    """The 95th percentile by nearest rank."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timing(figure: str, seconds: list[float], reference: list[float] | None = None, **extra: Any) -> Record:
    """A record in milliseconds; with `reference`, the ratio of the medians and the rate per second."""
    median = statistics.median(seconds)
    record = Record(figure, median * 1000, p95(seconds) * 1000, len(seconds), "ms", extra=dict(extra))
    record.extra["per_second"] = 1 / median if median > 0 else None
    if reference:
        ref = statistics.median(reference)
        record.ratio = median / ref if ref > 0 else None
        record.extra["raw_median_ms"] = ref * 1000
    return record


def interleave(
    arms: dict[str, tuple[Cycle, int]], rounds: int, warmup: int
) -> dict[str, dict[str, list[float]]]:
    """Run each arm's cycles in alternating batches (arm → (cycle, batch size)); samples by arm and part.

    The order of the arms reverses every round, so a slow patch of the machine falls on all of them.
    """
    for cycle, _batch in arms.values():
        for i in range(warmup):
            cycle(i)
    gc.collect()
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in arms}
    order = list(arms)
    index = 0
    for _round in range(rounds):
        for name in order:
            cycle, batch = arms[name]
            for _ in range(batch):
                for part, seconds in cycle(index).items():
                    samples[name].setdefault(part, []).append(seconds)
                index += 1
        order.reverse()
    return samples


# -- SpiffWorkflow alone ----------------------------------------------------------------------------


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


# -- async microflows: the job round trip -----------------------------------------------------------


class _TimedRunner(JobRunner):
    """A job runner that notes when each instance's job step has committed, and wakes who waits."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine.runtime, engine.jobs, engine.registry)
        self.finished: dict[str, float] = {}
        self.failures: list[str] = []
        self.changed = threading.Condition()

    def run(self, job: ClaimedJob) -> str:
        outcome = super().run(job)
        now = perf_counter()
        with self.changed:
            if outcome != "done":
                self.failures.append(f"job {job.id} of instance {job.instance_id}: {outcome}")
            if job.instance_id is not None:
                self.finished[job.instance_id] = now
            self.changed.notify_all()
        return outcome

    def wait_for(self, instance_ids: list[str]) -> None:
        """Wait until every instance's job has run (its step committed)."""

        def ready() -> bool:
            return bool(self.failures) or all(i in self.finished for i in instance_ids)

        with self.changed:
            if not self.changed.wait_for(ready, ASYNC_TIMEOUT_SECONDS):
                missing = sum(1 for i in instance_ids if i not in self.finished)
                raise StepFailed(f"{missing} async instances did not end in {ASYNC_TIMEOUT_SECONDS:g} s")
            if self.failures:
                raise StepFailed(f"an async job did not finish: {self.failures[0]}")


def _start_async(engine: Engine, index: int) -> str:
    instance = engine.runtime.start(ASYNC_KEY, {"x": index})
    if instance["status"] not in ("waiting", "completed"):
        raise StepFailed(f"async instance is {instance['status']} after its start, not waiting")
    instance_id: str = instance["id"]
    return instance_id


def _start_burst(engine: Engine, count: int) -> dict[str, float]:
    """Start `count` instances from `ASYNC_STARTERS` threads; when each `start` returned (perf_counter)."""
    returned: dict[str, float] = {}
    errors: list[BaseException] = []

    def start_some(indexes: range) -> None:
        try:
            for index in indexes:
                instance_id = _start_async(engine, index)
                returned[instance_id] = perf_counter()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(
            target=start_some, args=(range(i, count, ASYNC_STARTERS),), name=f"bench-starter-{i}"
        )
        for i in range(ASYNC_STARTERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return returned


def _embedded_async(sizes: Sizes, engine: Engine, threads: int) -> list[Record]:
    """Round trips one at a time, then bursts, through a worker in this process with `threads` threads.

    The round trip is timed from `runtime.start` returning to the moment the worker's step that
    applies the result (and ends the instance) has committed; the worker's runner notes that
    moment and wakes the waiting bench thread, so nothing polls the database.
    """
    worker = Worker(engine, concurrency=threads)
    runner = _TimedRunner(engine)
    worker.runner = runner
    worker.start()
    try:
        trips: list[float] = []
        for index in range(sizes.warmup + sizes.async_round_trips):
            instance_id = _start_async(engine, index)
            returned = perf_counter()
            runner.wait_for([instance_id])
            if index >= sizes.warmup:
                trips.append(max(0.0, runner.finished[instance_id] - returned))
        gc.collect()
        rates, start_rates, latencies = [], [], []
        for _ in range(sizes.async_bursts):
            began = perf_counter()
            returned_at = _start_burst(engine, sizes.async_burst)
            start_rates.append(sizes.async_burst / (max(returned_at.values()) - began))
            runner.wait_for(list(returned_at))
            last = max(runner.finished[i] for i in returned_at)
            rates.append(sizes.async_burst / (last - began))
            latencies += [max(0.0, runner.finished[i] - t) for i, t in returned_at.items()]
    finally:
        worker.stop()
    label = f"embedded worker, {threads} thread{'s' if threads > 1 else ''}"
    return [
        timing(f"round trip, {label}", trips),
        _throughput(f"instances/s, {label}", rates, start_rates, latencies),
    ]


def _throughput(figure: str, rates: list[float], start_rates: list[float], latencies: list[float]) -> Record:
    """Instances per second (the median of the bursts), with the rate the starting threads reached
    (when the two are close, the workers kept up and the starts were the limit) and the bursts'
    start-to-end latencies."""
    return Record(
        figure,
        statistics.median(rates),
        None,
        len(rates),
        "/s",
        extra={
            "latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
            "latency_p95_ms": round(p95(latencies) * 1000, 1),
            "starters": ASYNC_STARTERS,
            "started_per_second": round(statistics.median(start_rates), 1),
        },
    )


_MICROFLOW_FILE = "from engine.bench import register_microflow\n\nregister_microflow()\n"
"""The models-folder file through which `flowbridge worker` processes load the bench microflows."""


class _WorkerProcesses:
    """`flowbridge worker` processes on the benchmark's database, started and stopped together."""

    def __init__(self, url: str, count: int, directory: Path) -> None:
        (directory / "bench_flows.py").write_text(_MICROFLOW_FILE)
        env = {**os.environ, "FLOWBRIDGE_DATABASE_URL": url, "FLOWBRIDGE_MODELS": str(directory)}
        env.pop("FLOWBRIDGE_MICROFLOWS", None)
        command = [
            sys.executable,
            "-c",
            "from engine.cli import main; main()",
            "worker",
            f"--concurrency={ASYNC_PROCESS_CONCURRENCY}",
        ]
        self.logs = [directory / f"worker-{i}.log" for i in range(count)]
        self.processes = []
        for log_path in self.logs:
            with open(log_path, "wb") as log:
                self.processes.append(
                    subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
                )

    def check(self) -> None:
        """Refuse to go on when a worker process has exited."""
        for process, log_path in zip(self.processes, self.logs, strict=True):
            if process.poll() is not None:
                tail = " ".join(log_path.read_text(errors="replace").split()[-40:])
                raise StepFailed(f"a worker process exited with code {process.returncode}: {tail}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


_TIMES = select(ProcessInstance.id, ProcessInstance.started_at, ProcessInstance.ended_at).where(
    ProcessInstance.id.in_(bindparam("ids", expanding=True))
)
_STATUSES = (
    select(ProcessInstance.status, func.count())
    .where(ProcessInstance.key == ASYNC_KEY)
    .group_by(ProcessInstance.status)
)


def _wait_ended(engine: Engine, workers: _WorkerProcesses, instance_ids: list[str]) -> dict[str, Any]:
    """Wait until every async instance completed, looking every 20 ms; these instances' start and end.

    One cheap count per look (every instance of the scenario's model must be completed, as
    this waits for each burst before the next starts), then the times once at the end: the
    times are the ones the steps saved (`started_at`, `ended_at`), not when this loop saw
    them, so how often it looks does not change the figures.
    """
    deadline = perf_counter() + ASYNC_TIMEOUT_SECONDS
    with engine.db.engine.connect() as conn:
        while True:
            statuses = {status: count for status, count in conn.execute(_STATUSES)}
            conn.rollback()
            if statuses.get("incident") or statuses.get("failed"):
                raise StepFailed("an async instance raised an incident instead of completing")
            unfinished = sum(n for status, n in statuses.items() if status != "completed")
            if not unfinished:
                break
            workers.check()
            if perf_counter() > deadline:
                raise StepFailed(f"{unfinished} async instances did not end in {ASYNC_TIMEOUT_SECONDS:g} s")
            time.sleep(0.02)
        ended: dict[str, Any] = {}
        for chunk in range(0, len(instance_ids), 500):
            rows = conn.execute(_TIMES, {"ids": instance_ids[chunk : chunk + 500]}).all()
            ended.update({row.id: (row.started_at, row.ended_at) for row in rows})
        conn.rollback()
    if len(ended) != len(instance_ids):
        raise StepFailed(f"{len(instance_ids) - len(ended)} async instances are missing")
    return ended


def _aware_seconds(value: Any) -> float:
    """A stored timestamp as seconds since the epoch (SQLite gives it back without its zone)."""
    return float((value if value.tzinfo is not None else value.replace(tzinfo=UTC)).timestamp())


def _process_async(sizes: Sizes, engine: Engine, count: int) -> Record:
    """Bursts of instances started here and run by `count` `flowbridge worker` processes: instances/s
    from the first start to the last end, and each instance's start-to-end latency."""
    url = engine.settings.database_url
    directory = Path(tempfile.mkdtemp(prefix="flowbridge-bench-workers-"))
    workers = _WorkerProcesses(url, count, directory)
    try:
        # Warm-up: the processes have started, connected and run a few jobs each.
        _wait_ended(engine, workers, [_start_async(engine, i) for i in range(max(sizes.warmup, 4 * count))])
        rates, start_rates, latencies = [], [], []
        for _ in range(sizes.async_bursts):
            began, began_perf = time.time(), perf_counter()
            returned_at = _start_burst(engine, sizes.async_burst)
            start_rates.append(sizes.async_burst / (max(returned_at.values()) - began_perf))
            ids = list(returned_at)
            ended = _wait_ended(engine, workers, ids)
            spans = [(_aware_seconds(s), _aware_seconds(e)) for s, e in ended.values()]
            rates.append(sizes.async_burst / (max(e for _s, e in spans) - began))
            latencies += [max(0.0, e - s) for s, e in spans]
    finally:
        workers.stop()
        shutil.rmtree(directory, ignore_errors=True)
    plural = "es" if count > 1 else ""
    record = _throughput(f"instances/s, {count} worker process{plural}", rates, start_rates, latencies)
    record.extra["threads_each"] = ASYNC_PROCESS_CONCURRENCY
    return record


def scenario_async(sizes: Sizes, engine: Engine, cold: Engine, raw: RawRunner) -> list[Record]:
    """An async microflow's round trip (job saved → worker runs it → result applied), and instances/s.

    First a worker in this process (1 and 4 threads): round trips one instance at a time, then
    bursts; then `flowbridge worker` processes on the same database, bursts only.
    """
    records = []
    for threads in ASYNC_THREADS:
        records += _embedded_async(sizes, engine, threads)
    for count in sizes.async_processes:
        records.append(_process_async(sizes, engine, count))
    completed = engine.runtime.list(key=ASYNC_KEY, status="completed", limit=1)["total"]
    started = engine.runtime.list(key=ASYNC_KEY, limit=1)["total"]
    if completed != started:
        raise StepFailed(f"{started - completed} of {started} async instances did not complete")
    return records


PERSISTED: dict[str, Callable[[Sizes, Engine, Engine, RawRunner], list[Record]]] = {
    "auto": scenario_auto,
    "human": scenario_human,
    "loop": scenario_loop,
    "async": scenario_async,
}


# -- databases --------------------------------------------------------------------------------------


def describe_database(target: str) -> str:
    """The database as shown in output: its URL with the password masked."""
    if target == SQLITE:
        return "sqlite (temporary file)"
    return make_url(target).render_as_string(hide_password=True)


def check_database(target: str) -> None:
    """Refuse a `--db` the benchmark cannot make fresh databases in."""
    if target == SQLITE:
        return
    try:
        url = make_url(target)
    except Exception:
        # The parser's message repeats the URL, password included: name it masked instead.
        raise InvalidInput(f"not a database URL: {describe_database_safely(target)}") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInput(f"the benchmark runs on SQLite and PostgreSQL, not {url.get_backend_name()}")


def describe_database_safely(target: str) -> str:
    """`target` with anything after a colon in its credentials hidden, even when it does not parse."""
    head, sep, tail = target.partition("@")
    if not sep or "://" not in head:
        return target
    scheme, _, creds = head.partition("://")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in creds else ''}@{tail}"


@contextmanager
def fresh_database(target: str) -> Iterator[str]:
    """A URL of an empty database for one scenario, removed afterwards.

    `sqlite` is a file in a new temporary directory; a SQLite URL naming a file gets a new
    temporary directory beside that file (the file itself is never touched); PostgreSQL gets a
    new schema, selected with `options=-csearch_path=...`, dropped at the end.
    """
    url = None if target == SQLITE else make_url(target)
    if url is None or url.get_backend_name() == "sqlite":
        path = url.database if url is not None else None
        if path == ":memory:" or (url is not None and not path):
            yield target
            return
        parent = Path(path).resolve().parent if path else None
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        directory = tempfile.mkdtemp(prefix="flowbridge-bench-", dir=parent)
        try:
            drivername = url.drivername if url is not None else "sqlite"
            yield URL.create(drivername, database=os.path.join(directory, "bench.sqlite3")).render_as_string(
                hide_password=False
            )
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    schema = f"flowbridge_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        options = url.query.get("options")
        search_path = f"-csearch_path={schema}"
        options = f"{options} {search_path}" if isinstance(options, str) else search_path
        try:
            yield url.update_query_dict({"options": options}).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def engines(url: str, models: dict[str, bytes]) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one migrated database with the models deployed: the default cache, and none."""
    register_microflow()
    warm = Engine(
        Settings(database_url=url, models_path=MODELS_DIR, instance_cache_size=DEFAULT_INSTANCE_CACHE),
        load_microflows=False,
    )
    cold = None
    try:
        warm.upgrade()
        warm.repository.deploy(models)
        cold = Engine(
            Settings(database_url=url, models_path=MODELS_DIR, instance_cache_size=0), load_microflows=False
        )
        yield warm, cold
    finally:
        if cold is not None:
            cold.close()
        warm.close()


def server_version(engine: Engine) -> str:
    """The database server's version, as its dialect reports it."""
    if engine.db.is_sqlite:
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.db.engine.connect() as conn:
        return str(conn.execute(text("SHOW server_version")).scalar())


# -- the run ----------------------------------------------------------------------------------------


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
