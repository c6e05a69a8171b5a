"""Flowable and Activiti: what the Flowable Modeler and Activiti Designer write, read as Camunda 7's.

Camunda 7 grew out of Activiti, and Flowable is Activiti under a new name: the three share their
extension attributes and elements (`assignee`, `candidateGroups`, `class`, `expression`,
`delegateExpression`, `resultVariable`, `collection`, `elementVariable`, `formKey`, `in`/`out`,
`initiator`, listeners), and their expressions are JUEL. So `activiti:` and `flowable:` names are
read as `camunda:` ones, with what differs said in Camunda's words:

- `async="true"` (an asynchronous continuation before the activity) is `camunda:asyncBefore`;
- `formProperty` fields (id, name, type, required, readable, writable, variable, datePattern,
  default, enum values) become Camunda's `formData` fields, so the same form shows and validates.
"""

from __future__ import annotations

from lxml import etree

from ...namespaces import ACTIVITI_NS, CAMUNDA_NS, FLOWABLE_NS
from .rewrite import Rewriter, q

NAMESPACES = (ACTIVITI_NS, FLOWABLE_NS)
"""The namespaces read as Camunda 7's."""
RENAMED = {"async": "asyncBefore"}
"""Attributes Camunda 7 names differently."""


def read_as_camunda(rewriter: Rewriter) -> None:
    """Same attribute and element names, other namespaces: read them as Camunda 7's."""
    prefixes = [f"{{{ns}}}" for ns in NAMESPACES]
    for element in rewriter.root.iter():
        if not isinstance(element.tag, str):
            continue
        for prefix in prefixes:
            if element.tag.startswith(prefix):
                element.tag = f"{{{CAMUNDA_NS}}}{element.tag[len(prefix) :]}"
        for name in [str(n) for n in element.attrib if any(str(n).startswith(p) for p in prefixes)]:
            local = name.split("}", 1)[1]
            target = q(RENAMED.get(local, local), CAMUNDA_NS)
            value = str(element.attrib.pop(name))
            if element.get(target) is None:
                element.set(target, value)
    for extensions in rewriter.root.iter(q("extensionElements")):
        form_properties(extensions)


def form_properties(extensions: etree._Element) -> None:
    """`formProperty` fields as one `camunda:formData`, unless the element has one already."""
    found = extensions.findall(q("formProperty", CAMUNDA_NS))
    if not found:
        return
    for prop in found:
        extensions.remove(prop)
    if extensions.find(q("formData", CAMUNDA_NS)) is not None:
        return
    form_data = etree.SubElement(extensions, q("formData", CAMUNDA_NS))
    for prop in found:
        if (prop.get("readable") or "true").lower() == "false":
            continue  # not shown (Activiti/Flowable): the engine keeps the variable as it is
        form_data.append(_field(prop))


def _field(prop: etree._Element) -> etree._Element:
    field = etree.Element(q("formField", CAMUNDA_NS))
    field.set("id", prop.get("variable") or prop.get("id") or "")
    field.set("label", prop.get("name") or prop.get("id") or "")
    field.set("type", prop.get("type") or "string")
    for source, target in (("datePattern", "datePattern"), ("default", "defaultValue")):
        if prop.get(source) is not None:
            field.set(target, prop.get(source) or "")
    constraints = []
    if (prop.get("required") or "").lower() == "true":
        constraints.append("required")
    if (prop.get("writable") or "true").lower() == "false":
        constraints.append("readonly")
    if constraints:
        validation = etree.SubElement(field, q("validation", CAMUNDA_NS))
        for name in constraints:
            etree.SubElement(validation, q("constraint", CAMUNDA_NS), name=name)
    for value in prop.findall(q("value", CAMUNDA_NS)):
        etree.SubElement(
            field, q("value", CAMUNDA_NS), id=value.get("id") or "", name=value.get("name") or ""
        )
    return field
