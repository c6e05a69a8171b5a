"""Field injection: the `camunda:field`s of a Camunda 7 (or Flowable) service task or listener.

Camunda 7 injects each field into the Java delegate it calls (`camunda:class`,
`camunda:delegateExpression`). Flowbridge hands the field values to the microflow instead: as
inputs named by the field, over the variables it receives (so `def f(text)` gets the field
`text`), and as `call_context().fields`.

A field's value is fixed text (`stringValue="…"` or `<camunda:string>`), or an expression
(`expression="${…}"` or `<camunda:expression>`, also composite text like `Hello ${name}`)
evaluated when the task runs; a bean method call (`${bean.method(a)}`) calls that microflow, as
everywhere else. Read at deploy into `{name: value}`, each value a string or {"python": source}
or {"microflow", "args"}; what Camunda 7 refuses at deploy is refused here too.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from .. import expressions
from ..namespaces import BPMN_NS, CAMUNDA_NS
from .dialects import camunda7

FIELDS = "fields"
"""The key of a binding's field values."""


class FieldProblem(Exception):
    """A field declaration Camunda 7 would refuse, said in a sentence."""


def read(holder: etree._Element) -> dict[str, Any]:
    """The fields declared on `holder` (a service task, through its extensionElements, or a
    listener, directly), by name, in order."""
    extensions = holder.find(f"{{{BPMN_NS}}}extensionElements")
    found: dict[str, Any] = {}
    for declaration in (extensions if extensions is not None else holder).findall(f"{{{CAMUNDA_NS}}}field"):
        name = (declaration.get("name") or "").strip()
        if not name:
            raise FieldProblem("a camunda:field has no name")
        found[name] = _value(declaration, name)
    return found


def _value(declaration: etree._Element, name: str) -> Any:
    text = _attribute_or_element(declaration, name, "stringValue", "string")
    if text is not None:
        return text  # Camunda's fixed value: never evaluated
    source = _attribute_or_element(declaration, name, "expression", "expression")
    if source is None or not source.strip():
        raise FieldProblem(
            f"field '{name}' has no value (one of the attributes stringValue, expression or the "
            "elements camunda:string, camunda:expression)"
        )
    if not expressions.is_expression(source):
        return source
    try:
        call = camunda7.bean_call(source)
        if call is not None:
            return {"microflow": call[0], "args": call[1]}
        return {"python": expressions.translate(source)}
    except expressions.UnsupportedExpression as exc:
        raise FieldProblem(f"field '{name}': {exc}") from None


def _attribute_or_element(declaration: etree._Element, name: str, attribute: str, element: str) -> str | None:
    value = declaration.get(attribute)
    child = declaration.find(f"{{{CAMUNDA_NS}}}{element}")
    if value is not None and child is not None:
        raise FieldProblem(f"field '{name}' has both the attribute '{attribute}' and the element '{element}'")
    if child is not None:
        if not child.text:
            raise FieldProblem(f"field '{name}': its element '{element}' is empty")
        return child.text
    return value or None
