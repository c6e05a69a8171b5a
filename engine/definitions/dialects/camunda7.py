"""Camunda 7 (and Activiti, its ancestor): what Camunda Modeler writes for the Camunda 7 engine.

Rewrites at deploy time (`camunda:collection` loops,
checked mappings, assignments and due dates) and the service task binding the parser reads
(`camunda:type="external" camunda:topic`, `camunda:expression`, `camunda:delegateExpression`).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ... import expressions
from ...namespaces import CAMUNDA_NS
from .rewrite import Rewriter, child, data_item, q


def collection(rewriter: Rewriter, loop: etree._Element) -> None:
    """`camunda:collection` and `camunda:elementVariable` as SpiffWorkflow's loop data references."""
    found = loop.get(q("collection", CAMUNDA_NS))
    if not found:
        return
    name = rewriter.bare_name(loop, found, "multi-instance collection")
    child(loop, "loopDataInputRef", name)
    element = loop.get(q("elementVariable", CAMUNDA_NS))
    if element:
        data_item(loop, "inputDataItem", element)


def script(rewriter: Rewriter, task: etree._Element) -> bool:
    """A script task loading `camunda:resource` is refused: Flowbridge runs inline Python only."""
    if task.get(q("resource", CAMUNDA_NS)):
        raise rewriter.refuse(task, "script task loads an external script resource; inline Python only")
    return False


def check_expressions(rewriter: Rewriter) -> None:
    """Input/output parameters, assignments and due dates, refused at deploy time when they do
    not translate (the parser translates them again)."""
    for param in [
        *rewriter.iter("inputParameter", CAMUNDA_NS),
        *rewriter.iter("outputParameter", CAMUNDA_NS),
    ]:
        rewriter.check_expression(param, param.text or "", "mapping")
    for task in rewriter.iter("userTask"):
        for attr in ("assignee", "candidateUsers", "candidateGroups"):
            rewriter.check_expression(task, task.get(q(attr, CAMUNDA_NS)), f"{attr} expression")
    for task in rewriter.iter("userTask"):
        rewriter.check_due_date(task, task.get(q("dueDate", CAMUNDA_NS)))


def service_binding(node: Any) -> dict[str, Any] | None:
    """The microflow a Camunda 7 service task names, with its input and output parameters."""
    get = node.get
    name = get(f"{{{CAMUNDA_NS}}}topic") if get(f"{{{CAMUNDA_NS}}}type") == "external" else None
    name = name or expressions.name_of(get(f"{{{CAMUNDA_NS}}}delegateExpression"))
    name = name or expressions.name_of(get(f"{{{CAMUNDA_NS}}}expression"))
    if name is None:
        return None
    inputs = [
        [p.get("name"), expressions.literal_or_expression(p.text or "")]
        for p in node.findall(f".//{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}inputParameter")
    ]
    outputs = [
        [p.get("name"), expressions.literal_or_expression(p.text or "")]
        for p in node.findall(f".//{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}outputParameter")
    ]
    return {
        "name": name,
        "dialect": "camunda7",
        "inputs": inputs or None,
        "outputs": outputs or None,
        "result_variable": get(f"{{{CAMUNDA_NS}}}resultVariable") or None,
    }
