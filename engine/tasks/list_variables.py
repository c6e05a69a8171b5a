"""What a task list's row shows of a task's variables, so that rows of one task tell apart.

A user task names them with the extension property `listVariables`: variable names separated by
commas (a dotted name reads into an object, `order.total`), written as its editor writes
properties — `camunda:properties/camunda:property`, `zeebe:properties/zeebe:property` or
`spiffworkflow:properties/spiffworkflow:property`, with `name="listVariables"`. Without it, a row
shows the first `FORM_FIELDS` fields of the task's form that have a value. Each shown variable is
`{"name", "label", "value"}`: the label is its form field's, else its name; unset ones are left out.

The property is read from the definition's XML as it was drawn, once per definition version (a
version never changes), so it holds for versions deployed before Flowbridge read it too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..definitions.safe_xml import parse_xml
from ..errors import EngineError
from ..forms.validation import MISSING, lookup
from ..namespaces import BPMN_NS, CAMUNDA_NS, SPIFF_NS, ZEEBE_NS
from ..store.models import ProcessDefinition
from ..store.unit_of_work import UnitOfWork

PROPERTY = "listVariables"
"""The extension property of a user task that names the variables its list rows show."""
FORM_FIELDS = 3
"""How many of the form's first fields with a value a row shows when the model names none."""
MAX_NAMED = 8
"""The most variables a row shows of those the model names."""

_Named = dict[str, list[str]]
"""Element id → the variable names its `listVariables` property gives."""


def named_in(xml: str, source_name: str) -> _Named:
    """The `listVariables` of every element of a BPMN document (none if it cannot be read)."""
    try:
        root = parse_xml(xml.encode("utf-8"), source_name).getroot()
    except (EngineError, ValueError):
        return {}  # deployed, so it parsed once: nothing to show rather than a broken list
    named: _Named = {}
    for extensions in root.iter(f"{{{BPMN_NS}}}extensionElements"):
        owner = extensions.getparent()
        element_id = owner.get("id") if owner is not None else None
        for namespace in (CAMUNDA_NS, ZEEBE_NS, SPIFF_NS):
            path = f"{{{namespace}}}properties/{{{namespace}}}property"
            for prop in extensions.iterfind(path):
                if element_id and prop.get("name") == PROPERTY:
                    names = [n.strip() for n in (prop.get("value") or "").split(",")]
                    named[element_id] = [n for n in names if n][:MAX_NAMED]
    return named


def value_of(variables: dict[str, Any], name: str) -> Any:
    """A variable's value by name or dotted path (None when unset), as forms read their fields."""
    found = lookup(variables, name)
    return None if found is MISSING else found


def shown(
    names: list[str] | None, form: dict[str, Any] | None, variables: dict[str, Any]
) -> list[dict[str, Any]]:
    """The variables a row shows: those `names` gives, else the form's first fields with a value."""
    if names is None and not form:
        return []
    labels = {f["id"]: f.get("label") or f["id"] for f in (form or {}).get("fields") or [] if f.get("id")}
    limit = len(names) if names is not None else FORM_FIELDS
    out = []
    for name in names if names is not None else labels:
        value = value_of(variables or {}, name)
        if value is not None and value != "":
            out.append({"name": name, "label": labels.get(name, name), "value": value})
        if len(out) == limit:
            break
    return out


class ListFacts:
    """What task lists show of each definition version — its process's name and the variables its
    elements' `listVariables` name — read on first use and kept (a version never changes)."""

    def __init__(self) -> None:
        self._names: dict[int, str | None] = {}
        self._named: dict[int, _Named] = {}
        self._lock = threading.Lock()

    def load(self, uow: UnitOfWork, definition_ids: Iterable[int]) -> None:
        """Read the definitions not read yet (one query for all of them)."""
        missing = sorted(set(definition_ids) - self._named.keys())
        if not missing:
            return
        d = ProcessDefinition
        rows = uow.session.execute(
            select(d.id, d.name, d.source_xml, d.source_name).where(d.id.in_(missing))
        ).all()
        read = {row.id: named_in(row.source_xml, row.source_name) for row in rows}
        with self._lock:
            self._names.update((row.id, row.name) for row in rows)
            self._named.update(read)

    def process_name(self, definition_id: int) -> str | None:
        """The process's name in that version (None when it has none, or it is not loaded)."""
        return self._names.get(definition_id)

    def names(self, definition_id: int, element_id: str) -> list[str] | None:
        """The names the element's property gives, or None when it has none (or is not loaded)."""
        return self._named.get(definition_id, {}).get(element_id)
