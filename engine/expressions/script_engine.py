"""The script engine: evaluates scripts and conditions, and calls microflows for service tasks."""

from __future__ import annotations

import copy
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition

from ..errors import EngineError, InvalidInput, MicroflowFailed, NotFound
from ..microflows import BpmnError, CallContext, MicroflowRegistry
from ..variables import assign_path, check_json, check_names
from . import spiffarena
from .execution import ScriptExecution
from .juel_objects import Evaluation, evaluating
from .sandbox import SandboxedEnvironment
from .translate import FUNCTIONS

SCRIPT_PREFIX = "script:"
"""A mapping source that is a script, not an expression (Camunda 7's `camunda:script`)."""
SCRIPT_RESULT = "_fb_result"
"""The variable a mapping script's last expression is stored in."""
RESOLVED_NAME = "microflow_name"
"""Internal data: the microflow a job type expression named for this task."""
ASYNC_INPUT = "flowbridge_async_input"
"""Internal data key: an async microflow's input, waiting to be written into its job."""
FIELD_VALUES = "flowbridge_field_values"
"""Internal data key: the values of an async microflow's `camunda:field`s, for its job's context."""
FIELDS = "fields"
"""The binding key of a task's or listener's `camunda:field`s (engine.definitions.fields)."""
CAMUNDA_SCRIPT = "camunda_script"
"""A script task's extensions key: its script runs as Camunda 7 runs one (`run_camunda_script`); the
value's "dynamic" is the Python of the expression that gives the script's source, or None."""


class FlowbridgeScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's Python script engine, bound to one instance and the microflow registry.

    Scripts and conditions in models run in the sandbox (engine.expressions.sandbox) unless
    `sandboxed` is off, for a trusted deployment: then they are plain Python `exec` and `eval`.
    """

    def __init__(
        self,
        registry: MicroflowRegistry,
        instance_id: str,
        process_variables: bool = False,
        sandboxed: bool = True,
        business_key: str | None = None,
    ) -> None:
        # Translated JUEL and FEEL expressions call their helpers by name.
        helpers = dict(FUNCTIONS)
        super().__init__(environment=self._environment(helpers, sandboxed, process_variables))
        self.registry = registry
        self.instance_id = instance_id
        self.process_variables = process_variables
        """The model keeps process variables (engine.runtime.scopes), not SpiffArena's task data."""
        self.pending_errors: list[tuple[Any, BpmnError]] = []
        self.business_key = business_key
        """The instance's business key, which JUEL reads as `execution.processBusinessKey` (None: none
        given, or not passed in by the runtime)."""

    # -- SpiffArena's script environment (issue 14 point 12) ---------------------------------------

    @staticmethod
    def _environment(
        helpers: dict[str, Any], sandboxed: bool, process_variables: bool
    ) -> TaskDataEnvironment:
        """The environment scripts and conditions run in: SpiffArena models (task data, not process
        variables) get SpiffArena's globals, import and dot access (engine.expressions.spiffarena);
        the other dialects only the translated expressions' helpers."""
        if not process_variables:
            return spiffarena.environment(helpers, sandboxed)
        return SandboxedEnvironment(helpers) if sandboxed else TaskDataEnvironment(helpers)

    # -- end of SpiffArena's script environment ---------------------------------------------------

    def evaluate(self, task: Any, expression: Any, external_context: Any = None) -> Any:
        """SpiffWorkflow's evaluation, but a conditional event's condition over a variable that is
        not set is false (BPMN, Camunda), not an error: the event keeps waiting for it."""
        # JUEL's read-only `execution` and `task` (engine.expressions.juel_objects) show this instance
        # and this task while the expression runs.
        with evaluating(self.instance_id, self.business_key, task):
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, ConditionalEventDefinition) and expression == definition.expression:
                try:
                    return self.environment.evaluate(expression, task.data, external_context)
                except NameError:
                    return False
            return super().evaluate(task, expression, external_context)

    def evaluate_mapping(self, task: Any, source: str, external_context: Any = None) -> Any:
        """A mapping's value (engine.definitions.io_mappings): an expression's, or, for `script:`
        source (Camunda 7's), the value a script left in `_fb_result`, run over a copy of the task's
        data with Camunda's `execution`."""
        if source.startswith(SCRIPT_PREFIX):
            scratch = {**copy.deepcopy(task.data), **(external_context or {})}
            scratch.pop("execution", None)
            execution = ScriptExecution(Evaluation(self.instance_id, self.business_key, task), scratch)
            self.environment.execute(source.removeprefix(SCRIPT_PREFIX), scratch, {"execution": execution})
            return scratch.get(SCRIPT_RESULT)
        return self.evaluate(task, source, external_context=external_context)

    def execute(self, task: Any, script: Any, external_context: Any = None) -> bool:
        """Run a script; a Camunda 7 script task's own script as Camunda runs it, its source first
        evaluated when it is an expression (`${scriptSource}`)."""
        extensions = getattr(task.task_spec, "extensions", None)
        how = extensions.get(CAMUNDA_SCRIPT) if isinstance(extensions, dict) else None
        if how is None or script != getattr(task.task_spec, "script", None):
            return bool(super().execute(task, script, external_context))
        source = script if how.get("dynamic") is None else self._dynamic_source(task, how["dynamic"])
        self.run_camunda_script(task, source, external_context)
        return True

    def run_camunda_script(self, task: Any, source: str, external_context: Any = None) -> None:
        """Run Python as Camunda 7 runs a script (its autoStoreScriptVariables off): the variables
        readable by name, `execution` bound (engine.expressions.execution), and the script's own
        names never stored; only `execution.setVariable` sets a variable."""
        scratch = copy.deepcopy(task.data)
        scratch.pop("execution", None)  # Camunda's binding wins over a variable of that name
        evaluation = Evaluation(self.instance_id, self.business_key, task)
        context = {**(external_context or {}), "execution": ScriptExecution(evaluation, scratch)}
        with evaluating(self.instance_id, self.business_key, task):
            try:
                self.environment.execute(source, scratch, context)
            except Exception as err:
                raise self.create_task_exec_exception(task, source, err) from err

    def _dynamic_source(self, task: Any, expression: str) -> str:
        source = self.evaluate(task, expression)
        if not isinstance(source, str):
            why = TypeError(
                f"the script's source expression gave {type(source).__name__} {source!r}, not text"
            )
            raise self.create_task_exec_exception(task, expression, why)
        return source

    def resolved(self, task: Any, binding: dict[str, Any]) -> dict[str, Any]:
        """The binding with the microflow's name its job type expression gives (Zeebe's `type="=…"`),
        evaluated once when the task is reached and kept with it; the binding itself otherwise."""
        if not binding.get("name_expression"):
            return binding
        name = task.internal_data.get(RESOLVED_NAME)
        if name is None:
            name = task.internal_data[RESOLVED_NAME] = str(self.evaluate(task, binding["name_expression"]))
        return {**binding, "name": name}

    def run_microflow(self, task: Any, spec: Any) -> bool | None:
        """Run the task's microflow inline; True when done, None when a BpmnError interrupted it."""
        binding = self.resolved(task, spec.microflow)
        name = binding["name"]
        element = spec.bpmn_id
        if binding.get("expression") is not None:
            # Camunda 7's value expression (`camunda:expression="${x > 5}"`): evaluated in the step.
            self._apply(task, binding, name, self.evaluate(task, binding["expression"]))
            return True
        flow = self._find(binding, f"task '{element}'", element)
        fields = self._field_values(task, binding, f"task '{element}'")
        inputs = {**self._inputs(task, binding, flow), **fields}
        if (binding.get("mode") or flow.mode) == "async":
            # A wait state: the step saves the task waiting, with a job that carries these inputs.
            check_json(inputs, f"the input of microflow '{name}' in task '{element}'")
            task.internal_data[ASYNC_INPUT] = inputs
            if fields:
                task.internal_data[FIELD_VALUES] = fields
            return None
        context = self._context(task, name, headers=dict(binding.get("headers") or {}), fields=fields)
        try:
            result = flow.call(inputs, context)
        except BpmnError as err:
            # Routed once the task waits (STARTED), as an async one's is: see route_errors.
            self.pending_errors.append((task, err))
            return None
        except EngineError as exc:
            raise MicroflowFailed(
                f"task '{element}': microflow '{name}' refused its input: {exc.message}",
                task=element,
                microflow=name,
            ) from exc
        except Exception as exc:
            raise MicroflowFailed(
                f"task '{element}': microflow '{name}' raised {type(exc).__name__}: {exc}",
                task=element,
                microflow=name,
            ) from exc
        check_json(result, f"the result of microflow '{name}' in task '{element}'")
        self._apply(task, binding, name, result)
        return True

    def call_bean(self, task: Any, name: str, args: list[str], where: str | None = None) -> Any:
        """Camunda 7's bean method call in a task's assignee, candidates or due date
        (`${ldap.managerOf(employee)}`), or in a field (`where` says whose): the microflow `name`,
        with the evaluated arguments given to its parameters in order; its value."""
        element = task.task_spec.bpmn_id
        binding = {"name": name, "args": args}
        where = where or f"user task '{element}'"
        flow = self._find(binding, where, element)
        context = self._context(task, name, key=name)
        return self._call_alone(flow, self._positional(task, binding, flow), context, where)

    def run_listener(self, task: Any, listener: dict[str, Any]) -> None:
        """Run one task or execution listener (engine.definitions.listeners) in the step: its
        microflow with the task's variables (a dict it returns sets variables), its expression, or
        its Python script."""
        if "script" in listener:
            self.run_camunda_script(task, listener["script"])
            return
        if "expression" in listener:
            self.evaluate(task, listener["expression"])
            return
        binding, element, event = listener["binding"], task.task_spec.bpmn_id, listener["event"]
        where = f"the {event} listener of '{element}'"
        flow = self._find(binding, where, element)
        fields = self._field_values(task, binding, where)
        if binding.get("args") is not None:
            inputs = self._positional(task, binding, flow)
        else:
            inputs = {**copy.deepcopy(task.data), **fields}
        context = self._context(task, flow.name, key=event, event=event, fields=fields)
        result = self._call_alone(flow, inputs, context, where)
        if isinstance(result, dict):
            check_names(result, f"the result of microflow '{binding['name']}'")
            task.data.update(result)

    def _field_values(self, task: Any, binding: dict[str, Any], where: str) -> dict[str, Any]:
        """The values of the binding's `camunda:field`s, their expressions evaluated now (a bean
        method call calls its microflow), each a copy."""
        values: dict[str, Any] = {}
        for name, value in (binding.get(FIELDS) or {}).items():
            if isinstance(value, dict) and value.get("microflow"):
                found = self.call_bean(task, value["microflow"], value["args"], f"field '{name}' of {where}")
            elif isinstance(value, dict):
                found = self.evaluate(task, value["python"])
            else:
                found = value
            values[name] = copy.deepcopy(found)
        return values

    def _find(self, binding: dict[str, Any], where: str, element: str) -> Any:
        """The microflow a binding names; MicroflowFailed saying `where` calls it when none is."""
        try:
            return self.registry.find(binding)
        except NotFound:
            name = binding["name"]
            also = f" (nor '{binding['fallback']}')" if binding.get("fallback") else ""
            raise MicroflowFailed(
                f"{where} calls microflow '{name}'{also}, which is not registered",
                task=element,
                microflow=name,
            ) from None

    def _context(self, task: Any, name: str, key: str | None = None, **extra: Any) -> CallContext:
        """The call context of a microflow the task calls; `key` tells its calls apart."""
        return CallContext(
            microflow=name,
            idempotency_key=f"{self.instance_id}:{task.id}" + (f":{key}" if key else ""),
            instance_id=self.instance_id,
            task_id=str(task.id),
            element_id=task.task_spec.bpmn_id,
            **extra,
        )

    def _call_alone(self, flow: Any, inputs: dict[str, Any], context: CallContext, where: str) -> Any:
        """Call a microflow whose failure fails the step (a bean or a listener); its JSON result."""
        try:
            result = flow.call(inputs, context)
        except Exception as exc:
            raise MicroflowFailed(
                f"{where}: microflow '{flow.name}' raised {type(exc).__name__}: {exc}",
                task=context.element_id,
                microflow=flow.name,
            ) from exc
        check_json(result, f"the result of microflow '{flow.name}' in {where}")
        return result

    def finish_async(self, task: Any, result: Any) -> None:
        """Apply an async microflow's result to its waiting task and complete the task."""
        spec = task.task_spec
        check_json(result, f"the result of microflow '{spec.microflow['name']}' in task '{spec.bpmn_id}'")
        self._apply(task, spec.microflow, spec.microflow["name"], result)
        task.complete()

    def route_errors(self) -> bool:
        """Route the BpmnErrors sync microflows raised this round; True if there were any."""
        pending, self.pending_errors = self.pending_errors, []
        for task, err in pending:
            spec = task.task_spec
            self._throw(task, spec.bpmn_id, spec.microflow["name"], err)
        return bool(pending)

    def fail_async(self, task: Any, err: BpmnError) -> None:
        """Route an async microflow's business error to the boundary event that catches it."""
        spec = task.task_spec
        self._throw(task, spec.bpmn_id, spec.microflow["name"], err)

    def _inputs(self, task: Any, binding: dict[str, Any], flow: Any) -> dict[str, Any]:
        # A copy, so a microflow that mutates its arguments cannot change the flow's variables.
        if binding.get("args") is not None:
            return self._positional(task, binding, flow)
        if binding["inputs"] is None:
            return copy.deepcopy(task.data)
        mapped = self._mapped_inputs(task, binding)
        if binding.get("dialect") in ("zeebe", "camunda7"):
            # A Zeebe job, an external task or a Java delegate sees every variable of its scope, the
            # input mappings (its local variables) over them; SpiffArena passes the parameters only.
            return {**copy.deepcopy(task.data), **mapped}
        return mapped

    def _mapped_inputs(self, task: Any, binding: dict[str, Any]) -> dict[str, Any]:
        """The values of the binding's input mappings, in order, each seeing the ones before."""
        mapped: dict[str, Any] = {}
        for target, expr in binding["inputs"] or ():
            value = copy.deepcopy(self.evaluate_mapping(task, expr, external_context=dict(mapped)))
            assign_path(mapped, target, value)
        return mapped

    def _positional(self, task: Any, binding: dict[str, Any], flow: Any) -> dict[str, Any]:
        """`${bean.method(a, b)}`: the arguments, evaluated, by the microflow's parameters in order."""
        args = [copy.deepcopy(self.evaluate(task, expr)) for expr in binding["args"]]
        names = list(flow.input_names)
        if len(args) > len(names):
            element = task.task_spec.bpmn_id
            raise MicroflowFailed(
                f"task '{element}' calls microflow '{flow.name}' with {len(args)} arguments; "
                f"it takes {len(names)} ({', '.join(names) or 'none'})",
                task=element,
                microflow=flow.name,
            )
        return dict(zip(names, args, strict=False))

    def _apply(self, task: Any, binding: dict[str, Any], name: str, result: Any) -> None:
        called = binding.get("args") is not None or binding.get("expression") is not None
        if called and not binding["outputs"] and not binding["result_variable"]:
            return  # Camunda 7: an expression's value is kept only in its resultVariable
        if binding["outputs"]:
            # The outputs see the task's locals (its inputs) and what the microflow returned.
            scope = {
                **self._mapped_inputs(task, binding),
                "result": result,
                **(result if isinstance(result, dict) else {}),
            }
            for target, expr in binding["outputs"]:
                assign_path(task.data, target, self.evaluate_mapping(task, expr, external_context=scope))
                head = target.split(".", 1)[0]
                scope[head] = task.data[head]
        elif binding["result_variable"]:
            task.data[binding["result_variable"]] = result
        elif isinstance(result, dict):
            try:
                check_names(result, f"the result of microflow '{name}'")
            except InvalidInput as exc:
                element = task.task_spec.bpmn_id
                raise MicroflowFailed(
                    f"task '{element}': {exc.message}", task=element, microflow=name
                ) from None
            task.data.update(result)
        elif result is not None:
            task.data[name] = result

    def _throw(self, task: Any, element: str, name: str, err: BpmnError) -> None:
        """Route a business error to the boundary event that catches its code, or fail the step."""
        check_json(err.variables, f"the variables of BpmnError '{err.code}' from microflow '{name}'")
        workflow = task.workflow.top_workflow
        before = len(workflow.bpmn_events)
        payload = {"error_code": err.code, "error_message": err.message, **err.variables}
        event = BpmnEvent(ErrorEventDefinition(err.code, code=err.code), payload, target=task.workflow)
        workflow.catch(event)
        if len(workflow.bpmn_events) > before:
            del workflow.bpmn_events[before:]
            raise MicroflowFailed(
                f"task '{element}': microflow '{name}' raised BpmnError '{err.code}' "
                f"({err.message}) and no error boundary event or event subprocess catches it",
                task=element,
                microflow=name,
                error_code=err.code,
            )
        # SpiffWorkflow hands the payload on only to a variable the model names; Flowbridge
        # makes the error's code, message and variables visible on the path that caught it.
        for wf in [workflow, *workflow.subprocesses.values()]:
            for catcher in wf.tasks.values():
                if any(value is payload for value in catcher.internal_data.values()):
                    catcher.data.update(payload)
