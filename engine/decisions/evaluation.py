"""Evaluating compiled decisions (`model`): required decisions first, then the table's hit policy.

A decision's result is a list of rule results, each a dict from output name to value, in the
order the hit policy gives (Camunda 7's `DmnDecisionResult`). A required decision's result is
then visible to the decisions that require it two ways: by its output names (Camunda 7's rule:
one result's entries as variables; a list per output for several results or a COLLECT or RULE
ORDER table) and by its decision id (Camunda 8's rule: the decision's output, `output_value`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..expressions import FUNCTIONS
from .unary_tests import INPUT

Evaluator = Callable[[str, dict[str, Any]], Any]
"""Evaluates Python source over the instance's variables and the given extra names."""
MULTIPLE = ("RULE ORDER", "OUTPUT ORDER")
"""Hit policies whose result is a list of rule results (and COLLECT without aggregation)."""


class DecisionFailed(Exception):
    """A decision could not give a result (two rules of a UNIQUE table matched, say)."""


def evaluate(
    decisions: dict[str, dict[str, Any]], decision_id: str, evaluator: Evaluator
) -> list[dict[str, Any]]:
    """The result list of `decision_id`, evaluated after the decisions it requires."""
    extra: dict[str, Any] = {}
    for required in evaluation_order(decisions, decision_id)[:-1]:
        decision = decisions[required]
        results = decide(decision, evaluator, extra)
        extra.update(variables_of(decision, results))
        extra[required] = output_value(decision, results)
    return decide(decisions[decision_id], evaluator, extra)


def evaluation_order(decisions: dict[str, dict[str, Any]], decision_id: str) -> list[str]:
    """`decision_id` and the decisions it requires, each after those it requires (model refused cycles)."""
    order: list[str] = []

    def visit(current: str) -> None:
        if current in order:
            return
        for required in decisions[current]["requires"]:
            visit(required)
        order.append(current)

    visit(decision_id)
    return order


def decide(decision: dict[str, Any], evaluator: Evaluator, extra: dict[str, Any]) -> list[dict[str, Any]]:
    """One decision's result list, with `extra` (required decisions' results) as variables."""
    if decision["kind"] == "literal":
        return [{decision["variable"]: evaluator(decision["expression"], extra)}]
    values = [evaluator(column["expression"], extra) for column in decision["inputs"]]
    matched = []
    for rule in decision["rules"]:
        if _matches(rule, decision["inputs"], values, evaluator, extra):
            matched.append(rule)
            if decision["hit_policy"] == "FIRST":
                break
    names = [output["name"] for output in decision["outputs"]]
    results = [
        {
            name: None if source is None else evaluator(source, extra)
            for name, source in zip(names, rule["outputs"], strict=True)
        }
        for rule in matched
    ]
    return hit_policy(decision, [rule["id"] for rule in matched], results)


def _matches(
    rule: dict[str, Any],
    inputs: list[dict[str, Any]],
    values: list[Any],
    evaluator: Evaluator,
    extra: dict[str, Any],
) -> bool:
    for test, column, value in zip(rule["tests"], inputs, values, strict=True):
        if (
            test is not None
            and evaluator(test, {**extra, INPUT: value, column["variable"]: value}) is not True
        ):
            return False
    return True


def hit_policy(
    decision: dict[str, Any], rule_ids: list[str], results: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The result list the table's hit policy makes of its matched rules' results (in rule order)."""
    policy = decision["hit_policy"]
    if policy == "UNIQUE" and len(results) > 1:
        raise DecisionFailed(f"hit policy UNIQUE, but rules {_listed(rule_ids)} all match")
    if policy == "ANY" and any(result != results[0] for result in results[1:]):
        raise DecisionFailed(f"hit policy ANY, but rules {_listed(rule_ids)} match with different outputs")
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        results = sorted(results, key=lambda result: _priority(decision["outputs"], result))
    if policy == "COLLECT" and decision["aggregation"]:
        return _aggregate(decision["aggregation"], decision["outputs"][0]["name"], results)
    if policy in MULTIPLE or policy == "COLLECT":
        return results
    return results[:1]


def _priority(outputs: list[dict[str, Any]], result: dict[str, Any]) -> tuple[int, ...]:
    """A result's rank by its outputs' output values (a value not listed comes last)."""
    ranks = []
    for output in outputs:
        if output["priorities"]:
            value = result[output["name"]]
            found = [
                i for i, p in enumerate(output["priorities"]) if FUNCTIONS["_fb_cmp"](p, "=", value) is True
            ]
            ranks.append(found[0] if found else len(output["priorities"]))
    return tuple(ranks)


def _aggregate(aggregation: str, name: str, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """COLLECT's SUM, MIN, MAX (no result when nothing matched) or COUNT of the output's values."""
    values = [result[name] for result in results if result[name] is not None]
    if aggregation == "COUNT":
        return [{name: len(values)}]
    if not values:
        return []
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise DecisionFailed(f"COLLECT {aggregation} of values that are not all numbers: {values!r}")
    return [{name: FUNCTIONS["_fb_call"](aggregation.lower(), values)}]


def is_multiple(decision: dict[str, Any]) -> bool:
    """Whether the decision's result is a list of rule results (COLLECT without aggregation, RULE
    ORDER, OUTPUT ORDER) rather than at most one."""
    policy = decision.get("hit_policy")
    return policy in MULTIPLE or (policy == "COLLECT" and not decision.get("aggregation"))


def output_value(decision: dict[str, Any], results: list[dict[str, Any]]) -> Any:
    """Camunda 8's decision output: a single output's value or, for several outputs, a context;
    a list of them for a table whose hit policy gives several results; null when none matched."""
    values = [next(iter(r.values())) if len(r) == 1 else r for r in results]
    if is_multiple(decision):
        return values
    return values[0] if values else None


def variables_of(decision: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """Camunda 7's result as variables: one result's entries, or each output's values as a list."""
    if len(results) == 1 and decision.get("hit_policy") not in ("COLLECT", *MULTIPLE):
        return dict(results[0])
    names = dict.fromkeys(name for result in results for name in result)
    return {name: [result.get(name) for result in results] for name in names}


def mapped_result(mapping: str, results: list[dict[str, Any]]) -> Any:
    """Camunda 7's `camunda:mapDecisionResult`: singleEntry (the one value), singleResult (the one
    result, a map), collectEntries (the one output's values, a list) or resultList (a list of maps)."""
    if mapping == "resultList":
        return results
    if mapping == "collectEntries":
        if any(len(result) != 1 for result in results):
            raise DecisionFailed("mapDecisionResult collectEntries, but a result has more than one output")
        return [next(iter(result.values())) for result in results]
    if len(results) > 1:
        raise DecisionFailed(f"mapDecisionResult {mapping}, but the decision has {len(results)} results")
    if not results:
        return None
    if mapping == "singleEntry":
        if len(results[0]) != 1:
            raise DecisionFailed("mapDecisionResult singleEntry, but the result has more than one output")
        return next(iter(results[0].values()))
    return dict(results[0])


def _listed(rule_ids: list[str]) -> str:
    return ", ".join(f"'{rule_id}'" for rule_id in rule_ids)
