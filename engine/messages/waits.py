"""Message waits: which tasks wait for which message, with which correlation values, and matching.

A wait's correlation values are fixed when it begins: SpiffArena models take the message's
correlation properties; Camunda 8 models the evaluated `zeebe:subscription correlationKey`, under
the name `key` (the parser keeps the translated expression on the task specs:
`attach_correlation_keys`); Camunda 7 and plain models none, as Camunda correlates on process
variables and the business key. A message matches a wait when every correlation value it gives
equals the wait's value of that name or, where the wait has none, the instance's variable (or, for
`business_key`, its business key). See engine.messages for delivery.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState

from .. import expressions
from ..errors import EngineError, InvalidModel, StepFailed
from ..namespaces import BPMN_NS, ZEEBE_NS
from ..variables import check_json

KEYS = "message_correlation_keys"
"""Task spec extension: message name → Python source of its Zeebe correlation key (parse time)."""
CORRELATION = "flowbridge_message_correlation"
"""Internal data key on a waiting task: message name → the correlation values it waits on."""
_INTERNAL_VARIABLES = frozenset({"data_objects"})


@dataclass(frozen=True)
class Message:
    """One message to correlate: its name, correlation values and variables.

    `payload` is what a SpiffArena message carries (a thrown `messagePayload`); when it is not
    given, the payload is the correlation values and the variables together.
    """

    name: str
    correlation: dict[str, Any]
    variables: dict[str, Any]
    payload: Any = None
    has_payload: bool = False
    sender: str | None = None
    """Who delivers it (the history names them); None for the engine or a client without a user."""

    def event_payload(self) -> Any:
        """The payload a catching SpiffWorkflow task receives (a copy)."""
        if self.has_payload:
            return copy.deepcopy(self.payload)
        return copy.deepcopy({**self.correlation, **self.variables})

    def describe(self) -> str:
        """`message 'name'`, with its correlation values when it has any."""
        return f"message '{self.name}'" + (f" with {self.correlation!r}" if self.correlation else "")


# -- parse time -----------------------------------------------------------------------------------


def attach_correlation_keys(processes: Iterable[Any], files: Mapping[str, bytes]) -> None:
    """Keep each Zeebe message's `correlationKey` on the task specs that wait for or throw it.

    `processes` are engine.definitions.parsing's ParsedProcess objects (their `spec` and `subprocess_specs`),
    `files` the deployment's files by name. The key is translated to Python here, once, into the
    task spec's extension `message_correlation_keys` (stored with the spec); an expression outside
    the translated subset is refused, naming the file and the message.
    """
    keys_by_file = {name: _zeebe_keys(name, data) for name, data in files.items()}
    for process in processes:
        for spec in [process.spec, *process.subprocess_specs.values()]:
            keys = keys_by_file.get(getattr(spec, "file", None) or "") or {}
            if not keys:
                continue
            for task_spec in spec.task_specs.values():
                found = {d.name: keys[d.name] for d in message_definitions(task_spec) if d.name in keys}
                if found:
                    if not isinstance(getattr(task_spec, "extensions", None), dict):
                        task_spec.extensions = {}
                    task_spec.extensions[KEYS] = found


def _zeebe_keys(filename: str, data: bytes) -> dict[str, str]:
    """Message name → Python source of its correlation key, for the messages of one BPMN file."""
    if b"correlationKey" not in data:
        return {}
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return {}  # not XML: parse_files has refused it already
    keys: dict[str, str] = {}
    for message in root.iter(f"{{{BPMN_NS}}}message"):
        subscription = message.find(f".//{{{ZEEBE_NS}}}subscription")
        text = subscription.get("correlationKey") if subscription is not None else None
        if not text or not text.strip() or not message.get("name"):
            continue
        try:
            keys[message.get("name", "")] = (
                expressions.translate(text) if expressions.is_expression(text) else repr(text.strip())
            )
        except expressions.UnsupportedExpression as exc:
            raise InvalidModel(
                f"{filename}:{message.sourceline or '?'}: message '{message.get('name')}': "
                f"correlationKey {text!r}: {exc.reason}",
                element=message.get("id"),
            ) from exc
    return keys


# -- waits ------------------------------------------------------------------------------------------


def message_definitions(task_spec: Any) -> list[Any]:
    """The message event definitions a task spec waits for or throws (an event-based gateway's too)."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MessageEventDefinition):
        return [definition]
    if isinstance(definition, MultipleEventDefinition):
        return [d for d in definition.event_definitions if isinstance(d, MessageEventDefinition)]
    return []


def waiting_tasks(workflow: Any) -> list[Any]:
    """The tasks of a workflow and its subprocesses that wait for a message.

    Read from SpiffWorkflow's event manager, which holds only the waiting catch events (none,
    usually), so this costs nothing on steps that involve no events.
    """
    tasks = workflow.event_manager.tasks
    if not tasks:
        return []
    return [t for t in tasks.values() if t.has_state(TaskState.WAITING) and message_definitions(t.task_spec)]


def subscribed_tasks(workflow: Any) -> list[Any]:
    """The waiting tasks a correlated message may reach: all but the process's own message start
    event, which only the message its instance was started for reaches (so a concurrent message
    never takes an instance another delivery is starting)."""
    return [t for t in waiting_tasks(workflow) if not is_process_start(t)]


def correlations_of(task: Any) -> dict[str, dict[str, Any]]:
    """Message name → the correlation values a waiting task waits on, fixed when its wait began.

    The first call evaluates them and keeps them in the task's internal data; the projection
    makes that call before the step saves the state, so they are saved with it.
    """
    cached = task.internal_data.get(CORRELATION)
    if isinstance(cached, dict):
        return cached
    values = {d.name: _correlation(task, d) for d in message_definitions(task.task_spec)}
    check_json(values, f"the correlation values of the message wait at '{task.task_spec.bpmn_id}'")
    task.internal_data[CORRELATION] = values
    return values


def message_waits(workflow: Any) -> list[dict[str, Any]]:
    """The instance view's entries for its message waits: name, element, task and correlation."""
    return [
        {
            "kind": "event",
            "event_type": "MessageEventDefinition",
            "name": name,
            "value": None,
            "element_id": task.task_spec.bpmn_id,
            "task_id": str(task.id),
            "correlation": correlation,
        }
        for task in waiting_tasks(workflow)
        for name, correlation in correlations_of(task).items()
    ]


def matches(
    wanted: Mapping[str, Any],
    subscription: Mapping[str, Any],
    variables: Mapping[str, Any],
    business_key: str | None,
) -> bool:
    """Whether a message with correlation values `wanted` reaches a wait (see the module's text)."""
    for name, value in wanted.items():
        if name in subscription:
            have = subscription[name]
        elif name == "business_key":
            have = business_key
        elif name in variables:
            have = variables[name]
        else:
            return False
        if not same(value, have):
            return False
    return True


def same(a: Any, b: Any) -> bool:
    """JSON equality, except that a number equals its decimal text (Zeebe's keys are strings)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, str) and isinstance(b, (int, float)):
        return a == str(b)
    if isinstance(b, str) and isinstance(a, (int, float)):
        return b == str(a)
    return bool(a == b)


def _correlation(task: Any, definition: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if definition.correlation_properties:
        known = getattr(task.workflow, "correlations", None) or {}
        for prop in definition.correlation_properties:
            for key in prop.correlation_keys:
                group = known.get(key)
                if isinstance(group, dict) and prop.name in group:
                    values[prop.name] = group[prop.name]
    source = correlation_keys(task.task_spec).get(definition.name)
    if source is not None and not is_process_start(task):
        # Zeebe evaluates a subscription's key when the wait opens; a process's message start
        # event has none.
        try:
            values["key"] = task.workflow.script_engine.evaluate(task, source)
        except Exception as exc:
            raise StepFailed(
                f"task '{task.task_spec.bpmn_id}': the correlation key of message '{definition.name}' "
                f"failed: {first_line(exc)}",
                element=task.task_spec.bpmn_id,
            ) from exc
    return values


def correlation_keys(task_spec: Any) -> dict[str, str]:
    extensions = getattr(task_spec, "extensions", None)
    keys = extensions.get(KEYS) if isinstance(extensions, dict) else None
    return keys if isinstance(keys, dict) else {}


def is_process_start(task: Any) -> bool:
    return isinstance(task.task_spec, StartEvent) and task.workflow is task.workflow.top_workflow


def process_variables(workflow: Any) -> dict[str, Any]:
    """The instance's variables as they stand (DESIGN §2a): its process variables, or, for SpiffArena
    models, the task data of its live path merged (the data of its end, once it has ended)."""
    if workflow.completed or getattr(workflow.script_engine, "process_variables", False):
        merged = dict(workflow.top_workflow.data)
    else:
        merged = {}
        live = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
        for wf in [workflow, *workflow.subprocesses.values()]:
            for task in wf.tasks.values():
                if task.state & live:
                    merged.update(task.data)
    return {k: v for k, v in merged.items() if k not in _INTERNAL_VARIABLES}


def first_line(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, EngineError) else str(exc)
    return text.split("\n")[0] or type(exc).__name__
