"""Which editor's dialect a BPMN document is written in: from the modeler's execution platform,
else from the extension namespaces it uses."""

from __future__ import annotations

from lxml import etree

from ...namespaces import ACTIVITI_NS, CAMUNDA_NS, FLOWABLE_NS, MODELER_NS, SPIFF_NS, ZEEBE_NS

DIALECTS = ("camunda7", "camunda8", "spiff", "bpmn")
"""camunda7 (JUEL; also Flowable and Activiti), camunda8 (FEEL), spiff (Python) and bpmn (any other
tool: Python)."""
PROCESS_VARIABLES = frozenset({"camunda7", "camunda8", "bpmn"})
"""Dialects whose engines keep process variables (DESIGN §2a); SpiffArena keeps task data."""


def dialect_of(root: etree._Element) -> str:
    """Which editor's dialect a BPMN document is written in: the extensions it uses first, then
    the modeler's execution platform, then the namespaces it only declares.

    Use comes first because editors and generators declare namespaces they never use (Camunda
    Modeler declares `zeebe:` beside `camunda:`; SpiffArena's modeler leaves Camunda Modeler's
    "Camunda Platform" mark behind): a file that writes `camunda:` attributes is Camunda 7's.
    """
    used = _used(root)
    camunda = {CAMUNDA_NS, ACTIVITI_NS, FLOWABLE_NS}
    if ZEEBE_NS in used:
        return "camunda8"
    if used & camunda:
        return "camunda7"
    if SPIFF_NS in used:
        return "spiff"
    platform = (root.get(f"{{{MODELER_NS}}}executionPlatform") or "").lower()
    if "cloud" in platform:
        return "camunda8"
    if "platform" in platform:
        return "camunda7"
    declared = set(root.nsmap.values())
    if ZEEBE_NS in declared:
        return "camunda8"
    if declared & camunda:
        return "camunda7"
    return "spiff" if SPIFF_NS in declared else "bpmn"


def _used(root: etree._Element) -> set[str | None]:
    """The namespaces the document's elements and attributes use (not only declare)."""
    used: set[str | None] = set()
    for element in root.iter():
        if isinstance(element.tag, str):
            used.add(etree.QName(element).namespace)
            used.update(etree.QName(name).namespace for name in element.attrib)
    return used
