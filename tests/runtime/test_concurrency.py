"""Two completions of the same task at once: exactly one wins, the other gets a clear conflict."""

from __future__ import annotations

import threading

from engine import Conflict, Engine, NotAllowed

from ..conftest import deploy, make_engine


def test_concurrent_completions_of_one_task(database_url: str) -> None:
    engines = [make_engine(database_url, cache_size=10) for _ in range(2)]  # two "processes"
    try:
        deploy(engines[0], "script.bpmn")
        for _ in range(5):
            inst = engines[0].runtime.start("script", {"a": 1, "b": 2})
            task_id = inst["tasks"][0]["id"]
            barrier = threading.Barrier(2)
            outcomes: list[object] = []

            def complete(eng: Engine, who: str, barrier=barrier, task_id=task_id, outcomes=outcomes) -> None:
                barrier.wait()
                try:
                    outcomes.append(eng.tasks.complete(task_id, {"by": who})["status"])
                except Conflict as exc:
                    outcomes.append(exc)

            threads = [threading.Thread(target=complete, args=(e, f"t{i}")) for i, e in enumerate(engines)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert len(outcomes) == 2, outcomes
            assert [o for o in outcomes if isinstance(o, str)] == ["completed"], outcomes
            conflict = next(o for o in outcomes if isinstance(o, Conflict))
            assert "already" in conflict.message or "concurrently" in conflict.message
            final = engines[1].runtime.get(inst["id"])
            assert final["status"] == "completed"
            completions = [
                e for e in engines[1].history.events(inst["id"]) if e["kind"] == "user_task_completed"
            ]
            assert len(completions) == 1
    finally:
        for e in engines:
            e.close()


def test_a_user_completes_only_tasks_offered_to_them(engine: Engine) -> None:
    deploy(engine, "assignment.bpmn")
    inst = engine.runtime.start("assignment")
    (task,) = inst["tasks"]
    assert task["assignee"] == "alice"
    assert task["candidate_users"] == ["bob", "carol"]
    assert task["candidate_groups"] == ["managers", "clerks"]
    try:
        engine.tasks.complete(task["id"], {}, user="bob")
        raise AssertionError("bob may not complete alice's task")
    except NotAllowed as exc:
        assert "assigned to another user" in exc.message
    assert [t["id"] for t in engine.tasks.list(user="alice")["items"]] == [task["id"]]
    assert engine.tasks.list(user="bob")["items"] == []
    inst = engine.tasks.complete(task["id"], {}, user="alice")
    (zeebe,) = inst["tasks"]
    assert (zeebe["assignee"], zeebe["candidate_groups"]) == ("dave", ["ops"])
    assert engine.tasks.get(task["id"])["completed_by"] == "alice"
