"""The call activity: the process it calls, found when it is reached, and the variables it passes.

Its `calledElement` names the process, or is an expression (`${name}`, `#{name}`, `=name`)
evaluated when the activity is reached, so each activation (each instance of a multi-instance
one) may call another process. The evaluated name is kept with the task (`CALLED_ELEMENT`),
which is how a restored instance finds the process its call runs. Which version is called
(Camunda's `calledElementBinding`) is read at deploy (`read_call`) into the spec's extensions; the
runtime's `called_process` (engine.runtime.called) puts that version's spec among the workflow's.

Variables: Camunda 7's `camunda:in` / `camunda:out` (`local="true"`: the call activity's own
locals — its input mappings' going in, and coming out variables only its output mappings see),
Zeebe's propagation flags, else everything both ways (SpiffWorkflow). Camunda 7 also passes the
`camunda:out` variables when an error or escalation thrown in the called process is caught on the
call activity (`outputs_on_error`).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import CodeEventDefinition
from SpiffWorkflow.spiff.specs.defaults import CallActivity as SpiffCallActivity
from SpiffWorkflow.util.task import TaskState

from .. import expressions
from ..namespaces import CAMUNDA_NS, ZEEBE_NS
from . import io_mappings
from .local_variables import IO_LOCALS

CALLED_EXPRESSION = "called_expression"
"""The extensions key of a call activity whose calledElement is an expression: its Python."""
CALLED_ELEMENT = "called_element"
"""Internal data of a call activity's task: the process its calledElement expression named."""


class CallActivity(SpiffCallActivity):
    """A call activity that finds the process it calls when it is reached (see the module).

    When the runtime finds no such process deployed it marks an incident on the task instead,
    and the task waits there until the incident is retried.
    """

    def start_workflow(self, my_task: Any) -> None:
        top = my_task.workflow.top_workflow
        key = self.called_element(my_task)
        resolve = getattr(top.script_engine, "called_process", None)
        if resolve is not None and not resolve(my_task, self, key):
            return  # an incident on the task: it waits, started, without a subprocess
        if not isinstance(key, str) or key not in top.subprocess_specs:
            my_task.error()
            raise WorkflowTaskException(f"The called process '{key}' was not found.", task=my_task)
        # SpiffWorkflow's start_workflow, with the evaluated name instead of the spec's.
        subworkflow = top.create_subprocess(my_task, key)
        subworkflow.completed_event.connect(self._on_subworkflow_completed, my_task)
        self.copy_data(my_task, subworkflow)
        subworkflow.get_next_task(spec_name="Start").run()

    def called_element(self, my_task: Any) -> Any:
        """The process this activation calls: the calledElement, or its expression's value now."""
        expression = self._extension(CALLED_EXPRESSION)
        if not isinstance(expression, str):
            return self.spec
        value = my_task.workflow.script_engine.evaluate(my_task, expression)
        my_task.internal_data[CALLED_ELEMENT] = value
        return value

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        """What the called process starts with: as the model's variable mappings say
        (`called_variables`), else everything (SpiffWorkflow)."""
        mapping = self._variables
        if mapping is None:
            super().copy_data(my_task, subworkflow)
            return
        if mapping["dialect"] == "camunda8":
            data = dict(my_task.data) if mapping["parent"] else _locals_of(my_task)
        else:
            data = {}
            for each in mapping["in"]:
                data.update(_mapped(my_task, my_task, each))
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**deepcopy(data))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        """What the caller takes back when the called process ends: as its mappings say, else
        everything. (Output mappings of the call activity then apply: io_mappings.)"""
        mapping = self._variables
        if mapping is None:
            super().update_data(my_task, subworkflow)
            return
        end = subworkflow.last_task
        if mapping["dialect"] == "camunda8":
            # Without propagation only the outputs may take values back; they are evaluated over
            # the child's variables, so the child's variables are seen, then kept local.
            if mapping["child"] or io_mappings.has_outputs(self):
                my_task.data.update(deepcopy(end.data))
            return
        for each in mapping["out"]:
            taken = _mapped(end, my_task, each)
            if each["local"]:
                # Camunda 7: locals of the call activity, seen by its output mappings alone (they
                # go back to the scope's values as it completes, io_mappings).
                if not io_mappings.has_io(self):
                    continue
                names = my_task.internal_data.setdefault(IO_LOCALS, [])
                names.extend(name for name in taken if name not in names)
            my_task.data.update(deepcopy(taken))

    def outputs_now(self, my_task: Any, subworkflow: Any) -> dict[str, Any] | None:
        """What Camunda 7's `camunda:out` mappings (but local ones, which end with the activity)
        take from the called process as it stands now; None for other dialects."""
        mapping = self._variables
        if mapping is None or mapping["dialect"] != "camunda7":
            return None
        # A live task of the called process holds its variables as they are (engine.runtime.scopes).
        live = (t for t in subworkflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK))
        source = next(live, None) or subworkflow.last_task or subworkflow.task_tree
        taken: dict[str, Any] = {}
        for each in mapping["out"]:
            if not each["local"]:
                taken.update(_mapped(source, my_task, each))
        return deepcopy(taken)

    @property
    def _variables(self) -> dict[str, Any] | None:
        found = self._extension("called_variables")
        return found if isinstance(found, dict) else None

    @property
    def binding(self) -> dict[str, Any]:
        """How the called process's version is chosen: {"binding": latest|version|deployment, "version"}."""
        found = self._extension("called_binding")
        return found if isinstance(found, dict) else {"binding": "latest", "version": None}

    def _extension(self, key: str) -> Any:
        extensions = self.extensions if isinstance(self.extensions, dict) else {}
        return extensions.get(key)


def read_call(node: etree._Element, dialect: str) -> dict[str, Any]:
    """The call activity's extensions: which version it calls (`called_binding`, Camunda 7's
    `calledElementBinding` and `calledElementVersion`; latest elsewhere, as Zeebe does), the
    variables it passes (`called_variables`) and its calledElement expression's Python
    (`CALLED_EXPRESSION`). Raises ValueError saying what cannot run."""
    binding = (node.get(f"{{{CAMUNDA_NS}}}calledElementBinding") or "latest").strip().lower()
    if binding not in ("latest", "version", "deployment"):
        raise ValueError(f"calledElementBinding '{binding}' is not supported (latest, version, deployment)")
    version = node.get(f"{{{CAMUNDA_NS}}}calledElementVersion")
    if binding == "version" and not (version or "").strip().isdigit():
        raise ValueError("calledElementBinding 'version' needs calledElementVersion, a version number")
    found: dict[str, Any] = {
        "called_binding": {
            "binding": binding,
            "version": int(version) if binding == "version" and version else None,
        },
        "called_variables": called_variables(node, dialect),
    }
    called = node.get("calledElement") or ""
    if expressions.is_expression(called):
        try:
            found[CALLED_EXPRESSION] = expressions.translate(called)
        except expressions.UnsupportedExpression as exc:
            raise ValueError(f"calledElement {called!r} is not supported: {exc.reason}") from None
    return found


def called_variables(node: etree._Element, dialect: str) -> dict[str, Any] | None:
    """Which variables a call activity passes to the process it calls and takes back (None: all,
    both ways, as SpiffWorkflow does — plain BPMN and SpiffArena models).

    Camunda 7 (and Flowable) pass only what `camunda:in` says and take back only what
    `camunda:out` says — `variables="all"` (with `local="true"`: the call activity's own locals),
    `source`, `sourceExpression` → `target`. Zeebe passes and takes all unless
    `zeebe:calledElement` turns `propagateAllParentVariables` / `propagateAllChildVariables` off.
    """
    if dialect == "camunda7":
        return {
            "dialect": "camunda7",
            "in": [_mapping(m) for m in node.iter(f"{{{CAMUNDA_NS}}}in")],
            "out": [_mapping(m) for m in node.iter(f"{{{CAMUNDA_NS}}}out")],
        }
    called = node.find(f".//{{{ZEEBE_NS}}}calledElement")
    if dialect == "camunda8" and called is not None:
        return {
            "dialect": "camunda8",
            "parent": called.get("propagateAllParentVariables", "true").strip().lower() != "false",
            "child": called.get("propagateAllChildVariables", "true").strip().lower() != "false",
        }
    return None


def _mapping(element: etree._Element) -> dict[str, Any]:
    expression = element.get("sourceExpression")
    return {
        "all": (element.get("variables") or "").strip() == "all",
        "local": (element.get("local") or "").strip() == "true",
        "source": element.get("source"),
        # Camunda 7: text without ${…} is a literal (JUEL's composite text), not a variable.
        "expression": expressions.literal_or_expression(expression) if expression else None,
        "target": element.get("target"),
    }


def outputs_on_error(boundary_task: Any, event: Any) -> None:
    """Camunda 7: an error or escalation from the called process, caught by a boundary event of
    the call activity, passes the activity's `camunda:out` variables to the path it takes."""
    if not isinstance(event.event_definition, CodeEventDefinition):  # an error or an escalation
        return
    split = boundary_task.parent
    for main in split.children if split is not None else ():
        spec = main.task_spec
        if isinstance(spec, CallActivity):  # the activity the boundary event is attached to
            subworkflow = main.workflow.top_workflow.subprocesses.get(main.id)
            taken = spec.outputs_now(main, subworkflow) if subworkflow is not None else None
            if taken:
                boundary_task.data.update(taken)


def _mapped(source: Any, owner: Any, mapping: dict[str, Any]) -> dict[str, Any]:
    """The variables one `camunda:in`/`camunda:out` mapping carries from `source`'s data (a task of
    the scope it reads); `owner` is the call activity's task, whose locals `local="true"` means."""
    if mapping["all"]:
        return _locals_of(owner) if mapping["local"] and source is owner else dict(source.data)
    target = mapping["target"] or mapping["source"]
    if not target:
        return {}
    if mapping["expression"] is not None:
        return {target: source.workflow.script_engine.evaluate(source, mapping["expression"])}
    return {target: source.data.get(mapping["source"])}


def _locals_of(task: Any) -> dict[str, Any]:
    """The call activity's own local variables (its input mappings')."""
    names = task.internal_data.get(IO_LOCALS, ())
    return {name: task.data[name] for name in names if name in task.data}


class CalledWorkflowConverter(BpmnSubWorkflowConverter):
    """SpiffWorkflow's converter of a subprocess's state, restoring a called process whose name
    an expression gave (`CALLED_ELEMENT`) with that process's spec."""

    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: Any) -> Any:
        called = task.internal_data.get(CALLED_ELEMENT)
        if not isinstance(called, str) or called not in top_workflow.subprocess_specs:
            return super().from_dict(dct, task, top_workflow)
        subprocess = self.target_class(
            top_workflow.subprocess_specs[called], task.id, top_workflow, deserializing=True
        )
        subprocess.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=subprocess)
        subprocess.task_tree = subprocess.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess
