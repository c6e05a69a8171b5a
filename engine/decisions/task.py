"""The business rule task that calls a FEEL decision, and where its result goes.

Its spec keeps the call in `extensions["decision_call"]`, which SpiffWorkflow's converter stores:
`id` (the decision called), `decisions` (it and the decisions it requires, compiled by `model`),
`variable` and `map`. Camunda 7: `camunda:resultVariable` holds the result mapped by
`camunda:mapDecisionResult` (singleEntry, singleResult, collectEntries, resultList — the
default). Camunda 8: `zeebe:calledDecision resultVariable` holds the decision's output
(`evaluation.output_value`). Without a result variable (SpiffArena models, or none given) the
result's outputs become variables as a required decision's do (`evaluation.variables_of`), as
SpiffWorkflow merges a table's outputs into the task's data.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask

from ..namespaces import CAMUNDA_NS, ZEEBE_NS
from .evaluation import DecisionFailed, evaluate, evaluation_order, mapped_result, output_value, variables_of

EXTENSION = "decision_call"
MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")
"""Camunda 7's `camunda:mapDecisionResult` values."""


class DecisionTask(SpiffBpmnTask):
    """A business rule task whose decision is FEEL: evaluated here, its result set as variables."""

    def _run_hook(self, my_task: Any) -> bool:
        call = self.extensions[EXTENSION]
        engine = my_task.workflow.script_engine

        def evaluator(source: str, extra: dict[str, Any]) -> Any:
            return engine.evaluate(my_task, source, external_context=extra)

        try:
            results = evaluate(call["decisions"], call["id"], evaluator)
            my_task.data.update(assignments(call, results))
        except DecisionFailed as exc:
            raise WorkflowTaskException(f"decision '{call['id']}': {exc}", task=my_task) from exc
        super()._run_hook(my_task)
        return True


def assignments(call: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """The variables a call's result sets (see the module's docstring)."""
    decision = call["decisions"][call["id"]]
    variable, mapping = call.get("variable"), call.get("map")
    if variable is None:
        return variables_of(decision, results)
    if mapping == "zeebe":
        return {variable: output_value(decision, results)}
    return {variable: mapped_result(mapping or "resultList", results)}


def decision_call(graphs: dict[str, dict[str, Any]], node: Any, ref: str | None) -> dict[str, Any] | None:
    """The call a business rule task `node` makes of FEEL decision `ref`; None when `ref` is not a
    FEEL decision of the deployment (SpiffWorkflow's DMN engine then runs it)."""
    if ref is None or ref not in graphs:
        return None
    needed = evaluation_order(graphs, ref)
    call: dict[str, Any] = {"id": ref, "decisions": {d: graphs[d] for d in needed}}
    called = node.find(f".//{{{ZEEBE_NS}}}calledDecision")
    if called is not None:
        call.update(variable=called.get("resultVariable") or None, map="zeebe")
        return call
    mapping = node.get(f"{{{CAMUNDA_NS}}}mapDecisionResult") or "resultList"
    if mapping not in MAPPINGS:
        why = f"camunda:mapDecisionResult '{mapping}' is not one of {', '.join(MAPPINGS)}"
        raise ValidationException(why, node=node)
    call.update(variable=node.get(f"{{{CAMUNDA_NS}}}resultVariable") or None, map=mapping)
    return call


def decision_ref(task_spec: Any) -> str | None:
    """The FEEL decision a task spec calls, if it is a `DecisionTask`."""
    extensions = getattr(task_spec, "extensions", None)
    call = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
    return call["id"] if isinstance(call, dict) else None
