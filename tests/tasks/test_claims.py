"""Claiming and unclaiming user tasks: who may, who sees the task afterwards, and that a claim lasts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine import Engine, InvalidInput, NotAllowed, NotFound, TaskAlreadyCompleted
from engine.cli import main
from engine.errors import InstanceSuspended, TaskClaimed, TaskNotClaimed

from ..builders import flow, model

# `review` is offered to bob and the clerks; `check` is assigned to alice by the model; both at once.
PARALLEL = (
    '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="split"/>'
    '<bpmn:userTask id="review" camunda:candidateUsers="bob" camunda:candidateGroups="clerks"/>'
    '<bpmn:userTask id="check" camunda:assignee="alice"/>'
    '<bpmn:parallelGateway id="join"/><bpmn:userTask id="open_to_all"/><bpmn:endEvent id="e"/>'
    + flow("s", "split")
    + flow("split", "review")
    + flow("split", "check")
    + flow("review", "join")
    + flow("check", "join")
    + flow("join", "open_to_all")
    + flow("open_to_all", "e")
)


@pytest.fixture
def started(engine: Engine) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": model(PARALLEL)})
    instance = engine.runtime.start("p", {})
    instance["by_element"] = {t["element_id"]: t["id"] for t in instance["tasks"]}
    return instance


def listed(engine: Engine, user: str, *groups: str) -> list[str]:
    return [t["element_id"] for t in engine.tasks.list(user=user, groups=list(groups))["items"]]


def history(engine: Engine, instance_id: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in engine.history.events(instance_id) if e["kind"] == kind]


def test_a_candidate_claims_a_task_and_it_leaves_the_other_candidates_lists(
    engine: Engine, started: dict[str, Any]
) -> None:
    review = started["by_element"]["review"]
    assert "review" in listed(engine, "bob") and "review" in listed(engine, "carol", "clerks")

    claimed = engine.tasks.claim(review, "carol", ["clerks"])

    assert (claimed["id"], claimed["assignee"], claimed["status"]) == (review, "carol", "open")
    assert listed(engine, "carol") == ["review"]  # "my tasks": assigned to carol
    assert "review" not in listed(engine, "bob")
    assert "review" not in listed(engine, "dave", "clerks")
    [event] = history(engine, started["id"], "task_claimed")
    assert (event["user"], event["task_id"], event["element_id"]) == ("carol", review, "review")

    assert engine.tasks.claim(review, "carol", ["clerks"])["assignee"] == "carol"  # again: no change
    assert len(history(engine, started["id"], "task_claimed")) == 1


def test_who_may_claim(engine: Engine, started: dict[str, Any]) -> None:
    review, check = started["by_element"]["review"], started["by_element"]["check"]
    with pytest.raises(NotAllowed):
        engine.tasks.claim(review, "eve", ["sales"])  # not offered to eve or her groups
    engine.tasks.claim(review, "bob")
    with pytest.raises(TaskClaimed):
        engine.tasks.claim(review, "carol", ["clerks"])  # bob holds it
    with pytest.raises(NotAllowed):
        engine.tasks.claim(review, "eve", ["sales"])  # still not hers to know about
    with pytest.raises(TaskClaimed):
        engine.tasks.claim(check, "bob")  # the model assigned it to alice
    assert engine.tasks.claim(check, "alice")["assignee"] == "alice"
    assert history(engine, started["id"], "task_claimed")[-1]["user"] == "bob"  # alice's changed nothing
    with pytest.raises(NotFound):
        engine.tasks.claim("no-such-task", "bob")
    with pytest.raises(InvalidInput):
        engine.tasks.claim(review, "")


def test_completing_a_task_another_user_claimed_is_not_allowed(
    engine: Engine, started: dict[str, Any]
) -> None:
    review = started["by_element"]["review"]
    engine.tasks.claim(review, "carol", ["clerks"])
    with pytest.raises(NotAllowed):
        engine.tasks.complete(review, {}, user="bob")
    engine.tasks.complete(review, {}, user="bob", admin=True)
    assert engine.tasks.get(review)["status"] == "completed"
    with pytest.raises(TaskAlreadyCompleted):
        engine.tasks.claim(review, "carol", ["clerks"])
    with pytest.raises(TaskAlreadyCompleted):
        engine.tasks.unclaim(review, "carol")


def test_a_claim_survives_later_steps_of_the_instance(engine: Engine, started: dict[str, Any]) -> None:
    review, check = started["by_element"]["review"], started["by_element"]["check"]
    engine.tasks.claim(review, "carol", ["clerks"])

    moved = engine.tasks.complete(check, {"checked": True}, user="alice")  # the parallel branch moves on

    [still_open] = moved["tasks"]
    assert (still_open["id"], still_open["assignee"]) == (review, "carol")
    assert [(t["id"], t["assignee"]) for t in engine.runtime.get(started["id"])["tasks"]] == [
        (review, "carol")
    ]
    assert listed(engine, "carol") == ["review"] and listed(engine, "bob") == []
    finished = engine.tasks.complete(review, {}, user="carol")
    assert engine.tasks.get(review)["completed_by"] == "carol"
    assert [t["element_id"] for t in finished["tasks"]] == ["open_to_all"]


def test_unclaim_by_the_claimant_or_an_admin(engine: Engine, started: dict[str, Any]) -> None:
    review, check = started["by_element"]["review"], started["by_element"]["check"]
    engine.tasks.claim(review, "carol", ["clerks"])
    with pytest.raises(NotAllowed):
        engine.tasks.unclaim(review, "bob")

    released = engine.tasks.unclaim(review, "root", admin=True)

    assert released["assignee"] is None
    assert "review" in listed(engine, "bob") and "review" in listed(engine, "dave", "clerks")
    [event] = history(engine, started["id"], "task_unclaimed")
    assert (event["user"], event["data"]) == ("root", {"previous_assignee": "carol"})

    engine.tasks.claim(review, "bob")
    assert engine.tasks.unclaim(review, "bob")["assignee"] is None
    assert engine.tasks.unclaim(review, "bob")["assignee"] is None  # nothing to undo: unchanged
    assert len(history(engine, started["id"], "task_unclaimed")) == 2
    with pytest.raises(TaskNotClaimed):
        engine.tasks.unclaim(check, "alice")  # the model's assignment is no claim
    assert engine.tasks.get(check)["assignee"] == "alice"


def test_a_task_open_to_everyone_can_be_claimed_by_anyone(engine: Engine, started: dict[str, Any]) -> None:
    engine.tasks.complete(started["by_element"]["review"], {})
    moved = engine.tasks.complete(started["by_element"]["check"], {})
    [task] = moved["tasks"]
    assert listed(engine, "zoe") == ["open_to_all"]
    engine.tasks.claim(task["id"], "zoe")
    assert listed(engine, "zoe") == ["open_to_all"] and listed(engine, "yann") == []


def test_a_suspended_instance_s_tasks_cannot_be_claimed(engine: Engine, started: dict[str, Any]) -> None:
    engine.runtime.suspend(started["id"])
    with pytest.raises(InstanceSuspended):
        engine.tasks.claim(started["by_element"]["review"], "bob")


def test_concurrent_claims_one_wins(engine: Engine, started: dict[str, Any]) -> None:
    review = started["by_element"]["review"]
    outcomes: dict[str, Any] = {}
    barrier = threading.Barrier(2)

    def claim(user: str, groups: list[str]) -> None:
        barrier.wait()
        try:
            outcomes[user] = engine.tasks.claim(review, user, groups)["assignee"]
        except Exception as exc:
            outcomes[user] = exc

    threads = [threading.Thread(target=claim, args=a) for a in (("bob", []), ("carol", ["clerks"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winner = engine.tasks.get(review)["assignee"]
    loser = "carol" if winner == "bob" else "bob"
    assert outcomes[winner] == winner
    assert isinstance(outcomes[loser], TaskClaimed), outcomes
    assert len(history(engine, started["id"], "task_claimed")) == 1


# -- the command line --------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    (tmp_path / "p.bpmn").write_bytes(model(PARALLEL))

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--db", url, "--models", str(tmp_path), *args])

    assert run("deploy", str(tmp_path / "p.bpmn")).exit_code == 0
    yield run


def test_cli_claim_and_unclaim(cli: Any) -> None:
    started = json.loads(cli("start", "p", "--json").stdout)
    [review] = [t["id"] for t in started["tasks"] if t["element_id"] == "review"]
    claimed = cli("claim", review, "--user", "carol", "--group", "clerks")
    assert claimed.exit_code == 0 and claimed.stdout.strip() == f"task {review} is claimed by carol"
    other = cli("claim", review, "--user", "bob")
    assert other.exit_code == 1 and "claimed by another user" in other.stderr
    refused = cli("unclaim", review, "--user", "bob")
    assert refused.exit_code == 1 and "only they or an admin" in refused.stderr
    released = cli("unclaim", review, "--user", "root", "--admin")
    assert released.exit_code == 0
    assert released.stdout.strip() == f"task {review} is unclaimed, offered to users:bob groups:clerks"
    assert json.loads(cli("claim", review, "--user", "bob", "--json").stdout)["assignee"] == "bob"


def test_an_administrator_claims_a_task_another_user_holds(engine: Engine, started: dict[str, Any]) -> None:
    check = started["by_element"]["check"]  # assigned to alice by the model
    with pytest.raises(TaskClaimed):
        engine.tasks.claim(check, "bob", ["clerks"])
    taken = engine.tasks.claim(check, "root", admin=True)
    assert taken["assignee"] == "root"
    [event] = history(engine, started["id"], "task_claimed")
    assert event["data"] == {"assignee": "root", "previous_assignee": "alice"}


def test_assigning_a_task_is_for_administrators_and_lasts(engine: Engine, started: dict[str, Any]) -> None:
    review = started["by_element"]["review"]
    with pytest.raises(NotAllowed):
        engine.tasks.assign(review, "carol", "bob")
    given = engine.tasks.assign(review, "carol", "root", admin=True)
    assert given["assignee"] == "carol"
    assert "review" in listed(engine, "carol") and "review" not in listed(engine, "bob", "clerks")
    done = engine.tasks.complete(review, {}, user="carol")
    assert "review" not in [t["element_id"] for t in done["tasks"]]


def test_the_cli_assigns_and_completes_as_an_administrator(engine: Engine, started: dict[str, Any]) -> None:
    runner = CliRunner()
    url = str(engine.db.url)
    review = started["by_element"]["review"]
    result = runner.invoke(main, ["--db", url, "assign", review, "--to", "carol", "--user", "root"])
    assert result.exit_code == 0, result.output
    assert f"task {review} is assigned to carol" in result.output
    refused = runner.invoke(main, ["--db", url, "complete", review, "--user", "bob"])
    assert refused.exit_code == 1
    done = runner.invoke(main, ["--db", url, "complete", review, "--user", "root", "--admin"])
    assert done.exit_code == 0, done.output
    [event] = history(engine, started["id"], "user_task_completed")
    assert (event["user"], event["data"]["assignee"]) == ("root", "carol")
