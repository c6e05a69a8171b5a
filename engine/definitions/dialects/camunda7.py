"""Camunda 7 (and Activiti, its ancestor): what Camunda Modeler writes for the Camunda 7 engine.

Rewrites at deploy time (`camunda:collection` loops,
checked mappings, assignments and due dates) and the service task binding the parser reads
(`camunda:type="external" camunda:topic`, `camunda:expression`, `camunda:delegateExpression`).
"""

from __future__ import annotations

import re
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


def unconditioned_flows(rewriter: Rewriter) -> None:
    """Camunda 7 takes a flow without a condition out of an exclusive or inclusive gateway as if its
    condition were true (an exclusive gateway: the first such flow, in the order they are drawn;
    the default flow only when no other is taken); SpiffWorkflow would refuse it."""
    if rewriter.dialect != "camunda7":
        return
    for kind in ("exclusiveGateway", "inclusiveGateway"):
        for gateway in rewriter.iter(kind):
            gateway_id, default = gateway.get("id"), gateway.get("default")
            container = gateway.getparent()
            if container is None:
                continue
            for flow in container.iter(q("sequenceFlow")):
                if (
                    flow.get("sourceRef") == gateway_id
                    and flow.get("id") != default
                    and flow.find(q("conditionExpression")) is None
                ):
                    condition = etree.SubElement(flow, q("conditionExpression"))
                    condition.text = "True"


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
        for value in param.iter(
            q("inputParameter", CAMUNDA_NS),
            q("outputParameter", CAMUNDA_NS),
            q("value", CAMUNDA_NS),
            q("entry", CAMUNDA_NS),
        ):
            if not any(_is_camunda(child) for child in value):
                rewriter.check_expression(value, value.text or "", "mapping")
        for script in param.iter(q("script", CAMUNDA_NS)):
            language = (script.get("scriptFormat") or "").strip().lower()
            if language != "python":
                raise rewriter.refuse(
                    param,
                    f"parameter '{param.get('name')}' is a {language or 'unnamed'} script; "
                    "only Python scripts run",
                )
    for task in rewriter.iter("userTask"):
        for attr in ("assignee", "candidateUsers", "candidateGroups"):
            rewriter.check_expression(task, task.get(q(attr, CAMUNDA_NS)), f"{attr} expression")
    for task in rewriter.iter("userTask"):
        rewriter.check_due_date(task, task.get(q("dueDate", CAMUNDA_NS)))


def _is_camunda(element: Any) -> bool:
    return isinstance(element.tag, str) and element.tag.startswith("{" + CAMUNDA_NS + "}")


_BEAN_CALL = re.compile(r"^\s*[$#]\{\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\((.*)\)\s*\}\s*$", re.DOTALL)
"""`${bean.method(a, b)}`: the microflow `bean.method`, called with the arguments in order."""


def service_binding(node: Any) -> dict[str, Any] | None:
    """The microflow a Camunda 7 service task names, with its input and output parameters.

    `camunda:class` names it by the full class name, or, when none is registered under that, by
    the simple name (`com.acme.SendReminderDelegate` → `SendReminderDelegate`);
    `camunda:delegateExpression="${bean}"` names `bean`; `camunda:expression="${bean.method(a, b)}"`
    calls `bean.method` with the evaluated arguments in the order of its parameters.
    """
    get = node.get
    name = get(f"{{{CAMUNDA_NS}}}topic") if get(f"{{{CAMUNDA_NS}}}type") == "external" else None
    name = name or expressions.name_of(get(f"{{{CAMUNDA_NS}}}delegateExpression"))
    expression = get(f"{{{CAMUNDA_NS}}}expression")
    name = name or expressions.name_of(expression)
    extra: dict[str, Any] = {}
    call = _BEAN_CALL.match(expression or "") if name is None else None
    if call is not None:
        name = call.group(1)
        extra["args"] = [expressions.to_python("${" + arg + "}") for arg in split_arguments(call.group(2))]
    class_name = (get(f"{{{CAMUNDA_NS}}}class") or "").strip()
    if name is None and class_name:
        name = class_name
        simple = class_name.rsplit(".", 1)[-1]
        if simple != class_name:
            extra["fallback"] = simple
    if name is None:
        return None
    from ..io_mappings import parameter_source  # the io mappings read this module's bindings too

    inputs = [
        [p.get("name"), parameter_source(p)]
        for p in node.findall(f".//{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}inputParameter")
    ]
    outputs = [
        [p.get("name"), parameter_source(p)]
        for p in node.findall(f".//{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}outputParameter")
    ]
    return {
        "name": name,
        "dialect": "camunda7",
        "inputs": inputs or None,
        "outputs": outputs or None,
        "result_variable": get(f"{{{CAMUNDA_NS}}}resultVariable") or None,
        **extra,
    }


def split_arguments(text: str) -> list[str]:
    """A call's arguments, split at the commas outside quotes and brackets (`a, f(b, c), 'x,y'`)."""
    parts: list[str] = []
    depth, quote, escaped = 0, "", False
    current: list[str] = []
    for char in text:
        if escaped:
            escaped = False
        elif quote:
            escaped = char == "\\"
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    last = "".join(current).strip()
    if last or parts:
        parts.append(last)
    return parts
