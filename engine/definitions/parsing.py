"""BPMN and DMN parsing: SpiffWorkflow's Spiff parser, taught the Camunda 7 and 8 dialects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import (
    BusinessRuleTaskParser,
    ServiceTaskParser,
    SpiffTaskParser,
    UserTaskParser,
)
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, NoneTask, UserTask

from .. import expressions, forms
from ..errors import InvalidModel
from ..messages import waits as message_waits
from . import dialects
from .safe_xml import parse_xml
from .specs import MicroflowTask, PassThroughTask

CAMUNDA_NS, SPIFF_NS, ZEEBE_NS = dialects.CAMUNDA_NS, dialects.SPIFF_NS, dialects.ZEEBE_NS
NSMAP = {
    "camunda": CAMUNDA_NS,
    "zeebe": ZEEBE_NS,
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


class FlowbridgeServiceTaskParser(ServiceTaskParser):
    """Reads a service task's microflow binding in the SpiffArena, Camunda 7 or Camunda 8 dialect."""

    def create_task(self) -> MicroflowTask:
        binding = self._spiff_binding() or self._camunda7_binding() or self._zeebe_binding()
        if binding is None:
            raise ValidationException(
                "service task names no microflow (expected spiffworkflow:serviceTaskOperator, "
                "camunda:topic / camunda:expression / camunda:delegateExpression, "
                "or zeebe:taskDefinition)",
                node=self.node,
                file_name=self.filename,
            )
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
        extensions: dict[str, Any] = super().parse_extensions(node)
        if node is None and getattr(self, "_binding", None) is not None:
            extensions["microflow"] = self._binding
        return extensions

    def _spiff_binding(self) -> dict[str, Any] | None:
        operator = self.parse_extensions().get("serviceTaskOperator")
        if operator is None:
            return None
        params = operator["parameters"]
        return {
            "name": operator["name"],
            "dialect": "spiff",
            "inputs": [[k, v["value"]] for k, v in params.items()] if params else None,
            "outputs": None,
            "result_variable": operator.get("resultVariable") or None,
        }

    def _camunda7_binding(self) -> dict[str, Any] | None:
        get = self.node.get
        name = get(f"{{{CAMUNDA_NS}}}topic") if get(f"{{{CAMUNDA_NS}}}type") == "external" else None
        name = name or expressions.name_of(get(f"{{{CAMUNDA_NS}}}delegateExpression"))
        name = name or expressions.name_of(get(f"{{{CAMUNDA_NS}}}expression"))
        if name is None:
            return None
        inputs = [
            [p.get("name"), _literal_or_expression(p.text or "")]
            for p in self.node.findall(f".//{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}inputParameter")
        ]
        outputs = [
            [p.get("name"), _literal_or_expression(p.text or "")]
            for p in self.node.findall(f".//{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}outputParameter")
        ]
        return {
            "name": name,
            "dialect": "camunda7",
            "inputs": inputs or None,
            "outputs": outputs or None,
            "result_variable": get(f"{{{CAMUNDA_NS}}}resultVariable") or None,
        }

    def _zeebe_binding(self) -> dict[str, Any] | None:
        definition = self.node.find(f".//{{{ZEEBE_NS}}}taskDefinition")
        if definition is None or not definition.get("type"):
            return None
        io = self.node.find(f".//{{{ZEEBE_NS}}}ioMapping")
        inputs = outputs = None
        if io is not None:
            inputs = [
                [m.get("target"), _literal_or_expression(m.get("source", ""))]
                for m in io.findall(f"{{{ZEEBE_NS}}}input")
            ] or None
            outputs = [
                [m.get("target"), _literal_or_expression(m.get("source", ""))]
                for m in io.findall(f"{{{ZEEBE_NS}}}output")
            ] or None
        headers = {
            h.get("key"): h.get("value")
            for h in self.node.findall(f".//{{{ZEEBE_NS}}}taskHeaders/{{{ZEEBE_NS}}}header")
        }
        return {
            "name": definition.get("type"),
            "dialect": "zeebe",
            "inputs": inputs,
            "outputs": outputs,
            "result_variable": headers.get("resultVariable") or None,
        }


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


def _literal_or_expression(text: str) -> str:
    """Python source for a mapping value: the expression itself, or the literal quoted."""
    return expressions.to_python(text) if expressions.is_expression(text) else repr(text)


class FlowbridgeUserTaskParser(UserTaskParser):
    """Adds the task's assignment and form, in every dialect."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        if node is None:
            extensions["assignment"] = assignment_of(self.node, self.lane, _dialect(self))
            extensions["due_date"] = due_date_of(self.node)
            extensions["form"] = _form(self)
        return extensions


def assignment_of(node: Any, lane: str | None, dialect: str) -> dict[str, Any]:
    """A user task's assignee and candidates; each value a literal or {"python": source}.

    Camunda's attributes and Zeebe's assignment definition name them; in SpiffArena and plain
    BPMN models, where lanes are the way to say who does a task, an unassigned task in a lane
    is offered to the group the lane names (SpiffArena's `lane_owners` variable may name users).
    """
    attr = node.get
    assignee = attr(f"{{{CAMUNDA_NS}}}assignee")
    users = _split(attr(f"{{{CAMUNDA_NS}}}candidateUsers"))
    groups = _split(attr(f"{{{CAMUNDA_NS}}}candidateGroups"))
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


def due_date_of(node: Any) -> Any:
    """A user task's due date (camunda:dueDate, or zeebe:taskSchedule's dueDate): an ISO 8601 literal,
    {"python": source} for an expression, or None. Checked at deploy time (engine.definitions.dialects)."""
    value = node.get(f"{{{CAMUNDA_NS}}}dueDate")
    schedule = node.find(f".//{{{ZEEBE_NS}}}taskSchedule")
    if not (value and value.strip()) and schedule is not None:
        value = schedule.get("dueDate")
    return _value(value.strip()) if value and value.strip() else None


def _value(text: str | None) -> Any:
    """A literal stays a string; an expression becomes {"python": source}, translated once here."""
    if text is None or not expressions.is_expression(text):
        return text
    return {"python": expressions.translate(text)}


def _split(value: str | None) -> list[str]:
    # A single expression may itself contain commas (a FEEL list), so it is not split.
    if value is not None and expressions.is_expression(value):
        return [value.strip()]
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _dialect(task_parser: Any) -> str:
    known = getattr(task_parser.process_parser.parser, "dialects", {})
    found = known.get(task_parser.filename)
    return found if found is not None else dialects.dialect_of(task_parser.node.getroottree().getroot())


def _form(task_parser: Any) -> dict[str, Any] | None:
    parser = task_parser.process_parser.parser
    process_node = task_parser.process_parser.node
    return forms.parse_form(
        task_parser.node, getattr(parser, "deployment_files", {}), task_parser.filename or "", process_node
    )


class FlowbridgeBusinessRuleTaskParser(BusinessRuleTaskParser):
    """Finds the decision a business rule task calls, in every dialect, or names what is missing."""

    def create_task(self) -> BusinessRuleTask:
        if self.get_decision_ref(self.node) is None:
            raise ValidationException(
                "business rule task names no decision (expected spiffworkflow:calledDecisionId, "
                "camunda:decisionRef or zeebe:calledDecision)",
                node=self.node,
                file_name=self.filename,
            )
        return super().create_task()

    @staticmethod
    def get_decision_ref(node: Any) -> str | None:
        ref = SpiffTaskParser._parse_extensions(node).get("calledDecisionId")
        ref = ref or node.get(f"{{{CAMUNDA_NS}}}decisionRef")
        called = node.find(f".//{{{ZEEBE_NS}}}calledDecision")
        if not ref and called is not None:
            ref = called.get("decisionId")
        return ref or None


class FlowbridgeTaskParser(SpiffTaskParser):
    """A plain task: a manual step in SpiffArena models, a pass-through everywhere else."""

    def create_task(self) -> Any:
        if _dialect(self) != "spiff":
            self.spec_class = PassThroughTask
        return super().create_task()


class FlowbridgeParser(SpiffBpmnParser):
    """The Spiff parser with Flowbridge's dialect-aware service, user and business rule tasks."""

    deployment_files: dict[str, bytes]
    """Every file of the deployment by name: task parsers read linked form files from it."""
    dialects: dict[str, str]
    """Each BPMN file's dialect (engine.definitions.dialects), by file name."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("task"): (FlowbridgeTaskParser, NoneTask),
        full_tag("serviceTask"): (FlowbridgeServiceTaskParser, MicroflowTask),
        full_tag("userTask"): (FlowbridgeUserTaskParser, UserTask),
        full_tag("businessRuleTask"): (FlowbridgeBusinessRuleTaskParser, BusinessRuleTask),
    }


RESOURCE_SUFFIXES = (".form", ".json")
"""Files deployed beside models for their forms: Camunda form-js files and SpiffArena JSON schemas."""


@dataclass
class ParsedProcess:
    """One executable process of a deployment, ready to store."""

    key: str
    name: str | None
    source_name: str
    source_xml: str
    spec: Any
    subprocess_specs: dict[str, Any]
    dialect: str = "bpmn"
    start_form: dict[str, Any] | None = None
    files: list[str] = field(default_factory=list)
    """Names of every file the process needs (itself, called processes, DMN, forms), for its checksum."""


def parse_files(files: dict[str, bytes]) -> list[ParsedProcess]:
    """Parse BPMN, DMN and form files deployed together; raise InvalidModel naming file, line and reason."""
    parser = FlowbridgeParser()
    parser.deployment_files = files
    parser.dialects = {}
    originals: dict[str, Any] = {}
    decisions: dict[str, str] = {}
    for name, data in files.items():
        if name.lower().endswith(RESOURCE_SUFFIXES):
            continue  # read by the forms of the tasks that name them
        tree = parse_xml(data, name)
        root = tree.getroot()
        try:
            if _local(root.tag) == "definitions" and "dmn" in (etree.QName(root).namespace or "").lower():
                parser.add_dmn_xml(root, filename=name)
                # Business rule task specs name the decision table their engine runs.
                for table in root.iter("{*}decisionTable"):
                    decisions[table.get("id", "")] = name
                for decision in root.iter("{*}decision"):
                    decisions.setdefault(decision.get("id", ""), name)
            elif _local(root.tag) == "definitions":
                _check_executable(root, name)
                normalized, parser.dialects[name] = dialects.normalize(tree, name)
                originals[name] = tree
                parser.add_bpmn_xml(normalized, filename=name)
            else:
                raise InvalidModel(f"{name}: not a BPMN or DMN file (root element <{_local(root.tag)}>)")
        except SpiffWorkflowException as exc:
            raise _invalid(exc, name, originals.get(name)) from exc
        except (KeyError, AttributeError, ValueError, TypeError) as exc:
            raise InvalidModel(f"{name}: cannot be parsed: {type(exc).__name__}: {exc}") from exc
    processes = []
    for key in parser.get_process_ids():
        process_parser = parser.get_process_parser(key)
        source_name = process_parser.filename
        original = originals.get(source_name)
        try:
            _check_references(parser, key, decisions, source_name, original)
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except SpiffWorkflowException as exc:
            raise _invalid(exc, source_name, original) from exc
        except (KeyError, AttributeError, ValueError, TypeError) as exc:
            raise InvalidModel(
                f"{source_name}: process '{key}' cannot be parsed: {type(exc).__name__}: {exc}"
            ) from exc
        needed = {source_name} | {s.file for s in subprocess_specs.values() if getattr(s, "file", None)}
        needed |= {decisions[d] for d in _decision_refs(spec, subprocess_specs) if d in decisions}
        needed |= _form_files(_process_tree(parser, key), files)
        processes.append(
            ParsedProcess(
                key=key,
                name=process_parser.get_name(),
                source_name=source_name,
                source_xml=files[source_name].decode("utf-8", errors="replace"),
                spec=spec,
                subprocess_specs=subprocess_specs,
                dialect=parser.dialects.get(source_name, "bpmn"),
                start_form=_start_form(process_parser, files, source_name),
                files=sorted(needed),
            )
        )
    message_waits.attach_correlation_keys(processes, files)
    return processes


def _check_executable(root: Any, name: str) -> None:
    """A BPMN file must hold an executable process; name the ones that are not."""
    processes = root.findall(f"{{{dialects.BPMN_NS}}}process")
    if any(p.get("isExecutable", "true").strip().lower() != "false" for p in processes):
        return
    if not processes:
        raise InvalidModel(f"{name}: holds no process (a collaboration or diagram only)")
    first = processes[0]
    others = f" (nor are {len(processes) - 1} more)" if len(processes) > 1 else ""
    raise InvalidModel(
        f"{name}:{first.sourceline or '?'}: process '{first.get('id')}' is not executable "
        f"(isExecutable=false){others}",
        element=first.get("id"),
    )


def _check_references(
    parser: FlowbridgeParser, key: str, decisions: dict[str, str], source_name: str, original: Any
) -> None:
    """Called processes and decisions must be in this deployment (or its files); name what is missing."""
    known = set(parser.process_parsers)
    for process_parser in _process_tree(parser, key):
        for node in process_parser.node.iter("{*}callActivity"):
            called = node.get("calledElement") or _zeebe_called(node)
            if called and called not in known:
                raise _missing(node, source_name, f"call activity calls process '{called}'", "its BPMN file")
        for node in process_parser.node.iter("{*}businessRuleTask"):
            ref = FlowbridgeBusinessRuleTaskParser.get_decision_ref(node)
            if ref and ref not in decisions:
                what = f"business rule task calls decision '{ref}'"
                raise _missing(node, source_name, what, "its DMN file")


def _process_tree(parser: FlowbridgeParser, key: str) -> list[Any]:
    """The process parser of `key` and of every process it calls, each once."""
    seen: dict[str, Any] = {}
    todo = [key]
    while todo:
        current = todo.pop()
        process_parser = parser.process_parsers.get(current)
        if current in seen or process_parser is None:
            continue
        seen[current] = process_parser
        todo.extend(n.get("calledElement") or "" for n in process_parser.node.iter("{*}callActivity"))
    return list(seen.values())


def _form_files(process_parsers: list[Any], files: dict[str, bytes]) -> set[str]:
    """The form files the user tasks and start events of these processes link."""
    needed: set[str] = set()
    for process_parser in process_parsers:
        for node in process_parser.node.iter("{*}userTask", "{*}startEvent"):
            needed.update(f for f in forms.form_files(node, process_parser.node, files) if f in files)
    return needed


def _zeebe_called(node: Any) -> str | None:
    called = node.find(f".//{{{ZEEBE_NS}}}calledElement")
    return called.get("processId") if called is not None else None


def _missing(node: Any, source_name: str, what: str, remedy: str) -> InvalidModel:
    line = node.sourceline or "?"
    element = node.get("id")
    return InvalidModel(
        f"{source_name}:{line}: {_local(node.tag)} '{element}': {what}, which is not in this deployment "
        f"(deploy {remedy} with the model)",
        line=line,
        element=element,
    )


def _start_form(process_parser: Any, files: dict[str, bytes], source_name: str) -> dict[str, Any] | None:
    """The form of the process's (first plain) start event, shown when someone starts it."""
    for start in process_parser.node.findall("{*}startEvent"):
        if len(start) == 0 or not any(_local(c.tag).endswith("EventDefinition") for c in start):
            return forms.parse_form(start, files, source_name, process_parser.node)
    return None


def _decision_refs(spec: Any, subprocess_specs: dict[str, Any]) -> set[str]:
    refs = set()
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            engine = getattr(task_spec, "dmnEngine", None)
            if engine is not None:
                refs.add(engine.decision_table.id)
    return refs


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


_PLAINER = {
    "Non-default exclusive outgoing sequence flow without condition": (
        "this flow leaves an exclusive gateway without a condition and is not its default flow"
    ),
    "Exactly one start event is required in a SubWorkflow Task; found": (
        "a subprocess needs exactly one start event; it has"
    ),
    'No "calledElement" attribute for Call Activity': (
        "call activity names no process to call (calledElement)"
    ),
    "A multiinstance task must specify a cardinality or a loop input data reference": (
        "multi-instance activity names neither a cardinality nor a collection to loop over"
    ),
}
"""SpiffWorkflow's parse errors, said the way a modeller reads them."""


def _invalid(exc: SpiffWorkflowException, filename: str, original: Any = None) -> InvalidModel:
    cause: BaseException | None = exc
    while cause is not None:
        # Our own refusals (forms, expressions) raised inside SpiffWorkflow's parser come out wrapped.
        if isinstance(cause, InvalidModel):
            return cause
        cause = cause.__cause__ or cause.__context__
    element = getattr(exc, "id", "") or ""
    line: Any = getattr(exc, "line_number", "") or ""
    if not line and element and original is not None:
        found = original.getroot().xpath("//*[@id=$id]", id=element)
        line = found[0].sourceline if found else ""
    kind = (getattr(exc, "tag", "") or "element").split(":")[-1]
    message = str(exc).split("\n")[0]
    if message.startswith("ValidationException"):
        message = message.split(":", 1)[-1].strip()
    message = message.rstrip(". ")
    for spiff_says, we_say in _PLAINER.items():
        if message.startswith(spiff_says):
            message = we_say + message[len(spiff_says) :]
            break
    where = f"{kind} '{element}': " if element else ""
    return InvalidModel(
        f"{filename}:{line or '?'}: {where}{message}", line=line or None, element=element or None
    )
