"""BPMN constructs through persistence: the engine fixture restores the workflow before every step."""

from __future__ import annotations

from engine import Engine

from ..conftest import complete, deploy


def open_ids(instance: dict) -> list[str]:
    return sorted(t["element_id"] for t in instance["tasks"])


def test_exclusive_gateway_takes_the_matching_flow(engine: Engine) -> None:
    deploy(engine, "exclusive.bpmn")
    big = engine.runtime.start("exclusive", {"amount": 5000})
    small = engine.runtime.start("exclusive", {"amount": 10})
    assert open_ids(big) == ["big"]
    assert open_ids(small) == ["small"]
    assert complete(engine, big, "big")["status"] == "completed"
    assert complete(engine, small, "small")["status"] == "completed"


def test_parallel_gateway_waits_for_every_branch_and_merges_data(engine: Engine) -> None:
    deploy(engine, "parallel.bpmn")
    inst = engine.runtime.start("parallel")
    assert open_ids(inst) == ["a", "b"]
    inst = complete(engine, inst, "a", from_a=1)
    assert inst["status"] == "waiting"
    assert open_ids(inst) == ["b"]
    inst = complete(engine, inst, "b", from_b=2)
    assert inst["status"] == "completed"
    assert inst["variables"]["from_a"] == 1
    assert inst["variables"]["from_b"] == 2
    assert inst["variables"]["c_done"] is True
    assert inst["variables"]["joined"] is True


def test_inclusive_gateway_runs_every_true_branch(engine: Engine) -> None:
    deploy(engine, "inclusive.bpmn")
    both = engine.runtime.start("inclusive", {"x": 1, "y": 1})
    assert open_ids(both) == ["pos", "ypos"]
    both = complete(engine, both, "ypos", y_seen=True)
    assert both["status"] == "waiting"
    both = complete(engine, both, "pos", x_seen=True)
    assert both["status"] == "completed"
    assert both["variables"]["x_seen"] and both["variables"]["y_seen"]
    one = engine.runtime.start("inclusive", {"x": 1, "y": 0})
    assert open_ids(one) == ["pos"]
    assert complete(engine, one, "pos")["status"] == "completed"
    none = engine.runtime.start("inclusive", {"x": 0, "y": 0})
    assert none["status"] == "completed"
    assert none["variables"]["none_taken"] is True


def test_script_tasks_compute_variables(engine: Engine) -> None:
    deploy(engine, "script.bpmn")
    inst = engine.runtime.start("script", {"a": 2, "b": 3})
    assert inst["variables"]["total"] == 5
    assert inst["variables"]["doubled"] == 10
    assert complete(engine, inst, "check")["status"] == "completed"


def test_embedded_subprocess(engine: Engine) -> None:
    deploy(engine, "subprocess.bpmn")
    inst = engine.runtime.start("subprocess")
    assert open_ids(inst) == ["inner"]
    inst = complete(engine, inst, "inner", inner_value=7)
    assert open_ids(inst) == ["after"]
    assert inst["variables"]["inner_done"] is True
    inst = complete(engine, inst, "after")
    assert inst["status"] == "completed"
    assert inst["variables"]["inner_value"] == 7


def test_call_activity_runs_a_process_from_another_file(engine: Engine) -> None:
    deployed = deploy(engine, "call_parent.bpmn", "call_child.bpmn")
    assert {d.key for d in deployed} == {"call_parent", "call_child"}
    inst = engine.runtime.start("call_parent")
    assert open_ids(inst) == ["child_task"]
    inst = complete(engine, inst, "child_task", answer="yes")
    assert open_ids(inst) == ["parent_after"]
    assert inst["variables"]["child_value"] == 42
    inst = complete(engine, inst, "parent_after")
    assert inst["status"] == "completed"
    assert inst["variables"]["answer"] == "yes"


def test_sequential_multi_instance(engine: Engine) -> None:
    deploy(engine, "mi_sequential.bpmn")
    inst = engine.runtime.start("mi_sequential", {"reviewers": ["ann", "ben", "cal"]})
    seen = []
    for _ in range(3):
        assert len(inst["tasks"]) == 1
        task = inst["tasks"][0]
        seen.append(task["variables"]["reviewer"])
        inst = engine.tasks.complete(task["id"], {"decision": f"ok-{task['variables']['reviewer']}"})
    assert seen == ["ann", "ben", "cal"]
    assert inst["status"] == "completed"
    assert inst["variables"]["decisions"] == ["ok-ann", "ok-ben", "ok-cal"]


def test_parallel_multi_instance(engine: Engine) -> None:
    deploy(engine, "mi_parallel.bpmn")
    inst = engine.runtime.start("mi_parallel", {"reviewers": ["ann", "ben", "cal"]})
    assert len(inst["tasks"]) == 3
    by_reviewer = {t["variables"]["reviewer"]: t["id"] for t in inst["tasks"]}
    for reviewer in ["cal", "ann", "ben"]:
        inst = engine.tasks.complete(by_reviewer[reviewer], {"decision": reviewer.upper()})
    assert inst["status"] == "completed"
    # SpiffWorkflow collects parallel outputs in the order the instances completed.
    assert inst["variables"]["decisions"] == ["CAL", "ANN", "BEN"]


def test_business_rule_task_with_dmn(engine: Engine) -> None:
    deploy(engine, "dmn_rule.bpmn", "discount.dmn")
    for amount, discount in [(50, 0), (500, 5), (5000, 10)]:
        inst = engine.runtime.start("dmn_rule", {"amount": amount})
        assert inst["variables"]["discount"] == discount, amount
        assert complete(engine, inst, "confirm")["status"] == "completed"


def test_history_records_each_element_and_the_user_completion(engine: Engine) -> None:
    deploy(engine, "script.bpmn")
    inst = engine.runtime.start("script", {"a": 1, "b": 1})
    inst = complete(engine, inst, "check", note="fine")
    kinds = [(e["kind"], e["element_id"]) for e in engine.history.events(inst["id"])]
    assert kinds[0] == ("instance_started", "script")
    assert ("user_task_completed", "check") in kinds
    assert ("activity_completed", "check") in kinds
    assert kinds[-1][0] == "instance_completed"
    completed = [e for e in engine.history.events(inst["id"]) if e["kind"] == "user_task_completed"]
    assert completed[0]["data"] == {"variables": {"note": "fine"}}
