"""BPMN and DMN parsing: the files of one deployment become its executable processes.

Each BPMN file is normalized for its dialect (`dialects`) and read by the parser of
`task_parsers`; DMN files and linked form files come along; called processes, decisions and
forms missing from the deployment are named, and SpiffWorkflow's errors are said plainly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .. import forms
from ..decisions import add_dmn, decision_ref
from ..errors import InvalidModel
from ..messages import waits as message_waits
from ..namespaces import BPMN_NS, CAMUNDA_NS, SPIFF_NS, ZEEBE_NS
from . import dialects, specs
from .safe_xml import parse_xml
from .task_parsers import FlowbridgeBusinessRuleTaskParser, FlowbridgeParser

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
    warnings: list[str] = field(default_factory=list)
    """What deploys but may not run as drawn (a called process not deployed with it)."""
    starters: dict[str, list[str]] | None = None
    """Who may start it ({"users", "groups"}), when the model restricts it; None: anyone."""


def parse_files(files: dict[str, bytes]) -> list[ParsedProcess]:
    """Parse BPMN, DMN and form files deployed together; raise InvalidModel naming file, line and reason."""
    parser = FlowbridgeParser()
    parser.deployment_files = files
    parser.dialects = {}
    parser.decision_graphs = {}
    originals: dict[str, Any] = {}
    decisions: dict[str, str] = {}
    for name, data in files.items():
        if name.lower().endswith(RESOURCE_SUFFIXES):
            continue  # read by the forms of the tasks that name them
        tree = parse_xml(data, name)
        root = tree.getroot()
        try:
            if _local(root.tag) == "definitions" and "dmn" in (etree.QName(root).namespace or "").lower():
                add_dmn(parser, root, name)  # FEEL compiled, Python to SpiffWorkflow's
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
            warnings = _check_references(parser, key, decisions, source_name, original)
            spec = parser.get_spec(key)
            subprocess_specs = _subprocess_specs(parser, key)
            specs.arm([spec, *subprocess_specs.values()])
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
                starters=start_rights(process_parser.node),
                warnings=warnings,
                files=sorted(needed),
            )
        )
    message_waits.attach_correlation_keys(processes, files)
    return processes


STARTER_PROPERTIES = {"candidateStarterUsers": "users", "candidateStarterGroups": "groups"}
"""Who may start a process: Camunda 7's process attributes, or (any dialect) properties of these
names on the process (`camunda:properties`, `zeebe:properties`, `spiffworkflow:properties`)."""


def start_rights(process: Any) -> dict[str, list[str]] | None:
    """The users and groups a process's model lets start it, or None when it does not restrict."""
    found: dict[str, list[str]] = {"users": [], "groups": []}
    for name, kind in STARTER_PROPERTIES.items():
        values = [process.get(f"{{{CAMUNDA_NS}}}{name}") or ""]
        extensions = process.find(f"{{{BPMN_NS}}}extensionElements")
        if extensions is not None:
            values += [
                prop.get("value") or ""
                for prop in extensions.iter(
                    f"{{{CAMUNDA_NS}}}property", f"{{{ZEEBE_NS}}}property", f"{{{SPIFF_NS}}}property"
                )
                if prop.get("name") == name
            ]
        found[kind] = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return found if found["users"] or found["groups"] else None


def _check_executable(root: Any, name: str) -> None:
    """A BPMN file must hold an executable process; name the ones that are not."""
    processes = root.findall(f"{{{BPMN_NS}}}process")
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
) -> list[str]:
    """Decisions must be in this deployment (or its files): name what is missing. A called process
    need not be (it is looked up when the call activity is reached): a warning names it."""
    known = set(parser.process_parsers)
    warnings = []
    for process_parser in _process_tree(parser, key):
        for node in process_parser.node.iter("{*}callActivity"):
            called = node.get("calledElement") or _zeebe_called(node)
            if called and called not in known:
                warnings.append(
                    f"{source_name}:{node.sourceline or '?'}: callActivity '{node.get('id')}' calls process "
                    f"'{called}', which is not in this deployment: it must be deployed when an instance "
                    "reaches the call (else an incident waits there)"
                )
        for node in process_parser.node.iter("{*}businessRuleTask"):
            ref = FlowbridgeBusinessRuleTaskParser.get_decision_ref(node)
            if ref and ref not in decisions:
                what = f"business rule task calls decision '{ref}'"
                raise _missing(node, source_name, what, "its DMN file")
    return warnings


def _subprocess_specs(parser: FlowbridgeParser, key: str) -> dict[str, Any]:
    """The specs of the subprocesses and called processes `key` runs that this deployment has.

    A called process it lacks is found when the call activity is reached. (SpiffWorkflow's
    `get_subprocess_specs(require_call_activity_specs=False)` requires them again below the top.)
    """
    found: dict[str, Any] = {}
    todo = [parser.get_spec(key)]
    while todo:
        for task_spec in todo.pop().task_specs.values():
            if isinstance(task_spec, SubWorkflowTask) and task_spec.spec not in found:
                spec = parser.get_spec(task_spec.spec, required=False)
                found[task_spec.spec] = spec
                if spec is not None:
                    todo.append(spec)
    return {name: spec for name, spec in found.items() if spec is not None}


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
            refs.update(filter(None, [decision_ref(task_spec)]))
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
