"""Searching the instance list: by process name or key, business key, and a variable's value.

People remember "the loan for Ada" rather than an id, so every term matches by substring and
ignoring case: `process` a process key or name, `business_key` a business key, and `value` the
value of the variable `variable` (its JSON text for numbers, lists and objects; SQLite shows
`true`/`false` as 1/0). Each term becomes a WHERE clause on `process_instances` (the list's own
query, with the viewer's visibility, engine.accounts.visibility), so paging and counts hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, cast, or_, select

from ..errors import InvalidInput
from ..store.models import ProcessDefinition, ProcessInstance

MAX_TERM = 255
"""The longest search term."""
VARIABLE_NAME = re.compile(r"^\w{1,255}$")
"""A variable name the search looks into: letters, digits and underscores."""


@dataclass(frozen=True)
class InstanceSearch:
    """The search terms of an instance list; empty ones match everything."""

    process: str | None = None
    business_key: str | None = None
    variable: str | None = None
    value: str | None = None

    def filters(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses of these terms (InvalidInput for a term that cannot be searched)."""
        found: list[ColumnElement[bool]] = []
        process = _term(self.process, "process")
        if process:
            named = select(ProcessDefinition.id).where(
                ProcessDefinition.name.icontains(process, autoescape=True)
            )
            found.append(
                or_(
                    ProcessInstance.key.icontains(process, autoescape=True),
                    ProcessInstance.definition_id.in_(named),
                )
            )
        business_key = _term(self.business_key, "business key")
        if business_key:
            found.append(ProcessInstance.business_key.icontains(business_key, autoescape=True))
        variable, value = _term(self.variable, "variable name"), _term(self.value, "variable value")
        if value and not variable:
            raise InvalidInput("say which variable's value to search for (its name)")
        if variable:
            if not VARIABLE_NAME.match(variable):
                raise InvalidInput(
                    f"cannot search the variable {variable!r}: a name to search by has only letters, "
                    "digits and underscores"
                )
            text = cast(ProcessInstance.variables[variable].as_string(), String)
            found.append(text.icontains(value, autoescape=True) if value else text.is_not(None))
        return found


def _term(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TERM or "\x00" in value:
        raise InvalidInput(f"the {what} to search for must be text of at most {MAX_TERM} characters")
    return value.strip() or None
