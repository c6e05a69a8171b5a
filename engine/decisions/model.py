"""DMN files: which dialect each is in, and its FEEL decisions compiled into plain data.

The dialect is decided per file (`dialect_of`): a file is FEEL (Camunda 7 and 8) when its
`definitions` declare the Camunda DMN namespace (`xmlns:camunda`, as Camunda Modeler writes for
Camunda 7), a `modeler:executionPlatform` (Camunda Modeler, for Camunda 8 "Camunda Cloud" and
Camunda 7 "Camunda Platform"), or an `expressionLanguage`/`typeLanguage` that is FEEL
(`https://www.omg.org/spec/DMN/20191111/FEEL/`, `feel`) or JUEL; any other file, and one whose
`definitions` declare Python, is SpiffArena's: SpiffWorkflow's DMN engine runs its Python.

A FEEL file's decisions compile into JSON-able dicts (`compile_file`) that the business rule task
stores in its spec: every expression becomes Python source for the script engine (FEEL through
`engine.expressions.translate`, input entries through `unary_tests`, JUEL `${...}` through the
JUEL translator). What cannot be evaluated is refused naming the file, the decision and why.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import InvalidModel
from ..expressions import UnsupportedExpression, feel, translate
from ..namespaces import MODELER_NS
from . import unary_tests

FEEL, PYTHON = "feel", "python"
"""The two DMN dialects: Camunda's FEEL, SpiffArena's Python."""
CAMUNDA_DMN_NS = "http://camunda.org/schema/1.0/dmn"
HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
DEFAULT_INPUT_VARIABLE = "cellInput"
"""The name Camunda 7 gives an input's value inside its entries (`camunda:inputVariable`)."""


def dialect_of(root: Any) -> str:
    """FEEL or PYTHON for a DMN file's `definitions` element (the rule is the module's docstring)."""
    declared = " ".join(root.get(a) or "" for a in ("expressionLanguage", "typeLanguage")).lower()
    if "python" in declared:
        return PYTHON
    if CAMUNDA_DMN_NS in root.nsmap.values() or root.get(f"{{{MODELER_NS}}}executionPlatform"):
        return FEEL
    return FEEL if "feel" in declared or "juel" in declared else PYTHON


def add_dmn(parser: Any, root: Any, filename: str) -> None:
    """Give a DMN file to the deployment's parser: a FEEL file's decisions compiled into
    `parser.decision_graphs`; a Python file to SpiffWorkflow's DMN parser, one decision at a time."""
    if dialect_of(root) == FEEL:
        parser.decision_graphs.update(compile_file(root, filename))
        return
    for part in _one_decision_each(root):
        parser.add_dmn_xml(part, filename=filename)


def _one_decision_each(root: Any) -> list[Any]:
    """SpiffWorkflow's DMN parser reads the first decision of a file (and fails on several): a
    copy of the file per decision, holding only that one."""
    decisions = root.findall("{*}decision")
    if len(decisions) <= 1:
        return [root]
    parts = []
    for keep in range(len(decisions)):
        part = copy.deepcopy(root)
        for index, decision in enumerate(part.findall("{*}decision")):
            if index != keep:
                part.remove(decision)
        parts.append(part)
    return parts


def compile_file(root: Any, filename: str) -> dict[str, dict[str, Any]]:
    """Every decision of a FEEL DMN file, by id, compiled (`compile_decision`); cycles refused."""
    language = root.get("expressionLanguage") or FEEL
    compiled = {}
    for node in root.findall("{*}decision"):
        decision = compile_decision(node, filename, language)
        compiled[decision["id"]] = decision
    for decision_id, decision in compiled.items():
        for required in decision["requires"]:
            if required not in compiled:
                raise _refused(
                    filename, root, decision_id, f"requires decision '{required}', not in this file"
                )
        _check_acyclic(compiled, decision_id, filename, root)
    return compiled


def compile_decision(node: Any, filename: str, language: str) -> dict[str, Any]:
    """One decision: id, name, required decision ids, and its table or literal expression."""
    decision_id = node.get("id") or ""
    where = (filename, node, decision_id)
    decision: dict[str, Any] = {"id": decision_id, "name": node.get("name") or decision_id}
    decision["requires"] = [
        _required(ref, *where) for ref in node.iterfind("{*}informationRequirement/{*}requiredDecision")
    ]
    table = node.find("{*}decisionTable")
    literal = node.find("{*}literalExpression")
    if table is not None:
        decision.update(_table(table, language, where))
    elif literal is not None:
        variable = node.find("{*}variable")
        name = variable.get("name") if variable is not None else None
        text = literal.findtext("{*}text") or ""
        source = _expression(text, _language(literal, language, where), where, "literal expression")
        decision.update(kind="literal", expression=source or "None", variable=name or decision_id)
    else:
        logic = [_local(child.tag) for child in node if _local(child.tag) not in _NOT_LOGIC]
        what = f"<{logic[0]}>" if logic else "no decision logic"
        raise _refused(*where, f"{what} is not supported (a decisionTable or literalExpression is)")
    return decision


_NOT_LOGIC = {"description", "extensionElements", "question", "allowedAnswers", "variable"}
_NOT_LOGIC |= {"informationRequirement", "knowledgeRequirement", "authorityRequirement"}


def _required(ref: Any, filename: str, node: Any, decision_id: str) -> str:
    href = ref.get("href") or ""
    if not href.startswith("#"):
        why = f"requires decision '{href}' from another file (DMN imports are not supported)"
        raise _refused(filename, ref, decision_id, why)
    return href[1:]


def _table(table: Any, language: str, where: tuple[str, Any, str]) -> dict[str, Any]:
    """A decision table: its hit policy, inputs, outputs and rules, expressions as Python source."""
    hit_policy = (table.get("hitPolicy") or "UNIQUE").strip().upper().replace("_", " ")
    aggregation = (table.get("aggregation") or "").strip().upper() or None
    if hit_policy not in HIT_POLICIES:
        raise _refused(*where, f"hit policy '{hit_policy}' is unknown (known: {', '.join(HIT_POLICIES)})")
    if aggregation is not None and (hit_policy != "COLLECT" or aggregation not in AGGREGATIONS):
        why = f"aggregation '{aggregation}' needs hit policy COLLECT and one of {', '.join(AGGREGATIONS)}"
        raise _refused(*where, why)
    inputs = [_input(node, language, where) for node in table.findall("{*}input")]
    outputs = [_output(node, where) for node in table.findall("{*}output")]
    if not outputs:
        raise _refused(*where, "the decision table has no output")
    if aggregation is not None and len(outputs) > 1:
        raise _refused(
            *where, f"aggregation {aggregation} over {len(outputs)} outputs (only one output aggregates)"
        )
    if hit_policy in ("PRIORITY", "OUTPUT ORDER") and not any(o["priorities"] for o in outputs):
        raise _refused(*where, f"hit policy {hit_policy} needs output values to order the outputs by")
    rules = [_rule(node, inputs, outputs, language, where) for node in table.findall("{*}rule")]
    return {
        "kind": "table",
        "hit_policy": hit_policy,
        "aggregation": aggregation,
        "inputs": [{"expression": i["expression"], "variable": i["variable"]} for i in inputs],
        "outputs": outputs,
        "rules": rules,
    }


def _input(node: Any, language: str, where: tuple[str, Any, str]) -> dict[str, Any]:
    """An input column: its expression's source (an empty one reads the variable its label names,
    as SpiffWorkflow does), its entries' language, and the name its value has inside them."""
    expression = node.find("{*}inputExpression")
    text = (expression.findtext("{*}text") if expression is not None else None) or ""
    label = (node.get("label") or "").strip()
    own = _language(expression, language, where) if expression is not None else FEEL
    what = f"input '{label or node.get('id')}'"
    source = _expression(text, own, where, what)
    if source is None and label.isidentifier() and not label.startswith("_"):
        source = _expression(label, FEEL, where, what)  # null when no such variable
    variable = node.get(f"{{{CAMUNDA_DMN_NS}}}inputVariable") or DEFAULT_INPUT_VARIABLE
    return {"expression": source or "None", "variable": variable, "language": language, "what": what}


def _output(node: Any, where: tuple[str, Any, str]) -> dict[str, Any]:
    """An output column: the name its value has in the result, and its output values in order
    (the priorities of hit policies PRIORITY and OUTPUT ORDER)."""
    values = node.findtext("{*}outputValues/{*}text")
    name = node.get("name") or node.get("id") or ""
    priorities: list[Any] = []
    if values and values.strip():
        try:
            priorities = unary_tests.literals(values)
        except (feel.Refusal, UnsupportedExpression) as exc:
            raise _refused(
                *where, f"output '{name}': output values {values.strip()!r}: {_reason(exc)}"
            ) from None
    return {"name": name, "priorities": priorities}


def _rule(
    node: Any,
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    language: str,
    where: tuple[str, Any, str],
) -> dict[str, Any]:
    """A rule: one test per input (None: any value) and one output expression per output."""
    entries, results = node.findall("{*}inputEntry"), node.findall("{*}outputEntry")
    rule_id = node.get("id") or "?"
    if len(entries) != len(inputs) or len(results) != len(outputs):
        why = f"rule '{rule_id}' has {len(entries)} input and {len(results)} output entries for "
        raise _refused(*where, why + f"{len(inputs)} inputs and {len(outputs)} outputs")
    tests = []
    for entry, column in zip(entries, inputs, strict=True):
        text = entry.findtext("{*}text") or ""
        entry_language = _language(entry, column["language"], where)
        tests.append(_entry(text, entry_language, where, f"rule '{rule_id}', {column['what']}"))
    sources = []
    for entry, output in zip(results, outputs, strict=True):
        text = entry.findtext("{*}text") or ""
        what = f"rule '{rule_id}', output '{output['name']}'"
        sources.append(
            _expression(text, _language(entry, language, where), where, what) if text.strip() else None
        )
    return {"id": rule_id, "tests": tests, "outputs": sources}


def _entry(text: str, language: str, where: tuple[str, Any, str], what: str) -> str | None:
    """An input entry's source: FEEL unary tests, or a JUEL expression that must be true."""
    try:
        if language == "juel":
            if not text.strip() or text.strip() == "-":
                return None
            return f"({translate(_juel(text), 'juel')}) is True"
        return unary_tests.compile_unary_tests(text)
    except (feel.Refusal, UnsupportedExpression) as exc:
        raise _refused(*where, f"{what}: {text.strip()!r}: {_reason(exc)}") from None


def _expression(text: str, language: str, where: tuple[str, Any, str], what: str) -> str | None:
    """Python source of an input expression, output entry or literal expression; None when empty."""
    if not text.strip():
        return None
    try:
        return translate(_juel(text) if language == "juel" else text, language)
    except UnsupportedExpression as exc:
        raise _refused(*where, f"{what}: {text.strip()!r}: {exc.reason}") from None


def _juel(text: str) -> str:
    """Camunda 7 JUEL in DMN may leave out `${...}`."""
    return text if "${" in text or "#{" in text else "${" + text.strip() + "}"


def _language(node: Any, default: str, where: tuple[str, Any, str]) -> str:
    """The expression language of `node` (its own `expressionLanguage`, else `default`): feel or juel."""
    declared = (node.get("expressionLanguage") or default).strip().lower()
    if "feel" in declared:
        return FEEL
    if declared == "juel":
        return "juel"
    why = f"expression language '{declared}' is not supported (FEEL and JUEL are)"
    raise _refused(where[0], node, where[2], why)


def _check_acyclic(compiled: dict[str, dict[str, Any]], start: str, filename: str, root: Any) -> None:
    path: list[str] = []

    def visit(decision_id: str) -> None:
        if decision_id in path:
            cycle = " → ".join([*path[path.index(decision_id) :], decision_id])
            raise _refused(filename, root, start, f"its required decisions form a cycle ({cycle})")
        path.append(decision_id)
        for required in compiled[decision_id]["requires"]:
            visit(required)
        path.pop()

    visit(start)


def _reason(exc: Exception) -> str:
    return exc.reason if isinstance(exc, UnsupportedExpression) else str(exc)


def _refused(filename: str, node: Any, decision_id: str, why: str) -> InvalidModel:
    line = getattr(node, "sourceline", None)
    return InvalidModel(
        f"{filename}:{line or '?'}: decision '{decision_id}': {why}", line=line, element=decision_id
    )


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
