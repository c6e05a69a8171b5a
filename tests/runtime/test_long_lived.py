"""Long-lived instances: a gateway back-edge loop runs 1,000 iterations; its live state stays small."""

from __future__ import annotations

from engine import Engine

from ..conftest import deploy


def run_loop(engine: Engine, iterations: int, sizes_at: set[int]) -> tuple[dict, dict[int, int]]:
    deploy(engine, "loop.bpmn")
    inst = engine.runtime.start("loop", {"limit": iterations})
    sizes = {}
    for i in range(iterations):
        (task,) = inst["tasks"]
        inst = engine.tasks.complete(task["id"], {"round": i})
        if i + 1 in sizes_at:
            sizes[i + 1] = engine.runtime.state_size(inst["id"])
    return inst, sizes


def test_a_loop_runs_1000_iterations_to_its_end_with_bounded_state(cached_engine: Engine) -> None:
    inst, sizes = run_loop(cached_engine, 1000, {10, 999})
    assert inst["status"] == "completed"
    assert inst["variables"]["count"] == 1000
    assert sizes[999] <= 2 * sizes[10], sizes
    events = cached_engine.history.events(inst["id"])
    assert sum(1 for e in events if e["kind"] == "user_task_completed") == 1000


def test_the_loop_survives_restoring_between_every_step(engine: Engine) -> None:
    inst, sizes = run_loop(engine, 300, {10, 299})
    assert inst["status"] == "completed"
    assert inst["variables"]["count"] == 300
    assert sizes[299] <= 2 * sizes[10], sizes
