"""BPMN and DMN parsing: SpiffWorkflow's Spiff parser, taught the Camunda 7 and 8 dialects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import (
    BusinessRuleTaskParser,
    ServiceTaskParser,
    SpiffTaskParser,
    UserTaskParser,
)
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, UserTask

from . import expressions
from .errors import InvalidModel
from .specs import MicroflowTask
from .xml import parse_xml

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
NSMAP = {
    "camunda": CAMUNDA_NS,
    "zeebe": ZEEBE_NS,
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


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


def _literal_or_expression(text: str) -> str:
    """Python source for a mapping value: the expression itself, or the literal quoted."""
    return expressions.to_python(text) if expressions.is_expression(text) else repr(text)


class FlowbridgeUserTaskParser(UserTaskParser):
    """Adds the task's assignment (assignee, candidate users and groups) in every dialect."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        if node is None:
            extensions["assignment"] = self._assignment()
        return extensions

    def _assignment(self) -> dict[str, Any]:
        attr = self.node.get
        assignment: dict[str, Any] = {
            "assignee": attr(f"{{{CAMUNDA_NS}}}assignee"),
            "candidate_users": _split(attr(f"{{{CAMUNDA_NS}}}candidateUsers")),
            "candidate_groups": _split(attr(f"{{{CAMUNDA_NS}}}candidateGroups")),
        }
        zeebe = self.node.find(f".//{{{ZEEBE_NS}}}assignmentDefinition")
        if zeebe is not None:
            assignment["assignee"] = assignment["assignee"] or zeebe.get("assignee")
            assignment["candidate_users"] += _split(zeebe.get("candidateUsers"))
            assignment["candidate_groups"] += _split(zeebe.get("candidateGroups"))
        return assignment


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


class FlowbridgeParser(SpiffBpmnParser):
    """The Spiff parser with Flowbridge's dialect-aware service, user and business rule tasks."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (FlowbridgeServiceTaskParser, MicroflowTask),
        full_tag("userTask"): (FlowbridgeUserTaskParser, UserTask),
        full_tag("businessRuleTask"): (FlowbridgeBusinessRuleTaskParser, BusinessRuleTask),
    }


@dataclass
class ParsedProcess:
    """One executable process of a deployment, ready to store."""

    key: str
    name: str | None
    source_name: str
    source_xml: str
    spec: Any
    subprocess_specs: dict[str, Any]
    files: list[str] = field(default_factory=list)
    """Names of every file the process needs (itself, called processes, DMN), for its checksum."""


def parse_files(files: dict[str, bytes]) -> list[ParsedProcess]:
    """Parse BPMN and DMN files deployed together; raise InvalidModel naming file, line and reason."""
    parser = FlowbridgeParser()
    decisions: dict[str, str] = {}
    bpmn_names = []
    for name, data in files.items():
        tree = parse_xml(data, name)
        root = tree.getroot()
        try:
            if _local(root.tag) == "definitions" and "dmn" in (etree.QName(root).namespace or "").lower():
                parser.add_dmn_xml(root, filename=name)
                # Business rule task specs name the decision table their engine runs.
                for table in root.iter("{*}decisionTable"):
                    decisions[table.get("id", "")] = name
            elif _local(root.tag) == "definitions":
                parser.add_bpmn_xml(tree, filename=name)
                bpmn_names.append(name)
            else:
                raise InvalidModel(f"{name}: not a BPMN or DMN file (root element <{_local(root.tag)}>)")
        except SpiffWorkflowException as exc:
            raise _invalid(exc, name) from exc
        except (KeyError, AttributeError, ValueError, TypeError) as exc:
            raise InvalidModel(f"{name}: cannot be parsed: {type(exc).__name__}: {exc}") from exc
    if not bpmn_names:
        return []
    processes = []
    for key in parser.get_process_ids():
        process_parser = parser.get_process_parser(key)
        source_name = process_parser.filename
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except SpiffWorkflowException as exc:
            raise _invalid(exc, source_name) from exc
        except (KeyError, AttributeError, ValueError, TypeError) as exc:
            raise InvalidModel(
                f"{source_name}: process '{key}' cannot be parsed: {type(exc).__name__}: {exc}"
            ) from exc
        needed = {source_name} | {s.file for s in subprocess_specs.values() if getattr(s, "file", None)}
        needed |= {decisions[d] for d in _decision_refs(spec, subprocess_specs) if d in decisions}
        processes.append(
            ParsedProcess(
                key=key,
                name=process_parser.get_name(),
                source_name=source_name,
                source_xml=files[source_name].decode("utf-8", errors="replace"),
                spec=spec,
                subprocess_specs=subprocess_specs,
                files=sorted(needed),
            )
        )
    return processes


def _decision_refs(spec: Any, subprocess_specs: dict[str, Any]) -> set[str]:
    refs = set()
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            engine = getattr(task_spec, "dmnEngine", None)
            if engine is not None:
                refs.add(engine.decision_table.id)
    return refs


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _invalid(exc: SpiffWorkflowException, filename: str) -> InvalidModel:
    line = getattr(exc, "line_number", "") or "?"
    element = getattr(exc, "id", "") or getattr(exc, "name", "")
    where = f" (element '{element}')" if element else ""
    message = str(exc).split("\n")[0]
    if message.startswith("ValidationException"):
        message = message.split(":", 1)[-1].strip()
    return InvalidModel(f"{filename}:{line}: {message}{where}", line=line, element=element or None)
