"""What every benchmark scenario shares: sizes, figures and their statistics, models, microflows."""

from __future__ import annotations

import gc
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..microflows import REGISTRY, microflow

MODELS_DIR = Path(__file__).parent / "models"
"""The BPMN files the benchmark deploys (shipped inside the package)."""

SQLITE = "sqlite"
"""The `--db` value meaning a temporary SQLite file (the default)."""

AUTO_KEY, HUMAN_KEY, LOOP_KEY, ASYNC_KEY = "bench_auto", "bench_human", "bench_loop", "bench_async"


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
