"""SpiffWorkflow's Spiff parser taught the editors' dialects: the task parsers Flowbridge adds.

A service task's microflow binding comes from its editor's module (`dialects.spiff`,
`dialects.camunda7`, `dialects.camunda8`) with the execution options every dialect may set; a
user task gets its assignment, due date and form; a business rule task names its decision in
any dialect; a plain task passes through outside SpiffArena models.
"""

from __future__ import annotations

import re
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import SIGNAL_EVENT_XPATH
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffEndEventParser,
    SpiffIntermediateThrowEventParser,
    SpiffSendTaskParser,
)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser, SpiffProcessParser
from SpiffWorkflow.spiff.parser.task_spec import (
    BusinessRuleTaskParser,
    CallActivityParser,
    ScriptTaskParser,
    ServiceTaskParser,
    SpiffTaskParser,
    UserTaskParser,
)
from SpiffWorkflow.spiff.specs.defaults import (
    BusinessRuleTask,
    ManualTask,
    NoneTask,
    ReceiveTask,
    ScriptTask,
    SendTask,
    UserTask,
)

from .. import decisions, expressions, forms
from ..expressions.script_engine import CAMUNDA_SCRIPT
from ..namespaces import BPMN_NS, CAMUNDA_NS, SPIFF_NS, ZEEBE_NS
from . import fields, io_mappings, listeners, receive_tasks, resource_roles
from .call_activity import read_call
from .compensation import CompensationEndEvent, CompensationHandlerTask, CompensationIntermediateThrow
from .dialects import camunda7, camunda8, dialect_of, spiff
from .dialects.compensation import COMPENSATE, COMPENSATED_BY, HANDLER, HANDLERS
from .dialects.event_subprocesses import PART_OF_SCOPE
from .dialects.rewrite import DRAWN_ID
from .local_variables import LOOP_COUNTER_BASE
from .specs import (
    BoundaryEvent,
    CallActivity,
    MicroflowTask,
    ParallelInstances,
    PassThroughTask,
    SequentialInstances,
)


class _MicroflowBinding:
    """A task parser that makes a `MicroflowTask` from the element's microflow binding."""

    node: Any
    spec: Any
    bpmn_id: str
    filename: str | None
    bpmn_attributes: dict[str, Any]

    def microflow_task(self, binding: dict[str, Any]) -> MicroflowTask:
        """The spec calling the microflow `binding` names, with the model's execution options."""
        extensions = self.parse_extensions()
        spec = MicroflowTask(
            self.spec,
            self.bpmn_id,
            operation_name=binding["name"],
            operation_params={},
            result_variable=binding.get("result_variable") or binding["name"],
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )
        binding.update(_execution_options(self.node))
        self._binding = binding
        return spec

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        # SpiffWorkflow replaces `extensions` after create_task; the binding rides along here.
        extensions: dict[str, Any] = super().parse_extensions(node)  # type: ignore[misc]
        if node is None and getattr(self, "_binding", None) is not None:
            extensions["microflow"] = self._binding
        return extensions


class FlowbridgeServiceTaskParser(_MicroflowBinding, ServiceTaskParser):
    """Reads a service task's microflow binding in the SpiffArena, Camunda 7 or Camunda 8 dialect."""

    def create_task(self) -> MicroflowTask:
        binding = (
            spiff.service_binding(self.parse_extensions())
            or camunda7.service_binding(self.node)
            or camunda8.service_binding(self.node)
        )
        if binding is None:
            raise ValidationException(
                "service task names no microflow (expected spiffworkflow:serviceTaskOperator, "
                "camunda:topic / camunda:class / camunda:expression / camunda:delegateExpression, "
                "or zeebe:taskDefinition)",
                node=self.node,
                file_name=self.filename,
            )
        _refuse_delegate_result(self.node)
        if _calls_delegate(self.node):
            try:
                binding[fields.FIELDS] = fields.read(self.node)
            except fields.FieldProblem as exc:
                raise ValidationException(str(exc), node=self.node, file_name=self.filename) from None
        return self.microflow_task(binding)


def _calls_delegate(node: Any) -> bool:
    """Whether a Camunda 7 service task calls a Java delegate (`class`, `delegateExpression`), the
    kind Camunda injects `camunda:field`s into."""
    if node.get(f"{{{CAMUNDA_NS}}}type") is not None:
        return False
    return bool((node.get(f"{{{CAMUNDA_NS}}}class") or "").strip()) or (
        node.get(f"{{{CAMUNDA_NS}}}delegateExpression") is not None
    )


def _refuse_delegate_result(node: Any) -> None:
    """Camunda 7 refuses camunda:resultVariable on a service task that calls a Java delegate
    (`class` or `delegateExpression`): a delegate returns no value to keep."""
    if not _calls_delegate(node) or node.get(f"{{{CAMUNDA_NS}}}resultVariable") is None:
        return
    attribute = "class" if (node.get(f"{{{CAMUNDA_NS}}}class") or "").strip() else "delegateExpression"
    raise ValidationException(
        f"camunda:resultVariable is not supported on a service task using camunda:{attribute} "
        "(Camunda 7 refuses it: a delegate returns no value)",
        node=node,
    )


class _JobWorker(_MicroflowBinding):
    """Zeebe: any element with a `zeebe:taskDefinition` is a job for a worker — a send, script or
    business rule task, a message throw or end event — so it calls the microflow its job type
    names, as a service task does (an end event then ends its path)."""

    def create_task(self) -> Any:
        return self.job_task() or super().create_task()  # type: ignore[misc]

    def job_task(self) -> MicroflowTask | None:
        """The microflow call the element's task definition names, or None when it has none."""
        if not camunda8.has_job(self.node):
            return None
        binding = camunda8.service_binding(self.node)
        assert binding is not None  # has_job: a task definition with a type
        spec = self.microflow_task(binding)
        if etree_local_name(self.node) == "endEvent":
            spec.connect(self.spec.end)
        return spec


def _execution_options(node: Any) -> dict[str, Any]:
    """How the model asks a service task to run: mode, retries, backoff and timeout (None: the
    microflow's defaults).

    `camunda:asyncBefore="true"` or a property `mode=async` makes the call a job;
    `camunda:failedJobRetryTimeCycle` (`R5/PT10S`), `zeebe:taskDefinition retries` and the
    properties `retries`, `backoff` and `timeout` (seconds) override the microflow's own.
    """
    properties = {
        p.get("name"): p.get("value")
        for p in node.iter(f"{{{CAMUNDA_NS}}}property", f"{{{ZEEBE_NS}}}property", f"{{{SPIFF_NS}}}property")
    }
    mode = (properties.get("mode") or "").strip().lower() or None
    if mode is None and node.get(f"{{{CAMUNDA_NS}}}asyncBefore") == "true":
        mode = "async"
    if mode not in (None, "sync", "async"):
        raise ValidationException(f"service task mode must be sync or async, not '{mode}'", node=node)
    options: dict[str, Any] = {"mode": mode, "retries": None, "backoff": None, "timeout": None}
    cycle = node.findtext(f".//{{{CAMUNDA_NS}}}failedJobRetryTimeCycle")
    if cycle:
        match = re.fullmatch(r"\s*R(\d+)/(P\S+)\s*", cycle)
        if match is None:
            raise ValidationException(f"failedJobRetryTimeCycle '{cycle}' is not R<n>/<duration>", node=node)
        options["retries"] = int(match.group(1))
        options["backoff"] = _seconds(match.group(2), node)
    definition = node.find(f".//{{{ZEEBE_NS}}}taskDefinition")
    if definition is not None and definition.get("retries"):
        options["retries"] = _number(definition.get("retries"), "retries", node, int)
    for name in ("retries", "backoff", "timeout"):
        if properties.get(name):
            options[name] = _number(properties[name], name, node, int if name == "retries" else float)
    return options


def _seconds(duration: str, node: Any) -> float:
    try:
        return float(
            TimerEventDefinition.get_timedelta_from_start(
                TimerEventDefinition.parse_iso_duration(duration)
            ).total_seconds()
        )
    except Exception:
        raise ValidationException(f"'{duration}' is not an ISO 8601 duration", node=node) from None


def _number(text: Any, name: str, node: Any, kind: Any) -> Any:
    try:
        value = kind(str(text).strip())
    except ValueError:
        raise ValidationException(f"{name} must be a number, not '{text}'", node=node) from None
    if value < 0:
        raise ValidationException(f"{name} must not be negative", node=node)
    return value


class FlowbridgeUserTaskParser(UserTaskParser):
    """Adds the task's assignment and form, in every dialect."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        if node is None:
            extensions["assignment"] = assignment_of(self.node, self.lane, _dialect(self))
            extensions["due_date"] = due_date_of(self.node)
            extensions["follow_up_date"] = due_date_of(self.node, "followUpDate")
            extensions["priority"] = priority_of(self.node)
            extensions["form"] = _form(self)
        return extensions


def assignment_of(node: Any, lane: str | None, dialect: str) -> dict[str, Any]:
    """A user task's assignee and candidates; each value a literal or {"python": source}.

    Camunda's attributes and Zeebe's assignment definition name them; in Camunda 7, Flowable and
    plain BPMN models so do BPMN's humanPerformer and potentialOwner (`resource_roles`), before the
    attributes, as Camunda 7 reads them. In SpiffArena and plain BPMN models, where lanes are the
    way to say who does a task, an unassigned task in a lane is offered to the group the lane
    names (SpiffArena's `lane_owners` variable may name users).
    """
    attr = node.get
    assignee = attr(f"{{{CAMUNDA_NS}}}assignee")
    users = _split(attr(f"{{{CAMUNDA_NS}}}candidateUsers"))
    groups = _split(attr(f"{{{CAMUNDA_NS}}}candidateGroups"))
    if dialect in ("camunda7", "bpmn"):
        assignee, users, groups = _with_resource_roles(node, assignee, users, groups)
    zeebe = node.find(f".//{{{ZEEBE_NS}}}assignmentDefinition")
    if zeebe is not None:
        assignee = assignee or zeebe.get("assignee")
        users += _split(zeebe.get("candidateUsers"))
        groups += _split(zeebe.get("candidateGroups"))
    lane_group = lane if lane and dialect in ("spiff", "bpmn") and not (assignee or users or groups) else None
    return {
        "assignee": _value(assignee),
        "candidate_users": [_value(u) for u in users],
        "candidate_groups": [_value(g) for g in groups],
        "lane": lane_group,
    }


def _with_resource_roles(
    node: Any, assignee: str | None, users: list[str], groups: list[str]
) -> tuple[str | None, list[str], list[str]]:
    """The assignee and candidates with the task's humanPerformer and potentialOwner added;
    ValidationException for a role Camunda 7 refuses, or whose expression does not translate."""
    try:
        roles = resource_roles.read(node)
        for text in [roles.assignee, *roles.candidate_users, *roles.candidate_groups]:
            if text is not None and expressions.is_expression(text) and camunda7.bean_call(text) is None:
                expressions.translate(text)
    except resource_roles.ResourceRoleProblem as exc:
        raise ValidationException(str(exc), node=node) from None
    except expressions.UnsupportedExpression as exc:
        raise ValidationException(f"resource assignment {exc}", node=node) from None
    if roles.assignee is not None and assignee is not None:
        raise ValidationException(
            "duplicate assignee declaration: both camunda:assignee and humanPerformer name one", node=node
        )
    return assignee or roles.assignee, roles.candidate_users + users, roles.candidate_groups + groups


def due_date_of(node: Any, attribute: str = "dueDate") -> Any:
    """A user task's due date (camunda:dueDate, or zeebe:taskSchedule's dueDate) or, with
    `attribute="followUpDate"`, its follow-up date: an ISO 8601 literal (a date, or a duration after
    the task's creation), {"python": source} for an expression, or None. Checked at deploy time
    (engine.definitions.dialects)."""
    value = node.get(f"{{{CAMUNDA_NS}}}{attribute}")
    schedule = node.find(f".//{{{ZEEBE_NS}}}taskSchedule")
    if not (value and value.strip()) and schedule is not None:
        value = schedule.get(attribute)
    return _value(value.strip()) if value and value.strip() else None


def priority_of(node: Any) -> Any:
    """A user task's priority (camunda:priority, or zeebe:priorityDefinition's priority): a number's
    text, {"python": source} for an expression, or None (the default, 50)."""
    value = node.get(f"{{{CAMUNDA_NS}}}priority")
    definition = node.find(f".//{{{ZEEBE_NS}}}priorityDefinition")
    if not (value and value.strip()) and definition is not None:
        value = definition.get("priority")
    if not (value and value.strip()):
        return None
    if not expressions.is_expression(value) and not value.strip().lstrip("-").isdigit():
        raise ValidationException(f"priority '{value.strip()}' is not a whole number", node=node)
    return _value(value.strip())


def _value(text: str | None) -> Any:
    """A literal stays a string; an expression becomes {"python": source}, translated once here; a
    Camunda 7 bean method call (`${ldap.managerOf(employee)}`) becomes {"microflow", "args"}."""
    if text is None or not expressions.is_expression(text):
        return text
    call = camunda7.bean_call(text)
    if call is not None:
        return {"microflow": call[0], "args": call[1]}
    return {"python": expressions.translate(text)}


def _split(value: str | None) -> list[str]:
    # A single expression may itself contain commas (a FEEL list), so it is not split.
    if value is not None and expressions.is_expression(value):
        return [value.strip()]
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _dialect(task_parser: Any) -> str:
    known = getattr(task_parser.process_parser.parser, "dialects", {})
    found = known.get(task_parser.filename)
    return found if found is not None else dialect_of(task_parser.node.getroottree().getroot())


def _form(task_parser: Any) -> dict[str, Any] | None:
    parser = task_parser.process_parser.parser
    process_node = task_parser.process_parser.node
    return forms.parse_form(
        task_parser.node, getattr(parser, "deployment_files", {}), task_parser.filename or "", process_node
    )


class FlowbridgeBusinessRuleTaskParser(_JobWorker, BusinessRuleTaskParser):
    """Finds the decision a business rule task calls, in every dialect, or names what is missing."""

    def create_task(self) -> Any:
        job = self.job_task()
        if job is not None:
            return job
        if self.get_decision_ref(self.node) is None:
            raise ValidationException(
                "business rule task names no decision (expected spiffworkflow:calledDecisionId, "
                "camunda:decisionRef or zeebe:calledDecision)",
                node=self.node,
                file_name=self.filename,
            )
        if self._decision_call() is not None:  # a FEEL decision (engine.decisions)
            extensions = self.parse_extensions()
            return decisions.DecisionTask(
                self.spec,
                self.bpmn_id,
                prescript=extensions.get("preScript"),
                postscript=extensions.get("postScript"),
                **self.bpmn_attributes,
            )
        return super().create_task()

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        call = self._decision_call() if node is None else None
        if call is not None:
            extensions[decisions.task.EXTENSION] = call
        return extensions

    def _decision_call(self) -> dict[str, Any] | None:
        graphs = getattr(self.process_parser.parser, "decision_graphs", {})
        return decisions.decision_call(graphs, self.node, self.get_decision_ref(self.node))

    @staticmethod
    def get_decision_ref(node: Any) -> str | None:
        ref = SpiffTaskParser._parse_extensions(node).get("calledDecisionId")
        ref = ref or node.get(f"{{{CAMUNDA_NS}}}decisionRef")
        called = node.find(f".//{{{ZEEBE_NS}}}calledDecision")
        if not ref and called is not None:
            ref = called.get("decisionId")
        return ref or None


class FlowbridgeCallActivityParser(CallActivityParser):
    """Reads which process a call activity calls, which version, and the variables it passes
    (engine.definitions.call_activity)."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        if node is None:
            try:
                extensions.update(read_call(self.node, _dialect(self)))
            except ValueError as exc:
                raise ValidationException(str(exc), node=self.node) from None
        return extensions


class FlowbridgeTaskParser(SpiffTaskParser):
    """A plain or manual task: a manual step a person checks off in SpiffArena models, a
    pass-through everywhere else (Camunda 7 and 8 and Flowable run both straight through)."""

    def create_task(self) -> Any:
        if _dialect(self) != "spiff":
            self.spec_class = PassThroughTask
        return super().create_task()


class _CompensationThrowParser:
    """A throw event the compensation rewrite marked becomes a compensation throw (`compensation`)."""

    THROW_CLASS: Any = None
    node: Any
    spec_class: Any

    def create_task(self) -> Any:
        if self.node.get(COMPENSATE) is not None:
            self.spec_class = self.THROW_CLASS
        return super().create_task()  # type: ignore[misc]

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)  # type: ignore[misc]
        if node is None and self.node.get(COMPENSATE) is not None:
            extensions["compensate"] = {"activity": self.node.get(COMPENSATE) or None}
        return extensions


class FlowbridgeIntermediateThrowEventParser(
    _JobWorker, _CompensationThrowParser, SpiffIntermediateThrowEventParser
):
    """Intermediate throw events, compensation throws among them."""

    THROW_CLASS = CompensationIntermediateThrow


class FlowbridgeEndEventParser(_JobWorker, _CompensationThrowParser, SpiffEndEventParser):
    """End events, compensation and signal end events among them (SpiffWorkflow 3.2 reads a signal
    end event as a plain end event: its signal was never thrown)."""

    THROW_CLASS = CompensationEndEvent

    def create_task(self) -> Any:
        job = self.job_task()
        if job is not None:
            return job
        if self.node.get(COMPENSATE) is None and self.xpath(SIGNAL_EVENT_XPATH):
            task = self._create_task(self.get_event_definition([SIGNAL_EVENT_XPATH]))
            task.connect(self.spec.end)
            return task
        return super().create_task()


class FlowbridgeSendTaskParser(_JobWorker, SpiffSendTaskParser):
    """Send tasks; one with a `zeebe:taskDefinition` is a job for a worker (`_JobWorker`)."""


class FlowbridgeScriptTaskParser(_JobWorker, ScriptTaskParser):
    """Script tasks; one with a `zeebe:taskDefinition` is a job for a worker (`_JobWorker`); a
    Camunda 7 (or Flowable) script with its scriptFormat runs as Camunda runs it
    (`FlowbridgeScriptEngine.execute`)."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        if node is None and _dialect(self) == "camunda7" and self.node.get("scriptFormat"):
            # A script without scriptFormat that is not JUEL is Python as SpiffWorkflow runs it (the
            # rewrite, dialects.camunda7.script). A source that is an expression
            # (`${scriptSource}`) gives the script when it runs.
            text = (self.node.findtext(f"{{{BPMN_NS}}}script") or "").strip()
            dynamic = expressions.translate(text, "juel") if text.startswith(("${", "#{")) else None
            extensions[CAMUNDA_SCRIPT] = {"dynamic": dynamic}
        return extensions


def etree_local_name(node: Any) -> str:
    """An element's tag without its namespace."""
    return str(node.tag).rsplit("}", 1)[-1]


class FlowbridgeProcessParser(SpiffProcessParser):
    """A (sub)process parser that also reads the compensation rewrite's marks on its elements."""

    def add_tasks(self) -> None:
        super().add_tasks()
        specs = self.spec.task_specs
        if etree_local_name(self.node) == "process":
            listeners.attach_process(specs, self.node, self.filename or "")
        for node in self.node:
            spec = specs.get(node.get("id")) if isinstance(node.tag, str) else None
            if spec is None:
                if isinstance(node.tag, str) and node.get(HANDLER) is not None:
                    self._handler_process(node)  # parsed, so its errors show at deploy
                target = specs.get(node.get("targetRef") or "") if isinstance(node.tag, str) else None
                if target is not None and etree_local_name(node) == "sequenceFlow":
                    listeners.attach_take(target, node, self.filename or "")
                continue
            if node.get(DRAWN_ID):
                # An id SpiffWorkflow reserves, renamed by the rewrite: the element keeps the drawn one.
                for each in (spec, specs[spec.task_spec]) if isinstance(spec, LoopTask) else (spec,):
                    each.bpmn_id = node.get(DRAWN_ID)
            if not isinstance(spec, MicroflowTask):  # a service task's mappings are its binding's
                io_mappings.attach(spec, node, specs, self.filename or "")
            if etree_local_name(node) == "startEvent" and node.get(f"{{{CAMUNDA_NS}}}initiator"):
                # Camunda 7 and Flowable: the variable that names who started the instance.
                spec.extensions["initiator"] = node.get(f"{{{CAMUNDA_NS}}}initiator").strip()
            is_user_task = etree_local_name(node) == "userTask"
            listeners.attach(spec, node, self.filename or "", task_listeners=is_user_task)
            if node.get(PART_OF_SCOPE):
                spec.extensions["part_of_scope"] = True
            dialect = (
                self.parser.dialects.get(self.filename or "") if hasattr(self.parser, "dialects") else None
            )
            if isinstance(spec, LoopTask) and dialect not in (None, "spiff"):
                # Camunda 7 counts instances from 0, Zeebe from 1 (its loopCounter).
                if not isinstance(getattr(spec, "extensions", None), dict):
                    spec.extensions = {}
                spec.extensions[LOOP_COUNTER_BASE] = 1 if dialect == "camunda8" else 0
            if node.get(COMPENSATED_BY):
                # Each instance of a loop or multi-instance activity is compensated on its own.
                target = specs[spec.task_spec] if isinstance(spec, LoopTask) else spec
                target.extensions["compensation"] = node.get(COMPENSATED_BY)
            for wrapper_id in (node.get(HANDLERS) or "").split():
                self._handler_process(self.document_root.xpath("//*[@id=$id]", id=wrapper_id)[0])
                if wrapper_id not in specs:
                    run = CompensationHandlerTask(self.spec, wrapper_id, subworkflow_spec=wrapper_id)
                    run.bpmn_id = None  # not an element of the diagram: the handler inside is
                    run.extensions = {}
                    run.inputs = [spec]  # SpiffWorkflow wants an input; the throw starts it

    def _handler_process(self, node: Any) -> None:
        """Register and parse the subprocess a handler is wrapped in (once)."""
        wrapper_id = node.get("id")
        if wrapper_id not in self.parser.process_parsers:
            self.parser.create_parser(node, filename=self.filename, lane=self.lane)
            self.parser.process_parsers[wrapper_id].parent = self
            self.parser.process_parsers[wrapper_id].get_spec()


def _with_local_items(classes: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    """The parser classes, each making Flowbridge's multi-instance specs (`specs._LocalItems`)."""
    made = {}
    for tag, (parser_class, spec_class) in classes.items():
        if hasattr(parser_class, "SEQUENTIAL_MI_CLASS"):
            attributes = {"SEQUENTIAL_MI_CLASS": SequentialInstances, "PARALLEL_MI_CLASS": ParallelInstances}
            parser_class = type(parser_class.__name__, (parser_class,), attributes)
        made[tag] = (parser_class, spec_class)
    return made


class FlowbridgeParser(SpiffBpmnParser):
    """The Spiff parser with Flowbridge's dialect-aware service, user and business rule tasks."""

    deployment_files: dict[str, bytes]
    """Every file of the deployment by name: task parsers read linked form files from it."""
    dialects: dict[str, str]
    """Each BPMN file's dialect (engine.definitions.dialects), by file name."""
    decision_graphs: dict[str, dict[str, Any]]
    """The FEEL decisions of the deployment's DMN files, compiled (engine.decisions), by id."""

    PROCESS_PARSER_CLASS = FlowbridgeProcessParser
    OVERRIDE_PARSER_CLASSES = _with_local_items(
        {
            **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
            full_tag("task"): (FlowbridgeTaskParser, NoneTask),
            full_tag("manualTask"): (FlowbridgeTaskParser, ManualTask),
            full_tag("serviceTask"): (FlowbridgeServiceTaskParser, MicroflowTask),
            full_tag("userTask"): (FlowbridgeUserTaskParser, UserTask),
            full_tag("businessRuleTask"): (FlowbridgeBusinessRuleTaskParser, BusinessRuleTask),
            full_tag("boundaryEvent"): (SpiffBoundaryEventParser, BoundaryEvent),
            full_tag("callActivity"): (FlowbridgeCallActivityParser, CallActivity),
            full_tag("intermediateThrowEvent"): (
                FlowbridgeIntermediateThrowEventParser,
                IntermediateThrowEvent,
            ),
            full_tag("endEvent"): (FlowbridgeEndEventParser, EndEvent),
            full_tag("sendTask"): (FlowbridgeSendTaskParser, SendTask),
            full_tag("scriptTask"): (FlowbridgeScriptTaskParser, ScriptTask),
            full_tag("receiveTask"): (receive_tasks.ReceiveTaskParser, ReceiveTask),
        }
    )
