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
from ...jobs.continuation import CONTINUE
from ...namespaces import CAMUNDA_NS
from .rewrite import Rewriter, child, connect, data_item, local_name, q


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


def async_after(rewriter: Rewriter) -> None:
    """`camunda:asyncAfter="true"`: what follows the element runs in a job. Behind the element goes a
    service task `<id>__async_after` calling the built-in async microflow `flowbridge.continue`
    (engine.jobs.continuation), which takes over the element's outgoing flows."""
    for element in list(rewriter.root.iter()):
        if not isinstance(element.tag, str) or element.get(q("asyncAfter", CAMUNDA_NS)) != "true":
            continue
        container, element_id = element.getparent(), element.get("id", "")
        if container is None or local_name(element) in ("endEvent", "boundaryEvent", "sequenceFlow"):
            continue
        follow = etree.SubElement(container, q("serviceTask"))
        follow.set("id", f"{element_id}__async_after")
        follow.set(q("type", CAMUNDA_NS), "external")
        follow.set(q("topic", CAMUNDA_NS), CONTINUE)
        follow.set(q("asyncBefore", CAMUNDA_NS), "true")
        for flow in list(container.iter(q("sequenceFlow"))):
            if flow.get("sourceRef") == element_id and flow.getparent() is container:
                flow.set("sourceRef", follow.get("id", ""))
        for outgoing in element.findall(q("outgoing")):
            element.remove(outgoing)
        connect(container, element, follow)


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
    """A script task loading `camunda:resource` is refused: Flowbridge runs inline Python only.

    In Camunda 7 models a script in JUEL (`scriptFormat="juel"`, or no scriptFormat, Camunda's
    default, and a JUEL expression for text) becomes the Python that evaluates it and keeps its
    value in camunda:resultVariable. A script without scriptFormat whose text is not JUEL is
    Python, as SpiffWorkflow reads it (Camunda would only evaluate it as literal text). A Python
    script whose text is an expression (`${scriptSource}`) takes its source from it when it runs;
    the expression is checked here."""
    if task.get(q("resource", CAMUNDA_NS)):
        raise rewriter.refuse(task, "script task loads an external script resource; inline Python only")
    if rewriter.dialect != "camunda7":
        return False
    language = (task.get("scriptFormat") or "").strip().lower()
    text = (task.findtext(q("script")) or "").strip()
    if text and (language == "juel" or (not language and expressions.is_expression(text))):
        _juel_script(rewriter, task, text)
        return True
    if language and text.startswith(("${", "#{")):
        rewriter.translate(task, text, "script source expression", "juel")
    return False


def _juel_script(rewriter: Rewriter, task: etree._Element, text: str) -> None:
    is_juel = expressions.is_expression(text)
    value = rewriter.translate(task, text, "JUEL script", "juel") if is_juel else repr(text)
    result = (task.get(q("resultVariable", CAMUNDA_NS)) or "").strip()
    child(task, "script", f"execution.setVariable({result!r}, {value})" if result else value)
    task.set("scriptFormat", "python")


def check_expressions(rewriter: Rewriter) -> None:
    """Input/output parameters, assignments and due dates, refused at deploy time when they do
    not translate (the parser translates them again)."""
    for mapping in rewriter.iter("inputOutput", CAMUNDA_NS):
        extensions = mapping.getparent()
        owner = extensions.getparent() if extensions is not None else None
        if owner is None or local_name(owner) != "subProcess":
            continue
        if owner.get("triggeredByEvent") == "true":
            # Camunda 7 refuses it too: an event subprocess has no input or output mappings.
            why = "camunda:inputOutput is not supported on an event subprocess (triggeredByEvent)"
            rewriter.problems.append(rewriter.refuse(owner, why))
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
                rewriter.problems.append(
                    rewriter.refuse(
                        param,
                        f"parameter '{param.get('name')}' is a {language or 'unnamed'} script; "
                        "only Python scripts run",
                    )
                )
    for task in rewriter.iter("userTask"):
        for attr in ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate"):
            text = task.get(q(attr, CAMUNDA_NS))
            call = bean_call_parts(text)
            if call is not None:
                for arg in call[1]:
                    rewriter.check_expression(task, "${" + arg + "}", f"{attr} argument")
            elif attr in ("dueDate", "followUpDate"):
                rewriter.check_due_date(task, text, attr)
            else:
                rewriter.check_expression(task, text, f"{attr} expression")


def _is_camunda(element: Any) -> bool:
    return isinstance(element.tag, str) and element.tag.startswith("{" + CAMUNDA_NS + "}")


_LITERALS = frozenset({"true", "false", "null"})
"""JUEL literals that read like names: a value expression, not a microflow's name."""
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
    topic = get(f"{{{CAMUNDA_NS}}}topic") if get(f"{{{CAMUNDA_NS}}}type") == "external" else None
    found = code_binding(
        get(f"{{{CAMUNDA_NS}}}class"),
        get(f"{{{CAMUNDA_NS}}}delegateExpression"),
        get(f"{{{CAMUNDA_NS}}}expression"),
        topic,
    )
    if found is None:
        return None
    name, extra = found["name"], {k: v for k, v in found.items() if k != "name"}
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


def code_binding(
    class_name: str | None, delegate_expression: str | None, expression: str | None, name: str | None = None
) -> dict[str, Any] | None:
    """What a Camunda 7 service task's or listener's code attributes name: {"name"} of the microflow
    (with "fallback", a class's simple name, and "args", a method expression's arguments), or
    {"name": "", "expression"} for a value expression; None when they name nothing."""
    name = name or expressions.name_of(delegate_expression)
    named = expressions.name_of(expression)
    name = name or (named if named not in _LITERALS else None)
    extra: dict[str, Any] = {}
    call = _BEAN_CALL.match(expression or "") if name is None else None
    if call is not None:
        name = call.group(1)
        extra["args"] = [expressions.to_python("${" + arg + "}") for arg in split_arguments(call.group(2))]
    elif name is None and expression and expressions.is_expression(expression):
        # Any other expression is a value expression, as Camunda 7 evaluates it: no microflow;
        # its value goes to camunda:resultVariable (or its output parameters).
        name = ""
        extra["expression"] = expressions.to_python(expression)
    class_name = (class_name or "").strip()
    if name is None and class_name:
        name = class_name
        simple = class_name.rsplit(".", 1)[-1]
        if simple != class_name:
            extra["fallback"] = simple
    return None if name is None else {"name": name, **extra}


def bean_call(text: str | None) -> tuple[str, list[str]] | None:
    """A method expression that calls a bean (`${ldap.managerOf(employee, 'x')}`): the microflow's
    name and the arguments' Python, or None. The methods JUEL itself knows (`execution.getVariable`,
    `name.toUpperCase()`, …) are not bean calls: they translate as expressions."""
    parts = bean_call_parts(text)
    if parts is None:
        return None
    return parts[0], [expressions.to_python("${" + arg + "}") for arg in parts[1]]


def bean_call_parts(text: str | None) -> tuple[str, list[str]] | None:
    """`bean_call`'s name and its arguments as written (JUEL), or None."""
    call = _BEAN_CALL.match(text or "")
    if call is None:
        return None
    try:
        expressions.translate(text or "")
        return None  # JUEL's own method: an expression
    except expressions.UnsupportedExpression:
        pass
    return call.group(1), split_arguments(call.group(2))


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
