"""The BPMN-wide rewrites every model gets at deploy time, and the helpers editor rewrites use.

- conditions, timer values, loop cardinalities and completion conditions in JUEL or FEEL
  become the Python SpiffWorkflow evaluates, and literal ISO timer values become strings;
  an expression outside the translated subset is refused here, naming the element;
- data stores, and data associations that only document data flow (everywhere but in
  SpiffArena models, whose data objects are variables), are dropped rather than refused;
- an activity with several outgoing flows gets the gateway BPMN implies (parallel for
  plain flows, inclusive for conditional ones), and a (sub)process without a start event the
  start event BPMN implies;
- what cannot run is refused with a reason a modeller understands: each concern refuses one
  element at a time inside `Rewriter.collect`, which records the refusal and goes on with the
  next element (the refused one is left as drawn), so one deployment names every problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lxml import etree

from ... import expressions
from ...errors import InvalidModel
from ...namespaces import BPMN_NS, FLOWBRIDGE_NS
from ...store.models import parse_moment
from .. import cron

_LANGUAGES = {"python": "python", "juel": "juel", "feel": "feel", "javascript": None, "groovy": None}
_ISO_TIMER = re.compile(
    r"^(R\d*/)?("
    r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"  # duration
    r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"  # date and time
    r")(/.*)?$"
)
ACTIVITIES = (
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
)
"""BPMN's activities."""
_ACTIVITIES = (*ACTIVITIES, "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
"""Elements SpiffWorkflow gives one outgoing flow; more than one gets the gateway BPMN implies."""
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STARTABLE = frozenset(
    {*_ACTIVITIES, "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "endEvent"}
) - {"boundaryEvent"}
"""Flow nodes a (sub)process without a start event may begin with."""
_FLOW_NODES = frozenset(
    {
        *_ACTIVITIES,
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
"""Flow nodes that end their path when no flow leaves them (end events do so by definition)."""
_CONTAINERS = frozenset({"process", "subProcess", "transaction", "adHocSubProcess", "definitions"})
_RESERVED = re.compile(r"^(Start|End|.*\.(EndJoin|BoundaryEventSplit|BoundaryEventJoin))$")
"""Task spec names SpiffWorkflow gives its own specs (and derives from an element's id)."""
_RENAMEABLE = frozenset({*_FLOW_NODES, "startEvent", "endEvent"})
"""Flow nodes: the elements that become task specs."""
DRAWN_ID = f"{{{FLOWBRIDGE_NS}}}drawnId"
"""The id a flow node was drawn with, where the rewrite had to give it another (`reserved_ids`)."""


def q(local: str, ns: str = BPMN_NS) -> str:
    """Clark notation for a tag or attribute: `{namespace}local`."""
    return f"{{{ns}}}{local}"


CollectionReader = Callable[["Rewriter", etree._Element], None]
"""An editor's multi-instance collection, read into SpiffWorkflow's loop data references."""
ScriptReader = Callable[["Rewriter", etree._Element], bool]
"""An editor's script task: True when the editor's own form of script was rewritten."""


class Rewriter:
    """One document's rewrite; each method handles one concern (`normalize` runs them in order)."""

    def __init__(self, root: etree._Element, source_name: str, dialect: str) -> None:
        self.root = root
        self.source_name = source_name
        self.dialect = dialect
        self.problems: list[InvalidModel] = []
        """The refusals recorded so far (`collect`), in document order per concern."""

    # -- helpers ----------------------------------------------------------------------------

    def refuse(self, element: etree._Element, reason: str) -> InvalidModel:
        """An InvalidModel naming the file, line and the flow element (task, event, flow) at fault."""
        owner: etree._Element | None = element
        while owner is not None and not (owner.get("id") and local_name(owner.getparent()) in _CONTAINERS):
            owner = owner.getparent()
        element_id = owner.get("id") if owner is not None else None
        kind = local_name(owner) or "element"
        line = element.sourceline or "?"
        label = f"{kind} '{element_id}'" if element_id else kind
        return InvalidModel(
            f"{self.source_name}:{line}: {label}: {reason}",
            line=line,
            element=element_id,
            file=self.source_name,
            reason=reason,
        )

    @contextmanager
    def collect(self) -> Iterator[None]:
        """Record a refusal raised inside and go on: a concern wraps its work on each element in
        this, so the rest of the document is still checked (the refused element stays as drawn)."""
        try:
            yield
        except InvalidModel as refusal:
            self.problems.append(refusal)

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
        return iter(list(self.root.iter(q(local, ns))))

    # -- concerns ---------------------------------------------------------------------------

    def drop_processes_that_do_not_run(self) -> None:
        # Pools of other participants only document a collaboration; they need not be runnable.
        for process in self.iter("process"):
            if process.get("isExecutable", "true").strip().lower() == "false":
                remove(process)

    def drop_documentation_data(self) -> None:
        # Flowbridge implements no data stores: references to them only document the flow.
        stores = {el.get("id") for el in self.iter("dataStoreReference")}
        for tag in ("dataStore", "dataStoreReference"):
            for el in self.iter(tag):
                remove(el)
        for tag, ref in (("dataInputAssociation", "sourceRef"), ("dataOutputAssociation", "targetRef")):
            for association in self.iter(tag):
                target = association.findtext(q(ref), "").strip()
                # SpiffArena's data objects are variables; everywhere else they document.
                if self.dialect != "spiff" or target in stores or not target:
                    remove(association)
        if self.dialect != "spiff":
            for spec in self.iter("ioSpecification"):
                if local_name(spec.getparent()) != "process":
                    remove(spec)

    def check_event_references(self) -> None:
        """An event definition's errorRef, escalationRef, messageRef or signalRef names an element
        the file defines (unless it imports other files, which may)."""
        if self.root.find(q("import")) is not None:
            return
        for kind in ("error", "escalation", "message", "signal"):
            defined = {el.get("id") for el in self.iter(kind)}
            for definition in self.iter(f"{kind}EventDefinition"):
                ref = (definition.get(f"{kind}Ref") or "").strip()
                if ref and ref not in defined and kind == "error" and self.dialect in ("camunda7", "bpmn"):
                    # Camunda 7 (and so plain BPMN) reads an errorRef that names no error as its code.
                    error = etree.SubElement(self.root, q("error"))
                    error.set("id", ref)
                    error.set("errorCode", ref)
                    defined.add(ref)
                elif ref and ref not in defined:
                    self.problems.append(
                        self.refuse(
                            definition,
                            f"{kind}EventDefinition names {kind} '{ref}', which the file does not define",
                        )
                    )

    def conditions(self) -> None:
        for condition in [*self.iter("conditionExpression"), *self.iter("condition")]:
            text = (condition.text or "").strip()
            what = "condition"
            if not text:
                # An empty condition is no condition (bpmn.io writes them when a field is cleared).
                remove(condition)
                continue
            with self.collect():
                language = self.language_of(condition, what)
                condition.text = self.translate(condition, text, what, language)
                _clear_language(condition)

    def timers(self) -> None:
        for timer in self.iter("timerEventDefinition"):
            kinds = ("timeDate", "timeDuration", "timeCycle")
            values = [v for v in timer if local_name(v) in kinds and (v.text or "").strip()]
            if not values:
                why = "timer has no time (timeDate, timeDuration or timeCycle)"
                self.problems.append(self.refuse(timer, why))
            for value in values:
                with self.collect():
                    self._timer_value(timer, value)

    def _timer_value(self, timer: etree._Element, value: etree._Element) -> None:
        text = (value.text or "").strip()
        if _ISO_TIMER.match(text):
            value.text = repr(text)
        elif local_name(value) == "timeCycle" and cron.looks_like_cron(text):
            try:
                value.text = repr(cron.PREFIX + cron.normalize(text, self.dialect))
            except ValueError as exc:
                raise self.refuse(timer, str(exc)) from None
        else:
            value.text = self.translate(value, text, "timer value", self.language_of(value, "timer"))
        _clear_language(value)

    def multi_instance(self, collections: tuple[CollectionReader, ...]) -> None:
        for loop in self.iter("multiInstanceLoopCharacteristics"):
            for item in (loop.find(q("inputDataItem")), loop.find(q("outputDataItem"))):
                # Camunda 7 names the element variable by the item's name; SpiffWorkflow by its id.
                name = (item.get("name") or "").strip() if item is not None else ""
                if item is not None and name and not (item.get("id") or "").strip():
                    item.set("id", name)
            with self.collect():
                for read_collection in collections:
                    read_collection(self, loop)
                for local in ("loopCardinality", "completionCondition"):
                    element = loop.find(q(local))
                    if element is not None and (element.text or "").strip():
                        what = "loop cardinality" if local == "loopCardinality" else "completion condition"
                        element.text = self.translate(element, element.text or "", what)
                inputs = (loop.find(q("loopCardinality")), loop.find(q("loopDataInputRef")))
                if all(found is None for found in inputs):
                    raise self.refuse(
                        loop,
                        "multi-instance activity names neither a cardinality nor a collection to loop over",
                    )

    def bare_name(self, element: etree._Element, value: str, what: str) -> str:
        """The variable a `name`, `=name` or `${name}` refers to (loop collections name variables)."""
        body = value.strip()
        if body.startswith("="):
            body = body[1:].strip()
        elif expressions.dialect_of(body) == "juel":
            body = body[2:-1].strip() if body.endswith("}") else body
        if not NAME.match(body):
            raise self.refuse(element, f"{what} {value!r} must name a variable")
        return body

    def scripts(self, readers: tuple[ScriptReader, ...]) -> None:
        for task in self.iter("scriptTask"):
            with self.collect():
                self._script(task, readers)

    def _script(self, task: etree._Element, readers: tuple[ScriptReader, ...]) -> None:
        if any(read(self, task) for read in readers):
            return
        script_format = (task.get("scriptFormat") or "python").strip().lower()
        if script_format not in ("python", "text/x-python", "py"):
            raise self.refuse(task, f"script task is written in {script_format}; Flowbridge runs Python")
        script = task.find(q("script"))
        if script is None or not (script.text or "").strip():
            raise self.refuse(task, "script task has no script")

    def check_expression(self, element: etree._Element, value: str | None, what: str) -> None:
        """Record a refusal of an expression that does not translate (the parser translates it again)."""
        if value and expressions.is_expression(value):
            with self.collect():
                self.translate(element, value, what)

    def check_due_date(self, element: etree._Element, value: str | None, what: str = "dueDate") -> None:
        """A due (or follow-up) date is an ISO 8601 date, an ISO 8601 duration after the task's
        creation, or an expression; record a refusal of anything else."""
        with self.collect():
            if value and expressions.is_expression(value):
                self.translate(element, value, f"{what} expression")
            elif value and value.strip() and parse_moment(value) is None and not _is_duration(value):
                why = "is neither an ISO 8601 date or duration nor an expression"
                raise self.refuse(element, f"{what} {value.strip()!r} {why}")

    def implicit_splits(self) -> None:
        for process in [*self.iter("process"), *self.iter("subProcess"), *self.iter("transaction")]:
            flows = [el for el in process if local_name(el) == "sequenceFlow"]
            by_source: dict[str, list[etree._Element]] = {}
            for flow in flows:
                by_source.setdefault(flow.get("sourceRef", ""), []).append(flow)
            for node in process:
                outgoing = by_source.get(node.get("id", ""), [])
                if local_name(node) in _ACTIVITIES and len(outgoing) > 1:
                    _insert_split(process, node, outgoing)

    def flow_ids(self) -> None:
        """A sequence flow without an id (Camunda's tests have them; the schema allows it) gets one,
        so that it is followed: SpiffWorkflow keys flows by id."""
        for number, flow in enumerate(self.iter("sequenceFlow")):
            if not (flow.get("id") or "").strip():
                flow.set("id", f"{flow.get('sourceRef')}__flow{number}__{flow.get('targetRef')}")

    def reserved_ids(self) -> None:
        """A flow node whose id SpiffWorkflow keeps for a task spec of its own (`Start`, `End`,
        `<scope>.EndJoin`, a boundary event's split and join) gets another, and keeps the one drawn
        in `DRAWN_ID`: the parser gives it back as the element's id (history, tasks, the diagram)."""
        ids = {el.get("id") for el in self.root.iter() if isinstance(el.tag, str) and el.get("id")}
        renamed = {}
        for node in list(self.root.iter()):
            drawn = node.get("id") if local_name(node) in _RENAMEABLE else None
            if not drawn or not _RESERVED.match(drawn):
                continue
            new_id = f"{drawn}__drawn"
            while new_id in ids:
                new_id += "_"
            ids.add(new_id)
            renamed[drawn] = new_id
            node.set("id", new_id)
            node.set(DRAWN_ID, drawn)
        if not renamed:
            return
        for element in self.root.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in ("sourceRef", "targetRef", "attachedToRef", "activityRef"):
                if element.get(attribute) in renamed:
                    element.set(attribute, renamed[element.get(attribute, "")])
            if local_name(element) == "flowNodeRef" and (element.text or "").strip() in renamed:
                element.text = renamed[(element.text or "").strip()]

    def implicit_ends(self) -> None:
        """BPMN: a flow node without outgoing flows ends its path (an implicit end event): it gets
        the end event that says so, or SpiffWorkflow would keep the instance waiting at nothing."""
        for container in [*self.iter("process"), *self.iter("subProcess"), *self.iter("transaction")]:
            sources = {f.get("sourceRef") for f in container if local_name(f) == "sequenceFlow"}
            for node in list(container):
                kind = local_name(node)
                if (
                    kind not in _FLOW_NODES
                    or node.get("id") in sources
                    or node.get("isForCompensation") == "true"
                    or node.get("triggeredByEvent") == "true"
                    or (kind == "boundaryEvent" and node.find(q("compensateEventDefinition")) is not None)
                ):
                    continue
                end = etree.SubElement(container, q("endEvent"))
                end.set("id", f"{node.get('id')}__implicit_end")
                connect(container, node, end)

    def implicit_starts(self) -> None:
        # BPMN: a (sub)process without a start event starts every flow node nothing flows into.
        for container in [*self.iter("process"), *self.iter("subProcess"), *self.iter("transaction")]:
            if container.get("triggeredByEvent") == "true" or container.find(q("startEvent")) is not None:
                continue
            targets = {f.get("targetRef") for f in container if local_name(f) == "sequenceFlow"}
            first = [
                node
                for node in container
                if local_name(node) in _STARTABLE
                and node.get("id") not in targets
                and node.get("isForCompensation") != "true"
                and node.get("triggeredByEvent") != "true"
            ]
            if not first and local_name(container) != "process":
                # An empty (often collapsed, undrawn) subprocess completes at once.
                end = etree.SubElement(container, q("endEvent"))
                end.set("id", f"{container.get('id')}__end")
                first = [end]
            if first:
                _insert_start(container, first)


def _insert_start(container: etree._Element, first: list[etree._Element]) -> None:
    """Give a (sub)process the start event BPMN implies: one token to each of `first`."""
    container_id = container.get("id", "")
    start = etree.SubElement(container, q("startEvent"))
    start.set("id", f"{container_id}__start")
    source = start
    if len(first) > 1:
        source = etree.SubElement(container, q("parallelGateway"))
        source.set("id", f"{container_id}__start_split")
        connect(container, start, source)
    for node in first:
        connect(container, source, node)


def connect(container: etree._Element, source: etree._Element, target: etree._Element) -> None:
    """A sequence flow in `container` from `source` to `target`, with their incoming/outgoing links."""
    flow = etree.SubElement(container, q("sequenceFlow"))
    flow.set("id", f"{source.get('id')}__to__{target.get('id')}")
    flow.set("sourceRef", source.get("id", ""))
    flow.set("targetRef", target.get("id", ""))
    child(source, "outgoing", flow.get("id", ""), replace=False)
    child(target, "incoming", flow.get("id", ""), replace=False)


def _insert_split(process: etree._Element, activity: etree._Element, outgoing: list[etree._Element]) -> None:
    """Give an activity with several outgoing flows the gateway BPMN implies for them."""
    activity_id = activity.get("id", "")
    conditional = any(f.find(q("conditionExpression")) is not None for f in outgoing)
    gateway = etree.SubElement(process, q("inclusiveGateway" if conditional else "parallelGateway"))
    gateway.set("id", f"{activity_id}__split")
    default = activity.get("default")
    if default:
        del activity.attrib["default"]
        gateway.set("default", default)
    link = etree.SubElement(process, q("sequenceFlow"))
    link.set("id", f"{activity_id}__to_split")
    link.set("sourceRef", activity_id)
    link.set("targetRef", gateway.get("id", ""))
    for flow in outgoing:
        flow.set("sourceRef", gateway.get("id", ""))
    for out in activity.findall(q("outgoing")):
        activity.remove(out)
    child(activity, "outgoing", link.get("id", ""), replace=False)


def child(parent: etree._Element, local: str, text: str, replace: bool = True) -> etree._Element:
    existing = parent.find(q(local)) if replace else None
    element = existing if existing is not None else etree.SubElement(parent, q(local))
    element.text = text
    return element


def data_item(loop: etree._Element, local: str, name: str) -> None:
    item = loop.find(q(local))
    if item is None:
        item = etree.SubElement(loop, q(local))
    item.set("id", name)
    item.set("name", name)


def _clear_language(element: etree._Element) -> None:
    if "language" in element.attrib:
        del element.attrib["language"]


def local_name(element: etree._Element | None) -> str:
    """An element's local name; "" for comments and processing instructions."""
    if element is None or not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname


def remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _is_duration(text: str) -> bool:
    """Whether `text` is an ISO 8601 duration (`P2DT2H30M`)."""
    return (
        re.fullmatch(
            r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?", text.strip()
        )
        is not None
    )
