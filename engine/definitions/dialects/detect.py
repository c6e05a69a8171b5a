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
    """Which editor's dialect a BPMN document is written in."""
    platform = (root.get(f"{{{MODELER_NS}}}executionPlatform") or "").lower()
    used = _used(root)
    namespaces = set(root.nsmap.values()) | used
    if "cloud" in platform or ZEEBE_NS in namespaces:
        return "camunda8"
    camunda = {CAMUNDA_NS, ACTIVITI_NS, FLOWABLE_NS}
    if SPIFF_NS in used and not used & camunda:
        # SpiffArena's modeler often leaves Camunda Modeler's "Camunda Platform" mark behind; a
        # file that uses SpiffArena's extensions and none of Camunda's is SpiffArena's.
        return "spiff"
    if "platform" in platform or namespaces & camunda:
        return "camunda7"
    if SPIFF_NS in namespaces:
        return "spiff"
    return "bpmn"


def _used(root: etree._Element) -> set[str | None]:
    """The namespaces the document's elements and attributes use (not only declare)."""
    used: set[str | None] = set()
    for element in root.iter():
        if isinstance(element.tag, str):
            used.add(etree.QName(element).namespace)
            used.update(etree.QName(name).namespace for name in element.attrib)
    return used
