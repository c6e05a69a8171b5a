"""Decisions from Camunda 7 and 8 models evaluated with FEEL (engine.decisions); SpiffArena's stay Python.

Cases marked "Camunda 7" are ported from the Camunda 7 DMN engine's tests
(camunda/camunda-bpm-platform, engine-dmn/engine/src/test/..., Apache License 2.0); their DMN
files are copied unchanged into tests/models/dmn/ except where a docstring says otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine import Engine, InvalidModel
from engine.decisions import FEEL, PYTHON, DecisionFailed, compile_file, dialect_of, evaluate
from engine.decisions.evaluation import mapped_result, output_value
from engine.errors import StepFailed
from engine.expressions import FUNCTIONS
from engine.expressions.sandbox import SandboxedEnvironment

DMN = Path(__file__).parent.parent / "models" / "dmn"
HIT_POLICY = "HitPolicyTest.{}.dmn"


def decide(name: str, decision_id: str = "decision", **variables: Any) -> list[dict[str, Any]]:
    """The result list of a decision of tests/models/dmn/`name`, over `variables`."""
    root = etree.fromstring((DMN / name).read_bytes())
    graphs = compile_file(root, name)
    environment = SandboxedEnvironment(dict(FUNCTIONS))
    return evaluate(
        graphs, decision_id, lambda source, extra: environment.evaluate(source, dict(variables), extra)
    )


def hit(name: str, inputs: tuple[bool, bool, bool], outputs: tuple[Any, Any, Any]) -> list[dict[str, Any]]:
    """Camunda 7 HitPolicyTest's `evaluateDecisionTable(input1, input2, input3, output1, ...)`."""
    names = {f"input{i + 1}": v for i, v in enumerate(inputs)} | {
        f"output{i + 1}": v for i, v in enumerate(outputs)
    }
    return decide(HIT_POLICY.format(name), **names)


def values(results: list[dict[str, Any]]) -> list[Any]:
    return [next(iter(r.values())) for r in results]


# -- hit policies (Camunda 7: engine-dmn .../hitpolicy/HitPolicyTest.java; JUEL tables) ----------


def test_unique_gives_the_one_matching_rule_and_fails_on_two() -> None:
    """Camunda 7 HitPolicyTest#testUniqueHitPolicySingleOutput{No,Single,Multiple}MatchingRule(s)."""
    assert hit("unique.single", (False, False, False), ("a", "b", "c")) == []
    assert values(hit("unique.single", (False, True, False), ("a", "b", "c"))) == ["b"]
    with pytest.raises(DecisionFailed, match="UNIQUE"):
        hit("unique.single", (True, True, False), ("a", "b", "c"))


def test_any_needs_equal_outputs() -> None:
    """Camunda 7 HitPolicyTest#testAnyHitPolicyCompoundOutputMultipleMatchingRules."""
    assert hit("any.compound", (True, True, True), ("a", "a", "a")) == [
        {"out1": "a", "out2": "a", "out3": "a"}
    ]
    with pytest.raises(DecisionFailed, match="ANY"):
        hit("any.compound", (True, True, False), ("a", "b", "c"))


def test_first_and_rule_order() -> None:
    """Camunda 7 HitPolicyTest#testFirstHitPolicySingleOutputMultipleMatchingRules and
    #testRuleOrderHitPolicySingleOutputMultipleMatchingRules."""
    assert values(hit("first.single", (False, True, True), ("a", "b", "c"))) == ["b"]
    assert values(hit("ruleOrder.single", (True, False, True), ("a", "b", "c"))) == ["a", "c"]
    assert values(hit("collect.single", (True, True, True), ("a", "b", "c"))) == ["a", "b", "c"]


def test_collect_aggregations() -> None:
    """Camunda 7 HitPolicyTest#testCollect{Sum,Min,Max,Count}HitPolicySingleOutput*: an empty
    result for SUM, MIN and MAX when nothing matches, 0 for COUNT."""
    assert hit("collect.sum.single", (False, False, False), (10, 20, 30.034)) == []
    assert values(hit("collect.sum.single", (True, True, False), (10, 20, 30.034))) == [30]
    assert values(hit("collect.sum.single", (True, True, True), (10, 20, 30.034))) == [60.034]
    assert values(hit("collect.min.single", (True, True, True), (10, 20, 30.034))) == [10]
    assert values(hit("collect.max.single", (True, False, True), (10, 20, 30.034))) == [30.034]
    assert values(hit("collect.count.single", (False, False, False), (10, "b", 30.034))) == [0]
    assert values(hit("collect.count.single", (True, True, True), (10, "b", 30.034))) == [3]
    with pytest.raises(DecisionFailed, match="not all numbers"):
        hit("collect.sum.single", (False, True, True), (10, 20, "c"))


def test_priority_and_output_order_follow_the_output_values() -> None:
    """Flowbridge (Camunda 7 refuses both hit policies; DMN and Camunda 8 order by output values)."""
    assert decide("feel_priority.dmn", "risk", age=16) == [{"risk": "high"}]
    assert decide("feel_priority.dmn", "risk", age=40) == [{"risk": "low"}]
    assert values(decide("feel_priority.dmn", "risks", age=20)) == ["medium", "low"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("priority.single", "hit policy PRIORITY needs output values"),
        ("collect.sum.compound", "aggregation SUM over 3 outputs"),
    ],
)
def test_what_cannot_be_evaluated_is_refused_at_deploy(name: str, reason: str) -> None:
    """Camunda 7 HitPolicyTest#testPriorityHitPolicySingleOutputNoMatchingRule (DMN-02004) and
    #testCollectSumHitPolicyCompoundOutputSingleMatchingRule (DMN-03003, at run time there)."""
    filename = HIT_POLICY.format(name)
    with pytest.raises(InvalidModel, match=rf"{filename}:\d+: decision 'decision': {reason}"):
        compile_file(etree.fromstring((DMN / filename).read_bytes()), filename)


# -- FEEL unary tests, paths, null, literal expressions (Flowbridge) -----------------------------


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ({"weight": 1}, {"method": "unknown", "cost": None}),  # null, -
        ({"address": {"country": "AT"}, "weight": 1.5}, {"method": "letter", "cost": 3}),  # list, [1..3]
        ({"address": {"country": "DE"}, "weight": 2.5}, {"method": "parcel", "cost": 10}),  # ]2..30[
        ({"address": {"country": "DE"}, "weight": 40}, {"method": "freight", "cost": 60}),  # >=, path
        ({"address": {"country": "FR"}, "weight": 3}, {"method": "international", "cost": 25}),  # not(), ?
    ],
)
def test_feel_unary_tests(order: dict[str, Any], expected: dict[str, Any]) -> None:
    """Flowbridge: comparisons, ranges, lists, not(...), '-', null, '?' and paths into contexts."""
    assert decide("feel_unary_tests.dmn", "shipping", order=order, rates={"freight": 1.5}) == [expected]


def test_a_literal_expression_decision() -> None:
    assert decide("feel_unary_tests.dmn", "greeting", customer={"name": "Ada"}) == [{"text": "Hello Ada"}]


def test_required_decisions_are_evaluated_first() -> None:
    """Camunda 7 engine-dmn .../api/DrdDishDecisionExample.dmn (xmlns:camunda added, so the file is
    FEEL by Flowbridge's rule): Dish requires Season and GuestCount, whose outputs it reads."""
    assert decide("DrdDishDecisionExample.dmn", "Dish", temperature=20, dayType="WeekDay") == [
        {"desiredDish": "Stew"}
    ]
    assert decide("DrdDishDecisionExample.dmn", "Dish", temperature=35, dayType="Weekend") == [
        {"desiredDish": "Light salad"}
    ]
    assert decide("DrdDishDecisionExample.dmn", "Dish", temperature=5, dayType="Holiday") == [
        {"desiredDish": "Pasta"}
    ]


def test_the_dialect_is_decided_per_file() -> None:
    def of(xml: str) -> str:
        return dialect_of(etree.fromstring(xml))

    ns = 'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"'
    assert of(f'<definitions {ns} xmlns:camunda="http://camunda.org/schema/1.0/dmn"/>') == FEEL
    assert (
        of(
            f'<definitions {ns} xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
            'modeler:executionPlatform="Camunda Cloud"/>'
        )
        == FEEL
    )
    assert of(f'<definitions {ns} expressionLanguage="juel"/>') == FEEL
    assert of(f'<definitions {ns} namespace="http://camunda.org/schema/1.0/dmn"/>') == PYTHON
    assert (
        of(
            f'<definitions {ns} xmlns:camunda="http://camunda.org/schema/1.0/dmn" '
            'expressionLanguage="python"/>'
        )
        == PYTHON
    )


def test_mapped_results() -> None:
    """Camunda 7's mapDecisionResult (docs: user-guide/process-engine/decisions/bpmn-cmmn) and
    Camunda 8's decision output."""
    one, two = [{"a": 1}], [{"a": 1}, {"a": 2}]
    assert mapped_result("singleEntry", one) == 1
    assert mapped_result("singleEntry", []) is None
    assert mapped_result("singleResult", one) == {"a": 1}
    assert mapped_result("collectEntries", two) == [1, 2]
    assert mapped_result("resultList", two) == two
    with pytest.raises(DecisionFailed, match="2 results"):
        mapped_result("singleResult", two)
    with pytest.raises(DecisionFailed, match="more than one output"):
        mapped_result("singleEntry", [{"a": 1, "b": 2}])
    table = {"hit_policy": "COLLECT", "aggregation": None}
    assert output_value(table, two) == [1, 2]
    assert output_value({"hit_policy": "UNIQUE"}, [{"a": 1, "b": 2}]) == {"a": 1, "b": 2}
    assert output_value({"hit_policy": "UNIQUE"}, []) is None


# -- business rule tasks end to end ------------------------------------------------------------

_C7 = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
_ZEEBE = 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'


def _process(task: str, namespaces: str = _C7) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" {namespaces} id="d" targetNamespace="t">
  <process id="rules" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    {task}
    <sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>""".encode()


def _run(engine: Engine, bpmn: bytes, dmn: str, **variables: Any) -> dict[str, Any]:
    engine.repository.deploy({"rules.bpmn": bpmn, dmn: (DMN / dmn).read_bytes()})
    instance = engine.runtime.start("rules", variables)
    assert instance["status"] == "completed", instance
    result: dict[str, Any] = instance["variables"]
    return result


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ("singleEntry", "Stew"),
        ("singleResult", {"desiredDish": "Stew"}),
        ("collectEntries", ["Stew"]),
        ("resultList", [{"desiredDish": "Stew"}]),
    ],
)
def test_camunda7_result_variable(engine: Engine, mapping: str, expected: Any) -> None:
    """Camunda 7 engine .../dmn/businessruletask/DmnBusinessRuleTaskTest (mapDecisionResult); the
    decision called is the first of the file's three, which failed with an AttributeError before."""
    task = (
        '<businessRuleTask id="task" camunda:decisionRef="Dish" camunda:resultVariable="dish" '
        f'camunda:mapDecisionResult="{mapping}" />'
    )
    variables = _run(engine, _process(task), "DrdDishDecisionExample.dmn", temperature=20, dayType="WeekDay")
    assert variables["dish"] == expected


def test_zeebe_result_variable(engine: Engine) -> None:
    """Camunda 8: the result variable holds the decision's output (a context for several outputs)."""
    task = (
        '<businessRuleTask id="task"><extensionElements>'
        '<zeebe:calledDecision decisionId="shipping" resultVariable="shipping" />'
        "</extensionElements></businessRuleTask>"
    )
    order = {"address": {"country": "DE"}, "weight": 2.5}
    variables = _run(engine, _process(task, _ZEEBE), "feel_unary_tests.dmn", order=order, rates={})
    assert variables["shipping"] == {"method": "parcel", "cost": 10}


def test_without_result_variable_the_outputs_become_variables(engine: Engine) -> None:
    task = '<businessRuleTask id="task" camunda:decisionRef="Dish" />'
    variables = _run(engine, _process(task), "DrdDishDecisionExample.dmn", temperature=35, dayType="Weekend")
    assert variables["desiredDish"] == "Light salad"


def test_a_failing_decision_stops_the_task(engine: Engine) -> None:
    task = '<businessRuleTask id="task" camunda:decisionRef="decision" camunda:resultVariable="r" />'
    name = HIT_POLICY.format("unique.single")
    engine.repository.deploy({"rules.bpmn": _process(task), name: (DMN / name).read_bytes()})
    variables = {
        "input1": True,
        "input2": True,
        "input3": False,
        "output1": "a",
        "output2": "b",
        "output3": "c",
    }
    with pytest.raises(
        StepFailed, match=r"decision 'decision': hit policy UNIQUE, but rules 'rule1', 'rule2'"
    ):
        engine.runtime.start("rules", variables)


def test_an_unknown_map_decision_result_is_refused(engine: Engine) -> None:
    task = (
        '<businessRuleTask id="task" camunda:decisionRef="Dish" camunda:resultVariable="r" '
        'camunda:mapDecisionResult="firstEntry" />'
    )
    with pytest.raises(InvalidModel, match=r"rules\.bpmn:\d+: .*mapDecisionResult 'firstEntry'"):
        engine.repository.deploy(
            {"rules.bpmn": _process(task), "dish.dmn": (DMN / "DrdDishDecisionExample.dmn").read_bytes()}
        )


def test_an_unsupported_expression_language_is_refused_by_name(engine: Engine) -> None:
    dmn = (
        (DMN / "DrdDishDecisionExample.dmn")
        .read_bytes()
        .replace(
            b'<inputExpression id="seasonInputExpression"',
            b'<inputExpression expressionLanguage="groovy" id="seasonInputExpression"',
        )
    )
    with pytest.raises(InvalidModel, match=r"dish\.dmn:\d+: decision 'Dish': expression language 'groovy'"):
        engine.repository.deploy(
            {
                "dish.dmn": dmn,
                "rules.bpmn": _process('<businessRuleTask id="task" camunda:decisionRef="Dish" />'),
            }
        )


def test_a_python_file_with_several_decisions(engine: Engine) -> None:
    """SpiffArena (Python) DMN: each decision of a file is callable, not only a file's only one."""
    dmn = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="two" name="Two" namespace="http://flowbridge.dev/tests">
  <decision id="first" name="First"><decisionTable id="t1">
    <input id="i1"><inputExpression id="ie1"><text>x</text></inputExpression></input>
    <output id="o1" name="y" />
    <rule id="r1"><inputEntry id="e1"><text>&lt; 5</text></inputEntry>
      <outputEntry id="oe1"><text>'small'</text></outputEntry></rule>
  </decisionTable></decision>
  <decision id="second" name="Second"><decisionTable id="t2">
    <input id="i2"><inputExpression id="ie2"><text>x</text></inputExpression></input>
    <output id="o2" name="z" />
    <rule id="r2"><inputEntry id="e2"><text>&gt;= 5</text></inputEntry>
      <outputEntry id="oe2"><text>'big'</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>"""
    spiff = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
    for ref, expected in (("first", {"y": "small"}), ("second", {"z": "big"})):
        task = (
            '<businessRuleTask id="task"><extensionElements>'
            f"<spiffworkflow:calledDecisionId>{ref}</spiffworkflow:calledDecisionId>"
            "</extensionElements></businessRuleTask>"
        )
        engine.repository.deploy({"rules.bpmn": _process(task, spiff), "two.dmn": dmn})
        x = 3 if ref == "first" else 7
        variables = engine.runtime.start("rules", {"x": x})["variables"]
        assert {k: variables[k] for k in expected} == expected
