""" "My tasks": who sees which open task, and the candidate rows that index them."""

from __future__ import annotations

from sqlalchemy import func, select

from engine import Engine
from engine.store import UnitOfWork
from engine.store.models import TaskCandidate

from ..builders import flow, model

OFFERED = (
    '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
    '<bpmn:userTask id="mine" camunda:assignee="bob"/>'
    '<bpmn:userTask id="clerks" camunda:candidateGroups="clerks,auditors"/>'
    '<bpmn:userTask id="carol" camunda:candidateUsers="carol"/>'
    '<bpmn:userTask id="anyone"/>'
    '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/>'
    + flow("s", "fork")
    + "".join(flow("fork", t) + flow(t, "join") for t in ("mine", "clerks", "carol", "anyone"))
    + flow("join", "e")
)


def candidate_rows(engine: Engine) -> int:
    with UnitOfWork(engine.db) as uow:
        return uow.session.scalar(select(func.count()).select_from(TaskCandidate)) or 0


def visible(engine: Engine, user: str, groups: list[str]) -> list[str]:
    return sorted(t["element_id"] for t in engine.tasks.list(user=user, groups=groups)["items"])


def test_my_tasks_are_assigned_offered_or_open_to_all(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": model(OFFERED)})
    engine.runtime.start("p", {})

    assert visible(engine, "bob", []) == ["anyone", "mine"]
    assert visible(engine, "dan", ["clerks"]) == ["anyone", "clerks"]
    assert visible(engine, "carol", ["auditors"]) == ["anyone", "carol", "clerks"]
    assert engine.tasks.list(user="dan", groups=["clerks"], limit=1)["total"] == 2


def test_closing_a_task_drops_its_candidate_rows(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": model(OFFERED)})
    instance = engine.runtime.start("p", {})
    assert candidate_rows(engine) == 3  # clerks, auditors, carol

    clerks = next(t for t in instance["tasks"] if t["element_id"] == "clerks")
    engine.tasks.complete(clerks["id"], {}, user="dan", groups=["clerks"])
    assert candidate_rows(engine) == 1
    assert engine.tasks.get(clerks["id"])["candidate_groups"] == ["clerks", "auditors"]

    engine.runtime.terminate(instance["id"])
    assert candidate_rows(engine) == 0
    assert visible(engine, "carol", []) == []


def test_a_claimed_task_leaves_the_other_candidates_lists(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": model(OFFERED)})
    instance = engine.runtime.start("p", {})
    clerks = next(t for t in instance["tasks"] if t["element_id"] == "clerks")

    engine.tasks.claim(clerks["id"], "dan", ["clerks"])
    assert visible(engine, "dan", ["clerks"]) == ["anyone", "clerks"]
    assert visible(engine, "carol", ["auditors"]) == ["anyone", "carol"]

    engine.tasks.unclaim(clerks["id"], "dan", ["clerks"])
    assert visible(engine, "carol", ["auditors"]) == ["anyone", "carol", "clerks"]
