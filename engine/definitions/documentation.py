"""What a model says to the people who use it: BPMN's `documentation` of a process and its elements.

The pages show it where people need it (issue 15 point 3): the process's documentation as its
description on "Start a process", the start event's above the start form, a user task's above its
form. BPMN's `<documentation>` is text (its `textFormat` defaults to `text/plain`); Flowbridge
shows it as plain text, keeping its line breaks. Only an element's own (direct child)
documentation counts, not that of the elements inside it.

The text is read from the deployed XML as the modeller wrote it, once per definition version
(`RepositoryService` keeps the answer), and from the task specs SpiffWorkflow parsed for a task.
"""

from __future__ import annotations

import textwrap
from typing import Any

from lxml import etree

from ..errors import InvalidModel
from .safe_xml import parse_xml


def text_of(element: Any) -> str | None:
    """An element's own documentation, its paragraphs joined, indentation removed; None when empty."""
    parts = [
        _plain("".join(child.itertext()))
        for child in element
        if isinstance(child.tag, str) and etree.QName(child).localname == "documentation"
    ]
    text = "\n\n".join(part for part in parts if part)
    return text or None


def of_process(source_xml: str, key: str) -> dict[str, str | None]:
    """The `documentation` of process `key` and `start_documentation` of its (first plain) start
    event — the one whose form the start page shows — in a definition's deployed XML."""
    found: dict[str, str | None] = {"documentation": None, "start_documentation": None}
    try:
        root = parse_xml(source_xml.encode(), "definition").getroot()
    except InvalidModel:  # deployed, so it parsed once; a changed parser must not break a page
        return found
    for process in root.iter("{*}process"):
        if process.get("id") != key:
            continue
        found["documentation"] = text_of(process)
        for start in process.findall("{*}startEvent"):
            if not any(etree.QName(child).localname.endswith("EventDefinition") for child in _tags(start)):
                found["start_documentation"] = text_of(start)
                break
    return found


def of_task(spec: Any, subprocess_specs: dict[str, Any], element_id: str) -> str | None:
    """The documentation of element `element_id` in a definition's specs (SpiffWorkflow parses it)."""
    for workflow_spec in [spec, *subprocess_specs.values()]:
        for task_spec in workflow_spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == element_id:
                text = getattr(task_spec, "documentation", None)
                return _plain(text) or None if isinstance(text, str) else None
    return None


def _tags(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


def _plain(text: str) -> str:
    # Modellers indent the text with the XML; the first line often starts right after the tag.
    first, _, rest = text.strip("\n").partition("\n")
    return (first.strip() + "\n" + textwrap.dedent(rest)).strip() if rest else first.strip()
