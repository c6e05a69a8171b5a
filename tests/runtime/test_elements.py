"""The diagram's marks (engine.runtime.elements, with paths.py): the taken path is SpiffWorkflow's
task tree, recorded as each element finishes, so a flow is marked taken only when the token went
along it; where a terminated instance stopped; and one element's story for the diagram's click."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.errors import InvalidInput, NotFound
from engine.runtime import diagram_marks

from ..builders import flow, model
from ..conftest import complete, deploy

# An optional step: g takes "a" when n is 0, else the flow straight to the merge j; u waits.
OPTIONAL = (
    '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="g_j"/>'
    '<bpmn:scriptTask id="a" scriptFormat="python"><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>'
    '<bpmn:exclusiveGateway id="j"/><bpmn:userTask id="u" name="Check"/><bpmn:endEvent id="e"/>'
    + flow("s", "g")
    + flow("g", "a", "n == 0")
    + '<bpmn:sequenceFlow id="g_j" sourceRef="g" targetRef="j"/>'
    + flow("a", "j")
    + flow("j", "u")
    + flow("u", "e")
)


def _marks(engine: Engine, instance_id: str) -> dict[str, Any]:
    return diagram_marks(engine.runtime.get(instance_id), engine.history.events(instance_id))


def test_only_the_flows_the_token_took_are_marked(engine: Engine) -> None:
    engine.repository.deploy({"opt.bpmn": model(OPTIONAL, key="opt")})
    started = engine.runtime.start("opt", variables={"n": 0})
    marks = _marks(engine, started["id"])
    # g -> j joins two passed elements but was not taken: a -> j was.
    assert sorted(map(tuple, marks["flows"])) == [("a", "j"), ("g", "a"), ("s", "g")]
    assert marks["passed"] == ["s", "g", "a", "j"] and marks["waiting"] == ["u"]
    complete(engine, started, "u")
    assert ["u", "e"] in _marks(engine, started["id"])["flows"]


def test_the_other_way_round_marks_the_direct_flow(engine: Engine) -> None:
    engine.repository.deploy({"opt.bpmn": model(OPTIONAL, key="opt")})
    started = engine.runtime.start("opt", variables={"n": 5})
    marks = _marks(engine, started["id"])
    assert sorted(map(tuple, marks["flows"])) == [("g", "j"), ("s", "g")]
    assert "a" not in marks["passed"]


def test_every_branch_into_a_parallel_join_is_taken(engine: Engine) -> None:
    deploy(engine, "parallel.bpmn")
    started = engine.runtime.start("parallel")
    complete(engine, engine.runtime.get(started["id"]), "a")
    complete(engine, engine.runtime.get(started["id"]), "b")
    flows = {tuple(pair) for pair in _marks(engine, started["id"])["flows"]}
    # the branches that reached the join first are absorbed (cancelled join tasks): still taken
    assert {("a", "join"), ("b", "join"), ("c", "join"), ("join", "mark_joined")} <= flows


def test_a_terminated_instance_says_where_it_stopped_and_why(engine: Engine) -> None:
    engine.repository.deploy({"opt.bpmn": model(OPTIONAL, key="opt")})
    started = engine.runtime.start("opt", variables={"n": 0})
    engine.runtime.terminate(started["id"], user="ada", reason="Customer withdrew")
    marks = _marks(engine, started["id"])
    assert marks["stopped"] == ["u"] and marks["reason"] == "Customer withdrew"
    assert marks["waiting"] == []
    terminated = [e for e in engine.history.events(started["id"]) if e["kind"] == "instance_terminated"]
    assert terminated[0]["data"]["stopped_at"] == ["u"]


def test_a_running_instance_has_no_stop(engine: Engine) -> None:
    engine.repository.deploy({"opt.bpmn": model(OPTIONAL, key="opt")})
    started = engine.runtime.start("opt", variables={"n": 0})
    marks = _marks(engine, started["id"])
    assert marks["stopped"] == [] and marks["reason"] is None and marks["incidents"] == {}


def test_an_element_tells_its_history_and_what_it_waits_for(engine: Engine) -> None:
    engine.repository.deploy({"opt.bpmn": model(OPTIONAL, key="opt")})
    started = engine.runtime.start("opt", variables={"n": 0})
    waiting = engine.elements.element(started["id"], "u")
    assert waiting["name"] == "Check" and waiting["type"] == "userTask"
    assert [t["element_id"] for t in waiting["tasks"]] == ["u"]
    assert [w["kind"] for w in waiting["waiting"]] == ["user_task"] and waiting["history"] == []
    passed = engine.elements.element(started["id"], "a")
    assert [e["kind"] for e in passed["history"]] == ["activity_completed"]
    assert passed["waiting"] == [] and passed["tasks"] == []
    flow_view = engine.elements.element(started["id"], "g_j")
    assert flow_view["type"] == "sequenceFlow" and flow_view["history"] == []


def test_an_unknown_element_or_instance_is_not_found(engine: Engine) -> None:
    engine.repository.deploy({"opt.bpmn": model(OPTIONAL, key="opt")})
    started = engine.runtime.start("opt", variables={"n": 0})
    with pytest.raises(NotFound, match="process 'opt' has no element 'nope'"):
        engine.elements.element(started["id"], "nope")
    with pytest.raises(NotFound):
        engine.elements.element("00000000-0000-0000-0000-000000000000", "u")
    with pytest.raises(InvalidInput):
        engine.elements.element(started["id"], "x" * 300)


def test_the_catch_event_an_event_based_gateway_did_not_choose_is_not_taken(engine: Engine) -> None:
    from ..messages.test_messages import catch
    from ..messages.test_messages import deploy as deploy_with_message

    body = (
        '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>'
        + catch("paid")
        + '<bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        '<bpmn:userTask id="ship"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + flow("s", "g")
        + flow("g", "paid")
        + flow("g", "late")
        + flow("paid", "ship")
        + flow("late", "e2")
        + flow("ship", "e1")
    )
    deploy_with_message(engine, body)
    started = engine.runtime.start("p", {"orderId": 1})
    engine.messages.correlate("order_paid", {"orderId": 1})
    flows = {tuple(pair) for pair in _marks(engine, started["id"])["flows"]}
    assert flows == {("s", "g"), ("g", "paid")}  # the timer's branch was offered, not taken
    assert "late" not in _marks(engine, started["id"])["passed"]
