"""Task and execution listeners (`camunda:taskListener`, `camunda:executionListener`; Flowable's are
read as Camunda's), run as microflows on their events.

A listener names its code the way a service task does — `class` (the full class name, or the
simple name when none is registered under it), `delegateExpression="${bean}"`, `expression=
"${bean.method(a, b)}"` — and Flowbridge calls that microflow, synchronously, in the step where
its event happens, with every variable of the element (its declared parameters are bound by
name); a dict it returns sets variables. Another expression is evaluated for what it reads; a
`camunda:script` in Python runs over the element's data. A script in another language is refused
at deploy, naming the element and the language.

Events: execution listeners `start` (the element begins, after its input mappings), `end` (it
completes, before its output mappings) and `take` (a sequence flow is followed: run as its target
begins, when the target came from that flow); listeners on the process itself run as the instance
starts and ends. Task listeners on user tasks: `create` (the task is offered), `assignment` (an
assignee is set: at creation when the model names one, and when the task is claimed or
assigned), `complete` (before it completes; what it sets reaches the flow) and `delete` (it is
cancelled). `timeout` listeners, which need a timer of their own, are refused at deploy.

The listeners are read at deploy into the spec's `extensions["listeners"]` and connected to the
spec's events by `arm` (task specs' events are not stored with them).
"""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.control import BpmnStartTask

from .. import expressions
from ..errors import InvalidModel
from ..expressions.juel_objects import listening
from ..namespaces import CAMUNDA_NS
from . import fields, io_mappings
from .dialects import camunda7
from .local_variables import WRITTEN

LISTENERS = "listeners"
"""The extensions key of an element's listeners."""
TAKE = "take_listeners"
"""The extensions key of the `take` listeners of the flows into an element, by source element id."""
EXECUTION_EVENTS = ("start", "end", "take")
TASK_EVENTS = ("create", "assignment", "complete", "delete")
_STARTED = "listeners_started"
"""Internal data: the element's start (and create) listeners ran (its task updates more than once)."""


def read(node: etree._Element, source_name: str, task_listeners: bool) -> list[dict[str, Any]]:
    """The listeners of one element (its own extensions, not a nested element's), in order."""
    found = []
    for extensions in node:
        if not (isinstance(extensions.tag, str) and etree.QName(extensions).localname == "extensionElements"):
            continue
        for listener in extensions:
            if not isinstance(listener.tag, str):
                continue
            kind = etree.QName(listener)
            if kind.namespace != CAMUNDA_NS or kind.localname not in ("executionListener", "taskListener"):
                continue
            found.append(
                _listener(listener, node, source_name, kind.localname == "taskListener" and task_listeners)
            )
    return found


def _listener(listener: etree._Element, node: etree._Element, source_name: str, task: bool) -> dict[str, Any]:
    where = f"{source_name}:{listener.sourceline or '?'}: {etree.QName(node).localname} '{node.get('id')}'"
    event = (listener.get("event") or ("create" if task else "start")).strip()
    if etree.QName(node).localname == "sequenceFlow":
        event = "take"  # Camunda: a flow's listeners listen to its being taken, whatever they say
    allowed = TASK_EVENTS if task else EXECUTION_EVENTS
    if event not in allowed:
        raise InvalidModel(
            f"{where}: a {'task' if task else 'execution'} listener on event '{event}' is not supported "
            f"({', '.join(allowed)})",
            line=listener.sourceline,
            element=node.get("id"),
        )
    return {"event": event, "task": task, **_code(listener, where)}


def _code(listener: etree._Element, where: str) -> dict[str, Any]:
    """What the listener runs: a microflow binding, an expression's Python, or a Python script."""
    script = listener.find(f"{{{CAMUNDA_NS}}}script")
    if script is not None:
        language = (script.get("scriptFormat") or "").strip().lower()
        if language != "python" or script.get("resource"):
            what = "a script resource" if script.get("resource") else f"a {language or 'unnamed'} script"
            raise InvalidModel(f"{where}: a listener with {what} is not supported; only inline Python runs")
        return {"script": script.text or ""}
    # The service task's rule names the microflow, from the listener's plain attributes.
    try:
        binding = camunda7.code_binding(
            listener.get("class"), listener.get("delegateExpression"), listener.get("expression")
        )
    except expressions.UnsupportedExpression as exc:
        text = exc.expression.strip()
        raise InvalidModel(
            f"{where}: the listener's expression {text!r} is not supported: {exc.reason}"
        ) from None
    if binding is None:
        raise InvalidModel(f"{where}: the listener names no class, expression, delegateExpression or script")
    if binding.get("expression") is not None:
        return {"expression": binding["expression"]}
    found: dict[str, Any] = {key: binding[key] for key in ("name", "fallback", "args") if key in binding}
    try:
        # Camunda injects camunda:fields into a listener's class or delegate (engine.definitions.fields).
        found[fields.FIELDS] = fields.read(listener)
    except fields.FieldProblem as exc:
        raise InvalidModel(f"{where}: {exc}", line=listener.sourceline) from None
    return {"binding": found}


def attach(spec: Any, node: etree._Element, source_name: str, task_listeners: bool) -> None:
    """Read the element's listeners into its spec."""
    found = read(node, source_name, task_listeners)
    if found:
        spec.extensions[LISTENERS] = found


def attach_process(specs: dict[str, Any], node: etree._Element, source_name: str) -> None:
    """A process's own execution listeners: `start` runs as an instance starts, `end` as it ends."""
    for listener in read(node, source_name, False):
        holder = specs["Start"] if listener["event"] == "start" else specs.get("End")
        if holder is None or listener["event"] == "take":
            continue
        extensions = holder.extensions if isinstance(getattr(holder, "extensions", None), dict) else {}
        extensions.setdefault(LISTENERS, []).append(listener)
        holder.extensions = extensions


def attach_take(target_spec: Any, flow: etree._Element, source_name: str) -> None:
    """Read a sequence flow's `take` listeners into the spec of the element it leads to."""
    found = [each for each in read(flow, source_name, False) if each["event"] == "take"]
    if found:
        takes = target_spec.extensions.setdefault(TAKE, {})
        takes.setdefault(flow.get("sourceRef", ""), []).extend(found)


def arm(process_specs: list[Any]) -> None:
    """Connect the listeners of these specs' elements to their events."""
    for process in process_specs:
        for spec in process.task_specs.values():
            extensions = getattr(spec, "extensions", None)
            if not isinstance(extensions, dict) or not (LISTENERS in extensions or TAKE in extensions):
                continue
            if isinstance(spec, BpmnStartTask):
                # A process's start listeners: its Start task is made ready, never updated.
                if not spec.completed_event.is_connected(_process_started):
                    spec.completed_event.connect(_process_started)
            elif not spec.update_event.is_connected(_began):
                spec.update_event.connect(_began)
                spec.completed_event.connect(_ended)
                spec.cancelled_event.connect(_cancelled)


def run(task: Any, event: str) -> None:
    """Run the task's listeners of `event` (the task service calls this for `assignment`)."""
    for listener in task.task_spec.extensions.get(LISTENERS, ()):
        if listener["event"] == event:
            _call(task, listener)


def _call(task: Any, listener: dict[str, Any]) -> None:
    scripts = task.workflow.script_engine
    early = listener["event"] in ("start", "take") and scripts.process_variables
    before = copy.deepcopy(task.data) if early else {}
    with listening(listener["event"]):  # Camunda's execution.eventName
        scripts.run_listener(task, listener)
    if early:
        # What a start or take listener sets is the process's at once (Camunda), not only when
        # the task completes: the step gives it to the scope (engine.runtime.scopes).
        changed = [name for name, value in task.data.items() if before.get(name, _UNSET) != value]
        if changed:
            task.internal_data.setdefault(WRITTEN, []).extend(changed)


_UNSET = object()


def _began(workflow: Any, task: Any) -> None:
    if task.internal_data.get(_STARTED):
        return
    task.internal_data[_STARTED] = True
    io_mappings.activate(task)  # the element's inputs first: its start listeners see them
    # The flow's sourceRef names the spec (its id as the rewrite left it, `dialects.rewrite`).
    parent = task.parent.task_spec.name if task.parent is not None else None
    for source, takes in task.task_spec.extensions.get(TAKE, {}).items():
        if source == parent or len(task.task_spec.extensions[TAKE]) == 1:
            for listener in takes:
                _call(task, listener)
    run(task, "start")
    if any(each["task"] for each in task.task_spec.extensions.get(LISTENERS, ())):
        run(task, "create")
        if task.task_spec.extensions.get("assignment", {}).get("assignee"):
            run(task, "assignment")


def _process_started(workflow: Any, task: Any) -> None:
    run(task, "start")


def _ended(workflow: Any, task: Any) -> None:
    run(task, "complete")
    run(task, "end")
    io_mappings.complete(task)  # then the outputs: they see what the end listeners set


def _cancelled(workflow: Any, task: Any) -> None:
    if task.internal_data.get(_STARTED):
        run(task, "delete")
