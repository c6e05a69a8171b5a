"""BPMN and DMN parsing: the files of one deployment become its executable processes.

Each BPMN file is normalized for its dialect (`dialects`) and read by the parser of
`task_parsers`; DMN files and linked form files come along; called processes, decisions and
forms missing from the deployment are named, and SpiffWorkflow's errors are said plainly.

Deploy tells all: every file is read, each rewrite goes on past a refusal, and each process is
parsed, so one InvalidModel names every problem found (`details["problems"]`), each with file,
line, element and reason.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .. import expressions, forms
from ..decisions import add_dmn, decision_ref
from ..errors import InvalidInput, InvalidModel
from ..messages import waits as message_waits
from ..namespaces import BPMN_NS, CAMUNDA_NS, SPIFF_NS, ZEEBE_NS
from . import cron, dialects, specs, timer_jobs
from .dialects.rewrite import ACTIVITIES
from .safe_xml import parse_xml
from .task_parsers import FlowbridgeBusinessRuleTaskParser, FlowbridgeParser

logger = logging.getLogger(__name__)

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
    dialect_chosen: bool = False
    """Whether the deployment chose `dialect` over the one the file's namespaces suggest (so the
    same XML deployed as another dialect is another version)."""
    start_form: dict[str, Any] | None = None
    files: list[str] = field(default_factory=list)
    """Names of every file the process needs (itself, called processes, DMN, forms), for its checksum."""
    warnings: list[str] = field(default_factory=list)
    """What deploys but may not run as drawn (a called process not deployed with it)."""
    starters: dict[str, list[str]] | None = None
    """Who may start it ({"users", "groups"}), when the model restricts it; None: anyone."""
    microflows: list[MicroflowUse] = field(default_factory=list)
    """The microflows its tasks call (its own and its subprocesses', not those of called processes)."""


@dataclass(frozen=True)
class MicroflowUse:
    """A task calling a microflow: where it is, and the names it may be registered under."""

    where: str
    """`file:line: serviceTask 'id': calls` (or `…: its start listener calls`)."""
    name: str
    fallback: str | None = None
    """The simple name of a Camunda 7 `class`, used when no microflow has the full name."""


class _Problems:
    """The problems of one deployment, collected file by file and process by process."""

    def __init__(self, originals: dict[str, Any]) -> None:
        self.found: list[dict[str, Any]] = []
        self.refused: dict[str, set[str]] = {}
        """Per file, the elements its rewrite refused."""
        self.originals = originals

    @contextmanager
    def collecting(self, filename: str | None, subject: str = "") -> Iterator[None]:
        """Record what the work inside refuses about `filename` (None: the message names it), and
        `subject` of it (a process) when the parser fails inside."""
        try:
            yield
        except SpiffWorkflowException as exc:
            name = filename or getattr(exc, "file_name", None) or "?"
            self.add(_invalid(exc, name, self.originals.get(name)), filename, parser_said=True)
        except InvalidModel as refusal:
            self.add(refusal, filename)
        except (KeyError, AttributeError, ValueError, TypeError) as exc:
            # SpiffWorkflow's parser failing inside on what it did not expect: logged for those who
            # maintain Flowbridge, said without the exception's type or repr to the modeller.
            logger.warning("cannot parse %s", filename, exc_info=True)
            if not self.refused.get(filename or ""):  # else most likely a consequence of a refusal
                what = f"{subject} cannot be parsed" if subject else "cannot be parsed"
                self.add(InvalidModel(f"{filename}: {what}: {_cause(exc)}"), filename)

    def add(self, refusal: InvalidModel, filename: str | None, parser_said: bool = False) -> None:
        """Record the problems of a refusal about `filename`."""
        self.extend(refusal.problems, filename, parser_said)

    def extend(self, problems: list[dict[str, Any]], filename: str | None, parser_said: bool = False) -> None:
        """Record problems about `filename`; `parser_said`: SpiffWorkflow's parser found them."""
        refused = self.refused.get(filename or "", set())
        for problem in problems:
            problem = {**problem, "file": problem["file"] or filename}
            # What SpiffWorkflow says of an element refused already (by the rewrite, or as a
            # missing decision) repeats that refusal or is its consequence: it is left out.
            named = refused | {p["element"] for p in self.found if p["file"] == problem["file"]}
            if parser_said and problem["element"] in named:
                continue
            if problem not in self.found:  # a called process's problems come with its caller's too
                self.found.append(problem)

    def raise_any(self, files: dict[str, bytes]) -> None:
        """Raise one InvalidModel naming every problem recorded, file by file, if there are any."""
        order = {name: index for index, name in enumerate(files)}
        if self.found:
            raise InvalidModel.of(sorted(self.found, key=lambda p: order.get(p["file"], len(order))))


def parse_files(files: dict[str, bytes], dialect: str | None = None) -> list[ParsedProcess]:
    """Parse BPMN, DMN and form files deployed together; raise one InvalidModel naming every
    problem (file, line, element and reason of each, `details["problems"]`).

    `dialect` runs every BPMN file as that editor's engine would (`dialects.DIALECTS`) instead of
    the one each file's namespaces suggest: a plain BPMN file deployed as `spiff` runs as
    SpiffArena runs it (task data, waiting plain and manual tasks).
    """
    if dialect is not None and dialect not in dialects.DIALECTS:
        raise InvalidInput(f"unknown dialect {dialect!r}: one of {', '.join(dialects.DIALECTS)}")
    parser = FlowbridgeParser()
    parser.deployment_files = files
    parser.chosen_dialect = dialect
    parser.dialects = {}
    parser.detected_dialects = {}
    parser.decision_graphs = {}
    originals: dict[str, Any] = {}
    decisions: dict[str, str] = {}
    problems = _Problems(originals)
    for name, data in files.items():
        if name.lower().endswith(RESOURCE_SUFFIXES):
            continue  # read by the forms of the tasks that name them
        with problems.collecting(name):
            _read_file(parser, name, data, originals, decisions, problems)
    processes = []
    for key in parser.get_process_ids():
        process_parser = parser.get_process_parser(key)
        source_name = process_parser.filename
        with problems.collecting(source_name, f"process '{key}'"):
            processes.append(_parse_process(parser, key, files, decisions, originals, problems))
    with problems.collecting(None):
        message_waits.attach_correlation_keys(processes, files)
    problems.raise_any(files)
    return processes


def _read_file(
    parser: FlowbridgeParser,
    name: str,
    data: bytes,
    originals: dict[str, Any],
    decisions: dict[str, str],
    problems: _Problems,
) -> None:
    """Read one file into the parser: a DMN file's decisions, a BPMN file's rewritten processes."""
    tree = parse_xml(data, name)
    root = tree.getroot()
    if _local(root.tag) == "definitions" and "dmn" in (etree.QName(root).namespace or "").lower():
        add_dmn(parser, root, name)  # FEEL compiled, Python to SpiffWorkflow's
        # Business rule task specs name the decision table their engine runs.
        for table in root.iter("{*}decisionTable"):
            decisions[table.get("id", "")] = name
        for decision in root.iter("{*}decision"):
            decisions.setdefault(decision.get("id", ""), name)
    elif _local(root.tag) == "definitions":
        _check_executable(root, name)
        found: list[dict[str, Any]] = []
        parser.detected_dialects[name] = dialects.dialect_of(root)
        normalized, parser.dialects[name] = dialects.normalize(tree, name, found, parser.chosen_dialect)
        originals[name] = tree
        problems.extend(found, name)
        problems.refused[name] = {str(p["element"]) for p in found if p["element"]}
        # The rewrite went on past its refusals, and SpiffWorkflow still parses the file: its
        # checks are others than the rewrite's (a service task that names no microflow, a flow
        # leaving an exclusive gateway without a condition, a subprocess's start events), so it
        # finds what the rewrite cannot. It stops at its first error per process, and an element
        # the rewrite refused would mostly be that error, repeating the refusal: so it parses
        # each refused activity or event as a plain task, and what it still says of a refused
        # element is left out (`_Problems.extend`). The parse is only for its errors then.
        _stand_ins(normalized, problems.refused[name])
        parser.add_bpmn_xml(normalized, filename=name)
    else:
        raise InvalidModel(f"{name}: not a BPMN or DMN file (root element <{_local(root.tag)}>)")


_STANDS_IN_FOR = frozenset({*ACTIVITIES, "intermediateCatchEvent", "intermediateThrowEvent", "endEvent"})
"""Flow nodes a plain task stands in for in the parse of a refused element (`_read_file`)."""


def _stand_ins(tree: Any, refused: set[str]) -> None:
    """Put a plain task (same id, name and flows) where the rewrite refused an activity or event."""
    for element_id in refused:
        for element in tree.getroot().xpath("//*[@id=$id]", id=element_id):
            if _local(element.tag) not in _STANDS_IN_FOR or element.getparent() is None:
                continue
            task = etree.Element(f"{{{BPMN_NS}}}task", id=element_id)
            if element.get("name"):
                task.set("name", element.get("name"))
            for link in element:
                if _local(link.tag) in ("incoming", "outgoing"):
                    task.append(copy.deepcopy(link))
            element.getparent().replace(element, task)


def _parse_process(
    parser: FlowbridgeParser,
    key: str,
    files: dict[str, bytes],
    decisions: dict[str, str],
    originals: dict[str, Any],
    problems: _Problems,
) -> ParsedProcess:
    """One process of the deployment, parsed; its missing decisions are recorded in `problems`."""
    process_parser = parser.get_process_parser(key)
    source_name = process_parser.filename
    warnings, missing = _check_references(parser, key, decisions, source_name)
    for refusal in missing:
        problems.add(refusal, source_name)
    spec = parser.get_spec(key)
    subprocess_specs = _subprocess_specs(parser, key)
    specs.arm([spec, *subprocess_specs.values()])
    # The dialects' own timer semantics, fixed here: the stored spec keeps them.
    timer_jobs.arm([spec, *subprocess_specs.values()], parser.dialects)
    cron.arm_repeating([spec, *subprocess_specs.values()], parser.dialects)
    needed = {source_name} | {s.file for s in subprocess_specs.values() if getattr(s, "file", None)}
    needed |= {decisions[d] for d in _decision_refs(spec, subprocess_specs) if d in decisions}
    needed |= _form_files(_process_tree(parser, key), files)
    return ParsedProcess(
        key=key,
        name=process_parser.get_name(),
        source_name=source_name,
        source_xml=files[source_name].decode("utf-8", errors="replace"),
        spec=spec,
        subprocess_specs=subprocess_specs,
        dialect=parser.dialects.get(source_name, "bpmn"),
        dialect_chosen=parser.dialects.get(source_name) != parser.detected_dialects.get(source_name),
        start_form=_start_form(process_parser, files, source_name),
        starters=start_rights(process_parser.node),
        warnings=warnings,
        files=sorted(needed),
        microflows=_microflow_uses(_own_specs(parser, spec, subprocess_specs), originals),
    )


def _own_specs(parser: FlowbridgeParser, spec: Any, subprocess_specs: dict[str, Any]) -> list[Any]:
    """The spec and those of its subprocesses, within and below: not the processes it calls (they
    are processes of the deployment, each checked on its own)."""
    found = [spec]
    for process_spec in found:
        for task_spec in process_spec.task_specs.values():
            name = task_spec.spec if isinstance(task_spec, SubWorkflowTask) else None
            called = parser.process_parsers.get(name or "")
            if name in subprocess_specs and called is not None and _local(called.node.tag) != "process":
                found.append(subprocess_specs[name])
    return found


def _microflow_uses(process_specs: list[Any], originals: dict[str, Any]) -> list[MicroflowUse]:
    """The microflows these specs' elements call (service tasks, Zeebe jobs, listeners), each with
    where the element is drawn."""
    uses = []
    for process_spec in process_specs:
        original = originals.get(getattr(process_spec, "file", None) or "")
        for task_spec in process_spec.task_specs.values():
            calls = _microflow_calls(task_spec)
            if not calls:
                continue
            element_id = task_spec.bpmn_id or task_spec.name
            found = original.getroot().xpath("//*[@id=$id]", id=element_id) if original is not None else []
            line = (found[0].sourceline if found else None) or "?"
            kind = _local(found[0].tag) if found else "element"
            where = f"{process_spec.file}:{line}: {kind} '{element_id}'"
            for what, binding in calls:
                # "": a value expression, no microflow; a job type expression names one at run time.
                if binding.get("name") and not binding.get("name_expression"):
                    uses.append(MicroflowUse(f"{where}: {what}", binding["name"], binding.get("fallback")))
    return uses


def _microflow_calls(task_spec: Any) -> list[tuple[str, dict[str, Any]]]:
    """What an element calls: ("calls", its binding) for a microflow task, and ("its start
    listener calls", binding) for each listener whose code is a microflow."""
    calls = []
    if isinstance(task_spec, specs.MicroflowTask):
        calls.append(("calls", task_spec.microflow))
    extensions = getattr(task_spec, "extensions", None)
    if not isinstance(extensions, dict):
        return calls
    takes = extensions.get("take_listeners")
    listed = [*(extensions.get("listeners") or [])]
    listed += [each for flows in (takes.values() if isinstance(takes, dict) else []) for each in flows]
    for listener in listed:
        binding = listener.get("binding") if isinstance(listener, dict) else None
        if isinstance(binding, dict):
            calls.append((f"its {listener.get('event', '')} listener calls".replace("  ", " "), binding))
    return calls


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
    parser: FlowbridgeParser, key: str, decisions: dict[str, str], source_name: str
) -> tuple[list[str], list[InvalidModel]]:
    """Decisions must be in this deployment (or its files): refusals name each that is missing. A
    called process need not be (it is looked up when the call activity is reached): a warning
    names it."""
    known = set(parser.process_parsers)
    warnings = []
    missing = []
    for process_parser in _process_tree(parser, key):
        for node in process_parser.node.iter("{*}callActivity"):
            called = node.get("calledElement") or _zeebe_called(node)
            # An expression names its process when the call is reached: nothing to check here.
            if called and called not in known and not expressions.is_expression(called):
                warnings.append(
                    f"{source_name}:{node.sourceline or '?'}: callActivity '{node.get('id')}' calls process "
                    f"'{called}', which is not in this deployment: it must be deployed when an instance "
                    "reaches the call (else an incident waits there)"
                )
        for node in process_parser.node.iter("{*}businessRuleTask"):
            ref = FlowbridgeBusinessRuleTaskParser.get_decision_ref(node)
            if ref and ref not in decisions:
                what = f"business rule task calls decision '{ref}'"
                missing.append(_missing(node, source_name, what, "its DMN file"))
    return warnings, missing


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


def _cause(exc: Exception) -> str:
    """What an unexpected parser failure says, without the exception's type or repr."""
    if isinstance(exc, KeyError) and exc.args:
        return f"it refers to '{exc.args[0]}', which it does not define"
    text = str(exc).split("\n")[0].strip().rstrip(".")
    return text or "the parser could not read it"


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
