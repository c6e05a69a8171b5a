"""BPMN dialects: what each editor writes, rewritten at deploy time into what SpiffWorkflow runs.

Camunda Modeler (for Camunda 7 and 8), bpmn.io and SpiffArena's modeler write the same BPMN
with different expression languages and extensions. Deploying rewrites a copy of each file —
the stored XML stays as drawn — so that:

- conditions, timer values, loop cardinalities and completion conditions in JUEL or FEEL
  become the Python SpiffWorkflow evaluates, and literal ISO timer values become strings;
  an expression outside the translated subset is refused here, naming the element;
- Camunda's multi-instance collections become SpiffWorkflow's loop data references;
- data stores, and data associations that only document data flow (everywhere but in
  SpiffArena models, whose data objects are variables), are dropped rather than refused;
- an activity with several outgoing flows gets the gateway BPMN implies (parallel for
  plain flows, inclusive for conditional ones);
- what cannot run is refused with a reason a modeller understands.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

from lxml import etree

from .. import expressions
from ..errors import InvalidModel
from ..namespaces import ACTIVITI_NS, BPMN_NS, CAMUNDA_NS, MODELER_NS, SPIFF_NS, ZEEBE_NS
from ..store.models import parse_moment

DIALECTS = ("camunda7", "camunda8", "spiff", "bpmn")
"""camunda7 (JUEL), camunda8 (FEEL), spiff (Python) and bpmn (any other tool: Python)."""

_LANGUAGES = {"python": "python", "juel": "juel", "feel": "feel", "javascript": None, "groovy": None}
_ISO_TIMER = re.compile(
    r"^(R\d*/)?("
    r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"  # duration
    r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"  # date and time
    r")(/.*)?$"
)
_ACTIVITIES = (
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "scriptTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
)
"""Elements SpiffWorkflow gives one outgoing flow; more than one gets the gateway BPMN implies."""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STARTABLE = frozenset(
    {*_ACTIVITIES, "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "endEvent"}
) - {"boundaryEvent"}
"""Flow nodes a (sub)process without a start event may begin with."""
_CONTAINERS = frozenset({"process", "subProcess", "transaction", "adHocSubProcess", "definitions"})


def _q(local: str, ns: str = BPMN_NS) -> str:
    return f"{{{ns}}}{local}"


def dialect_of(root: etree._Element) -> str:
    """Which editor's dialect a BPMN document is written in."""
    platform = (root.get(_q("executionPlatform", MODELER_NS)) or "").lower()
    namespaces = set(root.nsmap.values()) | {
        etree.QName(el).namespace for el in root.iter() if isinstance(el.tag, str)
    }
    if "cloud" in platform or ZEEBE_NS in namespaces:
        return "camunda8"
    if "platform" in platform or CAMUNDA_NS in namespaces or ACTIVITI_NS in namespaces:
        return "camunda7"
    if SPIFF_NS in namespaces:
        return "spiff"
    return "bpmn"


def normalize(tree: etree._ElementTree, source_name: str) -> tuple[etree._ElementTree, str]:
    """A rewritten copy of `tree` that SpiffWorkflow can run, and the document's dialect.

    Raises InvalidModel naming the file, line, element and reason for what cannot run.
    """
    dialect = dialect_of(tree.getroot())
    copied = copy.deepcopy(tree)
    rewriter = _Rewriter(copied.getroot(), source_name, dialect)
    rewriter.run()
    return copied, dialect


class _Rewriter:
    """One document's rewrite; each method handles one concern."""

    def __init__(self, root: etree._Element, source_name: str, dialect: str) -> None:
        self.root = root
        self.source_name = source_name
        self.dialect = dialect

    def run(self) -> None:
        self._activiti_as_camunda()
        self._drop_processes_that_do_not_run()
        self._drop_documentation_data()
        self._conditions()
        self._timers()
        self._multi_instance()
        self._scripts()
        self._io_and_assignment_expressions()
        self._implicit_splits()
        self._implicit_starts()

    # -- helpers ----------------------------------------------------------------------------

    def refuse(self, element: etree._Element, reason: str) -> InvalidModel:
        """An InvalidModel naming the file, line and the flow element (task, event, flow) at fault."""
        owner: etree._Element | None = element
        while owner is not None and not (owner.get("id") and _local(owner.getparent()) in _CONTAINERS):
            owner = owner.getparent()
        element_id = owner.get("id") if owner is not None else None
        kind = _local(owner) or "element"
        line = element.sourceline or "?"
        label = f"{kind} '{element_id}'" if element_id else kind
        return InvalidModel(f"{self.source_name}:{line}: {label}: {reason}", line=line, element=element_id)

    def translate(self, element: etree._Element, text: str, what: str, language: str | None = None) -> str:
        """Python source for an expression, or a refusal naming it.

        `${…}`/`#{…}` is JUEL and a leading `=` is FEEL in every dialect; other text is Python,
        unless the element declares its language.
        """
        dialect = expressions.dialect_of(text, language or "python")
        try:
            return expressions.translate(text, dialect)
        except expressions.UnsupportedExpression as exc:
            raise self.refuse(element, f"{what} {text.strip()!r} is not supported: {exc.reason}") from None

    def language_of(self, element: etree._Element, what: str) -> str | None:
        """The expression language an element declares, or None for the dialect's default."""
        declared = (element.get("language") or "").strip().lower()
        if not declared:
            return None
        for name, language in _LANGUAGES.items():
            if name in declared:
                if language is None:
                    raise self.refuse(element, f"{what} is written in {name}; Flowbridge evaluates Python")
                return language
        raise self.refuse(element, f"{what} language '{element.get('language')}' is not supported")

    def iter(self, local: str, ns: str = BPMN_NS) -> Iterator[etree._Element]:
        """Elements with this tag, as a list so the caller may change the tree."""
        return iter(list(self.root.iter(_q(local, ns))))

    # -- concerns ---------------------------------------------------------------------------

    def _activiti_as_camunda(self) -> None:
        # Same attribute and element names, older namespace: read them as Camunda 7's.
        prefix = f"{{{ACTIVITI_NS}}}"
        for element in self.root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag.startswith(prefix):
                element.tag = f"{{{CAMUNDA_NS}}}{element.tag[len(prefix) :]}"
            for name in [str(n) for n in element.attrib if str(n).startswith(prefix)]:
                element.set(f"{{{CAMUNDA_NS}}}{name[len(prefix) :]}", str(element.attrib.pop(name)))

    def _drop_processes_that_do_not_run(self) -> None:
        # Pools of other participants only document a collaboration; they need not be runnable.
        for process in self.iter("process"):
            if process.get("isExecutable", "true").strip().lower() == "false":
                _remove(process)

    def _drop_documentation_data(self) -> None:
        # Flowbridge implements no data stores: references to them only document the flow.
        stores = {el.get("id") for el in self.iter("dataStoreReference")}
        for local in ("dataStore", "dataStoreReference"):
            for el in self.iter(local):
                _remove(el)
        for local, ref in (("dataInputAssociation", "sourceRef"), ("dataOutputAssociation", "targetRef")):
            for association in self.iter(local):
                target = association.findtext(_q(ref), "").strip()
                # SpiffArena's data objects are variables; everywhere else they document.
                if self.dialect != "spiff" or target in stores or not target:
                    _remove(association)
        if self.dialect != "spiff":
            for spec in self.iter("ioSpecification"):
                if _local(spec.getparent()) != "process":
                    _remove(spec)

    def _conditions(self) -> None:
        for condition in [*self.iter("conditionExpression"), *self.iter("condition")]:
            text = (condition.text or "").strip()
            what = "condition"
            if not text:
                # An empty condition is no condition (bpmn.io writes them when a field is cleared).
                _remove(condition)
                continue
            language = self.language_of(condition, what)
            condition.text = self.translate(condition, text, what, language)
            _clear_language(condition)

    def _timers(self) -> None:
        for timer in self.iter("timerEventDefinition"):
            kinds = ("timeDate", "timeDuration", "timeCycle")
            values = [v for v in timer if _local(v) in kinds and (v.text or "").strip()]
            if not values:
                raise self.refuse(timer, "timer has no time (timeDate, timeDuration or timeCycle)")
            for value in values:
                text = (value.text or "").strip()
                if _ISO_TIMER.match(text):
                    value.text = repr(text)
                else:
                    value.text = self.translate(value, text, "timer value", self.language_of(value, "timer"))
                _clear_language(value)

    def _multi_instance(self) -> None:
        for loop in self.iter("multiInstanceLoopCharacteristics"):
            self._camunda7_collection(loop)
            self._zeebe_collection(loop)
            for local in ("loopCardinality", "completionCondition"):
                element = loop.find(_q(local))
                if element is not None and (element.text or "").strip():
                    what = "loop cardinality" if local == "loopCardinality" else "completion condition"
                    element.text = self.translate(element, element.text or "", what)
            has_input = (
                loop.find(_q("loopCardinality")) is not None or loop.find(_q("loopDataInputRef")) is not None
            )
            if not has_input:
                raise self.refuse(
                    loop,
                    "multi-instance activity names neither a cardinality nor a collection to loop over",
                )

    def _camunda7_collection(self, loop: etree._Element) -> None:
        collection = loop.get(_q("collection", CAMUNDA_NS))
        if not collection:
            return
        name = self._bare_name(loop, collection, "multi-instance collection")
        _child(loop, "loopDataInputRef", name)
        element = loop.get(_q("elementVariable", CAMUNDA_NS))
        if element:
            _data_item(loop, "inputDataItem", element)

    def _zeebe_collection(self, loop: etree._Element) -> None:
        zeebe = loop.find(f".//{_q('loopCharacteristics', ZEEBE_NS)}")
        if zeebe is None:
            return
        collection = zeebe.get("inputCollection")
        if collection:
            _child(
                loop, "loopDataInputRef", self._bare_name(loop, collection, "multi-instance inputCollection")
            )
        if zeebe.get("inputElement"):
            _data_item(loop, "inputDataItem", zeebe.get("inputElement", ""))
        if zeebe.get("outputCollection"):
            _child(loop, "loopDataOutputRef", zeebe.get("outputCollection", ""))
            element = zeebe.get("outputElement")
            if element:
                _data_item(
                    loop, "outputDataItem", self._bare_name(loop, element, "multi-instance outputElement")
                )

    def _bare_name(self, element: etree._Element, value: str, what: str) -> str:
        """The variable a `name`, `=name` or `${name}` refers to (loop collections name variables)."""
        body = value.strip()
        if body.startswith("="):
            body = body[1:].strip()
        elif expressions.dialect_of(body) == "juel":
            body = body[2:-1].strip() if body.endswith("}") else body
        if not _NAME.match(body):
            raise self.refuse(element, f"{what} {value!r} must name a variable")
        return body

    def _scripts(self) -> None:
        for task in self.iter("scriptTask"):
            zeebe = task.find(f".//{_q('script', ZEEBE_NS)}")
            if zeebe is not None and zeebe.get("expression"):
                # A Camunda 8 script task is a FEEL expression stored under a result variable.
                result = zeebe.get("resultVariable") or ""
                if not _NAME.match(result):
                    raise self.refuse(task, f"script task result variable {result!r} is not a variable name")
                source = self.translate(zeebe, zeebe.get("expression", ""), "script expression", "feel")
                _child(task, "script", f"{result} = {source}")
                task.set("scriptFormat", "python")
                continue
            if task.get(_q("resource", CAMUNDA_NS)):
                raise self.refuse(task, "script task loads an external script resource; inline Python only")
            script_format = (task.get("scriptFormat") or "python").strip().lower()
            if script_format not in ("python", "text/x-python", "py"):
                raise self.refuse(task, f"script task is written in {script_format}; Flowbridge runs Python")
            script = task.find(_q("script"))
            if script is None or not (script.text or "").strip():
                raise self.refuse(task, "script task has no script")

    def _io_and_assignment_expressions(self) -> None:
        # Checked here so a bad mapping is refused at deploy time; the parser translates them again.
        for param in [*self.iter("inputParameter", CAMUNDA_NS), *self.iter("outputParameter", CAMUNDA_NS)]:
            if expressions.is_expression(param.text or ""):
                self.translate(param, param.text or "", "mapping")
        for mapping in [*self.iter("input", ZEEBE_NS), *self.iter("output", ZEEBE_NS)]:
            if expressions.is_expression(mapping.get("source", "")):
                self.translate(mapping, mapping.get("source", ""), "mapping")
        for task in self.iter("userTask"):
            for attr in ("assignee", "candidateUsers", "candidateGroups"):
                value = task.get(_q(attr, CAMUNDA_NS))
                if value and expressions.is_expression(value):
                    self.translate(task, value, f"{attr} expression")
        for definition in self.iter("assignmentDefinition", ZEEBE_NS):
            for attr in ("assignee", "candidateUsers", "candidateGroups"):
                value = definition.get(attr)
                if value and expressions.is_expression(value):
                    self.translate(definition, value, f"{attr} expression")
        due_dates = [(t, t.get(_q("dueDate", CAMUNDA_NS))) for t in self.iter("userTask")]
        due_dates += [(s, s.get("dueDate")) for s in self.iter("taskSchedule", ZEEBE_NS)]
        for element, value in due_dates:
            if value and expressions.is_expression(value):
                self.translate(element, value, "dueDate expression")
            elif value and value.strip() and parse_moment(value) is None:
                why = "is neither an ISO 8601 date nor an expression"
                raise self.refuse(element, f"dueDate {value.strip()!r} {why}")

    def _implicit_splits(self) -> None:
        for process in [*self.iter("process"), *self.iter("subProcess"), *self.iter("transaction")]:
            flows = [el for el in process if _local(el) == "sequenceFlow"]
            by_source: dict[str, list[etree._Element]] = {}
            for flow in flows:
                by_source.setdefault(flow.get("sourceRef", ""), []).append(flow)
            for node in process:
                outgoing = by_source.get(node.get("id", ""), [])
                if _local(node) in _ACTIVITIES and len(outgoing) > 1:
                    _insert_split(process, node, outgoing)

    def _implicit_starts(self) -> None:
        # BPMN: a (sub)process without a start event starts every flow node nothing flows into.
        for container in [*self.iter("process"), *self.iter("subProcess"), *self.iter("transaction")]:
            if container.get("triggeredByEvent") == "true" or container.find(_q("startEvent")) is not None:
                continue
            targets = {f.get("targetRef") for f in container if _local(f) == "sequenceFlow"}
            first = [
                node
                for node in container
                if _local(node) in _STARTABLE
                and node.get("id") not in targets
                and node.get("isForCompensation") != "true"
                and node.get("triggeredByEvent") != "true"
            ]
            if not first and _local(container) != "process":
                # An empty (often collapsed, undrawn) subprocess completes at once.
                end = etree.SubElement(container, _q("endEvent"))
                end.set("id", f"{container.get('id')}__end")
                first = [end]
            if first:
                _insert_start(container, first)


def _insert_start(container: etree._Element, first: list[etree._Element]) -> None:
    """Give a (sub)process the start event BPMN implies: one token to each of `first`."""
    container_id = container.get("id", "")
    start = etree.SubElement(container, _q("startEvent"))
    start.set("id", f"{container_id}__start")
    source = start
    if len(first) > 1:
        source = etree.SubElement(container, _q("parallelGateway"))
        source.set("id", f"{container_id}__start_split")
        _flow(container, start, source)
    for node in first:
        _flow(container, source, node)


def _flow(container: etree._Element, source: etree._Element, target: etree._Element) -> None:
    flow = etree.SubElement(container, _q("sequenceFlow"))
    flow.set("id", f"{source.get('id')}__to__{target.get('id')}")
    flow.set("sourceRef", source.get("id", ""))
    flow.set("targetRef", target.get("id", ""))
    _child(source, "outgoing", flow.get("id", ""), replace=False)
    _child(target, "incoming", flow.get("id", ""), replace=False)


def _insert_split(process: etree._Element, activity: etree._Element, outgoing: list[etree._Element]) -> None:
    """Give an activity with several outgoing flows the gateway BPMN implies for them."""
    activity_id = activity.get("id", "")
    conditional = any(f.find(_q("conditionExpression")) is not None for f in outgoing)
    gateway = etree.SubElement(process, _q("inclusiveGateway" if conditional else "parallelGateway"))
    gateway.set("id", f"{activity_id}__split")
    default = activity.get("default")
    if default:
        del activity.attrib["default"]
        gateway.set("default", default)
    link = etree.SubElement(process, _q("sequenceFlow"))
    link.set("id", f"{activity_id}__to_split")
    link.set("sourceRef", activity_id)
    link.set("targetRef", gateway.get("id", ""))
    for flow in outgoing:
        flow.set("sourceRef", gateway.get("id", ""))
    for out in activity.findall(_q("outgoing")):
        activity.remove(out)
    _child(activity, "outgoing", link.get("id", ""), replace=False)


def _child(parent: etree._Element, local: str, text: str, replace: bool = True) -> etree._Element:
    existing = parent.find(_q(local)) if replace else None
    element = existing if existing is not None else etree.SubElement(parent, _q(local))
    element.text = text
    return element


def _data_item(loop: etree._Element, local: str, name: str) -> None:
    item = loop.find(_q(local))
    if item is None:
        item = etree.SubElement(loop, _q(local))
    item.set("id", name)
    item.set("name", name)


def _clear_language(element: etree._Element) -> None:
    if "language" in element.attrib:
        del element.attrib["language"]


def _local(element: etree._Element | None) -> str:
    """An element's local name; "" for comments and processing instructions."""
    if element is None or not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)
