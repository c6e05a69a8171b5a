"""Input and output mappings on any activity or event: `zeebe:ioMapping` and `camunda:inputOutput`.

Both editors let a model map variables around an element. Inputs are evaluated, in order, into
local variables just before the element activates: the element (and, for a subprocess, what runs
inside it) sees them; the enclosing scope does not. Outputs are evaluated, in order, when the
element completes, over its locals and what it produced (a form's values, a message's, a
subprocess's), and written to the enclosing scope; a dotted target (`order.total`) writes into a
nested context. Zeebe's rule (`only_outputs`): when an element has outputs, only they propagate —
what the element itself produced stays local; Camunda 7 has no such rule.

Service tasks keep their mappings in their microflow binding (inputs are the microflow's arguments,
outputs map its result), so they are not read here. The mapping is read at deploy time into the
spec's `extensions["io"]`: {"inputs": [[target, source]], "outputs": [[target, source]],
"only_outputs": bool}, each source Python (`engine.expressions`), and run by the events `arm`
connects (task specs' events are not stored with them).
"""

from __future__ import annotations

import ast
import copy
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity

from .. import expressions
from ..errors import InvalidModel
from ..expressions.script_engine import SCRIPT_PREFIX, SCRIPT_RESULT
from ..namespaces import CAMUNDA_NS, ZEEBE_NS
from ..variables import assign_path
from .local_variables import IO_LOCALS, find_task

IO = "io"
"""The extensions key of an element's mappings."""
_ACTIVATED = "io_activated"
"""Internal data: the element's inputs were evaluated (its task updates more than once)."""
_COMPLETED = "io_completed"
"""Internal data: the element's outputs were applied."""
INTERNAL = frozenset({"data_objects"})
"""Data keys SpiffWorkflow keeps for itself (engine.runtime.scopes)."""
SCRIPTED = ("python",)
"""Script languages a `camunda:script` parameter may use."""


def read(node: etree._Element, source_name: str = "") -> dict[str, Any] | None:
    """The element's mappings, or None when it has none. Raises InvalidModel for what cannot run."""
    try:
        return _read(node, source_name)
    except expressions.UnsupportedExpression as exc:
        label = f"{etree.QName(node).localname} '{node.get('id')}'"
        where = f"{source_name}:{node.sourceline or '?'}: {label}"
        raise InvalidModel(
            f"{where}: mapping {exc.expression.strip()!r} is not supported: {exc.reason}",
            line=node.sourceline,
            element=node.get("id"),
        ) from None


def _read(node: etree._Element, source_name: str) -> dict[str, Any] | None:
    zeebe = node.find(f"{{{ZEEBE_NS}}}extensionElements/{{{ZEEBE_NS}}}ioMapping")
    if zeebe is None:
        zeebe = _extension(node, ZEEBE_NS, "ioMapping")
    if zeebe is not None:
        inputs = [_zeebe(m) for m in zeebe.findall(f"{{{ZEEBE_NS}}}input")]
        outputs = [_zeebe(m) for m in zeebe.findall(f"{{{ZEEBE_NS}}}output")]
        return _mapping(inputs, outputs, only_outputs=True)
    camunda = _extension(node, CAMUNDA_NS, "inputOutput")
    if camunda is not None:
        inputs = [_camunda(p, source_name) for p in camunda.findall(f"{{{CAMUNDA_NS}}}inputParameter")]
        outputs = [_camunda(p, source_name) for p in camunda.findall(f"{{{CAMUNDA_NS}}}outputParameter")]
        return _mapping(inputs, outputs, only_outputs=False)
    return None


def _extension(node: etree._Element, ns: str, local: str) -> etree._Element | None:
    """The element's own extension (not one of an element nested in it, as a subprocess's are)."""
    for extensions in node:
        if isinstance(extensions.tag, str) and etree.QName(extensions).localname == "extensionElements":
            found = extensions.find(f"{{{ns}}}{local}")
            if found is not None:
                return found
    return None


def _mapping(inputs: list[list[str]], outputs: list[list[str]], only_outputs: bool) -> dict[str, Any] | None:
    if not inputs and not outputs:
        return None
    return {"inputs": inputs, "outputs": outputs, "only_outputs": only_outputs and bool(outputs)}


def _zeebe(mapping: etree._Element) -> list[str]:
    return [mapping.get("target", ""), expressions.literal_or_expression(mapping.get("source", ""))]


def _camunda(param: etree._Element, source_name: str) -> list[str]:
    return [param.get("name", ""), parameter_source(param, source_name)]


def parameter_source(value: etree._Element, source_name: str = "") -> str:
    """Python source for a parameter's value: text or JUEL, a list, a map or a Python script."""
    for nested in value:
        if not isinstance(nested.tag, str) or nested.tag.split("}")[0] != "{" + CAMUNDA_NS:
            continue
        kind = etree.QName(nested).localname
        if kind == "list":
            items = [parameter_source(v, source_name) for v in nested if _is(v, "value")]
            return "[" + ", ".join(items) + "]"
        if kind == "map":
            # Camunda 7 evaluates the entries in the order of their keys' text (a TreeMap of them):
            # where two keys evaluate to the same value, the later one in that order wins.
            entries = [
                f"{_key(entry)}: {parameter_source(entry, source_name)}"
                for entry in sorted((e for e in nested if _is(e, "entry")), key=lambda e: e.get("key", ""))
            ]
            return "{" + ", ".join(entries) + "}"
        if kind == "script":
            return _script(nested, value, source_name)
    text = value.text or ""
    if not text.strip():
        return "None"  # Camunda: a parameter without a value is null
    return expressions.literal_or_expression(text)


def _key(entry: etree._Element) -> str:
    """Python source for a map entry's key: text, or an expression (`key="${name}"`), as Camunda 7
    evaluates it."""
    return expressions.literal_or_expression(entry.get("key", ""))


def _is(element: Any, local: str) -> bool:
    return isinstance(element.tag, str) and element.tag == f"{{{CAMUNDA_NS}}}{local}"


def _script(script: etree._Element, param: etree._Element, source_name: str) -> str:
    """A Python script's value is its last expression's; other languages are refused by name."""
    language = (script.get("scriptFormat") or "").strip().lower()
    where = f"{source_name}:{script.sourceline or '?'}: parameter '{param.get('name')}'"
    if language not in SCRIPTED:
        raise InvalidModel(
            f"{where}: a {language or 'unnamed'} script is not supported; only Python scripts run",
            line=script.sourceline,
        )
    if script.get("resource"):
        raise InvalidModel(f"{where}: a script resource is not supported; inline Python only")
    source = (script.text or "").strip()
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise InvalidModel(f"{where}: the Python script does not parse: {exc.msg}") from None
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        tree.body[-1] = ast.Assign([ast.Name(SCRIPT_RESULT, ast.Store())], last.value)
        ast.fix_missing_locations(tree)
    return SCRIPT_PREFIX + ast.unparse(tree)


def attach(spec: Any, node: etree._Element, specs: dict[str, Any], source_name: str) -> None:
    """Read the element's mappings into its spec (a multi-instance activity's: into each instance's);
    `specs` are the task specs of its process."""
    found = read(node, source_name)
    if found is None:
        return
    target = specs[spec.task_spec] if isinstance(spec, LoopTask) else spec
    target.extensions[IO] = found


def arm(process_specs: list[Any]) -> None:
    """Run the mappings of these specs' elements as they activate and complete."""
    for process in process_specs:
        for spec in process.task_specs.values():
            if has_io(spec) and not spec.update_event.is_connected(_activated):
                spec.update_event.connect(_activated)
                spec.completed_event.connect(_completed)


def has_outputs(spec: Any) -> bool:
    """Whether the spec's element has output mappings."""
    return has_io(spec) and bool(spec.extensions[IO]["outputs"])


def has_io(spec: Any) -> bool:
    """Whether the spec's element has input or output mappings."""
    extensions = getattr(spec, "extensions", None)
    return isinstance(extensions, dict) and IO in extensions


def activate(task: Any) -> None:
    """Apply the inputs of an activating task now, if it has mappings (once: its update event applies
    them too). Its start listeners call this first, whichever listener is connected first."""
    if has_io(task.task_spec):
        _activated(task.workflow, task)


def _activated(workflow: Any, task: Any) -> None:
    """Inputs, once, when the element's task first takes its data."""
    if _ACTIVATED in task.internal_data:
        return
    mapping = task.task_spec.extensions[IO]
    names = []
    for target, source in mapping["inputs"]:
        assign_path(task.data, target, _evaluate(task, source))
        names.append(target.split(".", 1)[0])
    task.internal_data[_ACTIVATED] = True
    task.internal_data[IO_LOCALS] = names


def complete(task: Any) -> None:
    """Apply the outputs of a completing task now, if it has mappings (once: the completion event
    applies them too). A multi-instance activity calls this before it merges an instance's data,
    whichever of the completion's listeners runs first."""
    if has_io(task.task_spec):
        _completed(task.workflow, task)


def _completed(workflow: Any, task: Any) -> None:
    """Outputs into the enclosing scope; the element's locals (and, by Zeebe's rule, whatever else it
    produced) go back to the scope's values, so the path after it sees only what is mapped."""
    if task.internal_data.get(_COMPLETED):
        return
    task.internal_data[_COMPLETED] = True
    mapping = task.task_spec.extensions[IO]
    values = [(target, _evaluate(task, source)) for target, source in mapping["outputs"]]
    # Without process variables (SpiffArena's task data) there is no scope to go back to: the
    # locals are dropped.
    process_variables = task.workflow.script_engine.process_variables
    scope = scope_data(task) if process_variables else {}
    locals_ = set(task.internal_data.get(IO_LOCALS, ()))
    if mapping["only_outputs"] and process_variables:
        locals_ |= {
            name
            for name, value in task.data.items()
            if name not in INTERNAL and scope.get(name, _MISSING) != value
        }
    for name in locals_:
        if name in scope:
            task.data[name] = copy.deepcopy(scope[name])
        else:
            task.data.pop(name, None)
    for target, value in values:
        assign_path(task.data, target, value)
    task.internal_data[IO_LOCALS] = []  # what remains differs from the scope only by the outputs


_MISSING = object()


def _evaluate(task: Any, source: str) -> Any:
    return copy.deepcopy(task.workflow.script_engine.evaluate_mapping(task, source))


def scope_data(task: Any) -> dict[str, Any]:
    """The data of the process instance scope `task` belongs to (its workflow's, up to the top or
    the call activity that started it)."""
    top = task.workflow.top_workflow
    workflow = task.workflow
    while workflow is not top and workflow.parent_task_id is not None:
        parent = find_task(top, workflow.parent_task_id)
        if parent is None or isinstance(parent.task_spec, CallActivity):
            break
        workflow = parent.workflow
    data: dict[str, Any] = workflow.data
    return data
