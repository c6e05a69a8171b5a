"""Camunda 8 (Zeebe): what Camunda Modeler writes for the Zeebe engine.

Rewrites at deploy time (`zeebe:loopCharacteristics`, `zeebe:script` FEEL script tasks, checked
io mappings, assignment definitions and task schedules) and the service task binding the parser
reads (`zeebe:taskDefinition type`, `zeebe:ioMapping`, `zeebe:taskHeaders`).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ... import expressions
from ...namespaces import BPMN_NS, ZEEBE_NS
from .rewrite import NAME, Rewriter, child, data_item, q


def collection(rewriter: Rewriter, loop: etree._Element) -> None:
    """`zeebe:loopCharacteristics` as SpiffWorkflow's loop data references."""
    zeebe = loop.find(f".//{q('loopCharacteristics', ZEEBE_NS)}")
    if zeebe is None:
        return
    found = zeebe.get("inputCollection")
    if found:
        child(loop, "loopDataInputRef", rewriter.bare_name(loop, found, "multi-instance inputCollection"))
    if zeebe.get("inputElement"):
        data_item(loop, "inputDataItem", zeebe.get("inputElement", ""))
    if zeebe.get("outputCollection"):
        child(loop, "loopDataOutputRef", zeebe.get("outputCollection", ""))
        element = zeebe.get("outputElement")
        if element:
            data_item(
                loop, "outputDataItem", rewriter.bare_name(loop, element, "multi-instance outputElement")
            )


def called_elements(rewriter: Rewriter) -> None:
    """`zeebe:calledElement processId` as the call activity's `calledElement`, which SpiffWorkflow
    reads (a FEEL expression for the process id is refused)."""
    for activity in rewriter.iter("callActivity"):
        called = activity.find(f".//{q('calledElement', ZEEBE_NS)}")
        if called is None or activity.get("calledElement"):
            continue
        process_id = (called.get("processId") or "").strip()
        if process_id.startswith("="):
            why = "a called process id given as a FEEL expression is not supported"
            rewriter.problems.append(rewriter.refuse(activity, why))
        elif process_id:
            activity.set("calledElement", process_id)


def script(rewriter: Rewriter, task: etree._Element) -> bool:
    """A Camunda 8 script task is a FEEL expression stored under a result variable: rewritten into
    the Python script that assigns it. True when the task was one."""
    zeebe = task.find(f".//{q('script', ZEEBE_NS)}")
    if zeebe is None or not zeebe.get("expression"):
        return False
    result = zeebe.get("resultVariable") or ""
    if not NAME.match(result):
        raise rewriter.refuse(task, f"script task result variable {result!r} is not a variable name")
    source = rewriter.translate(zeebe, zeebe.get("expression", ""), "script expression", "feel")
    child(task, "script", f"{result} = {source}")
    task.set("scriptFormat", "python")
    return True


def check_expressions(rewriter: Rewriter) -> None:
    """Io mappings, assignment definitions and task schedules, refused at deploy time when they
    do not translate (the parser translates them again)."""
    for mapping in [*rewriter.iter("input", ZEEBE_NS), *rewriter.iter("output", ZEEBE_NS)]:
        rewriter.check_expression(mapping, mapping.get("source", ""), "mapping")
    for definition in rewriter.iter("assignmentDefinition", ZEEBE_NS):
        for attr in ("assignee", "candidateUsers", "candidateGroups"):
            rewriter.check_expression(definition, definition.get(attr), f"{attr} expression")
    for schedule in rewriter.iter("taskSchedule", ZEEBE_NS):
        rewriter.check_due_date(schedule, schedule.get("dueDate"))


def service_binding(node: Any) -> dict[str, Any] | None:
    """The job type a Zeebe task definition names, with its io mapping and result header."""
    definition = node.find(f".//{{{ZEEBE_NS}}}taskDefinition")
    if definition is None or not definition.get("type"):
        return None
    io = node.find(f".//{{{ZEEBE_NS}}}ioMapping")
    inputs = outputs = None
    if io is not None:
        inputs = [
            [m.get("target"), expressions.literal_or_expression(m.get("source", ""))]
            for m in io.findall(f"{{{ZEEBE_NS}}}input")
        ] or None
        outputs = [
            [m.get("target"), expressions.literal_or_expression(m.get("source", ""))]
            for m in io.findall(f"{{{ZEEBE_NS}}}output")
        ] or None
    headers = {
        h.get("key"): h.get("value")
        for h in node.findall(f".//{{{ZEEBE_NS}}}taskHeaders/{{{ZEEBE_NS}}}header")
    }
    job_type = definition.get("type") or ""
    binding = {
        "name": job_type,
        "dialect": "zeebe",
        "inputs": inputs,
        "outputs": outputs,
        "result_variable": headers.get("resultVariable") or None,
        "headers": {key: value or "" for key, value in headers.items() if key},
    }
    if job_type.lstrip().startswith("="):
        # A job type given as a FEEL expression names the microflow when the task is reached.
        binding["name_expression"] = expressions.translate(job_type, "feel")
    return binding


def has_job(node: Any) -> bool:
    """Whether the element is a job for a worker: it has a `zeebe:taskDefinition` with a type."""
    definition = node.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}taskDefinition")
    return definition is not None and bool(definition.get("type"))


def job(rewriter: Rewriter, task: etree._Element) -> bool:
    """A script task with a task definition is a job for a worker, not a script (its parser makes
    the microflow call); True when it is one."""
    return has_job(task)
