"""Form fields: building one, and checking submitted values against a form (format: `engine.forms`)."""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..errors import FormInvalid

_TRUE = frozenset({"true", "on", "yes", "1"})
_FALSE = frozenset({"false", "off", "no", "0"})
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")
MISSING: Any = object()
"""What `lookup` answers for a field the values do not hold (None is a value)."""


class ValueBroken(ValueError):
    """A value breaks one of its field's rules; the message is shown next to the field."""


def validate(
    form: Mapping[str, Any] | None, values: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The submitted values, coerced to their fields' types, or FormInvalid naming each broken field.

    Required means present and not empty (None, blank text, an empty list); false is a value. Rules other
    than required skip empty values. Defaults are not filled in and names that are not fields pass through
    unchanged. A field id with dots ("address.street", from form-js keys and group paths) is looked up as a
    flat name first, then in nested objects. `current` holds the task's variables: a read-only field may
    only be submitted with its current value (or, when there is none, its default), and a field whose
    variable is already set may be left out.
    """
    result = dict(values)
    if form is None:
        return result
    problems: dict[str, str] = {}
    for field in form.get("fields") or []:
        fid = field["id"]
        raw = lookup(values, fid)
        if raw is MISSING and current is not None and lookup(current, fid) not in (MISSING, None, ""):
            continue  # the variable is already set: a submission may leave a filled-in field out
        try:
            if field.get("readonly"):
                value = _check_readonly(field, raw, _expected(field, current))
            else:
                value = _check(field, raw)
        except ValueBroken as exc:
            problems[fid] = str(exc)
            continue
        if raw is not MISSING:
            _store(result, fid, value)
    if problems:
        summary = "; ".join(f"{fid}: {problem}" for fid, problem in problems.items())
        raise FormInvalid(f"form values are invalid: {summary}", fields=problems)
    return result


def new_field(fid: str, label: Any, kind: str, **attributes: Any) -> dict[str, Any]:
    """A field of the form description: `attributes` over the defaults; the label falls back to the id."""
    field: dict[str, Any] = {
        "id": fid,
        "label": label if isinstance(label, str) and label else fid,
        "type": kind,
        "default": None,
        "required": False,
        "readonly": False,
        "options": None,
        "multiple": False,
        "validation": {},
        "microflow": None,
        "microflow_trigger": None,
    }
    return field | attributes


def as_number(value: Any) -> int | float | None:
    """A rule's limit as a number (numbers or numeric text), or None for anything else (e.g. "=expr")."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    try:
        return _number(value) if isinstance(value, str) else None
    except ValueBroken:
        return None


def coerce(field: Mapping[str, Any], raw: Any) -> Any:
    """`raw` converted to the field's type (JSON-friendly: dates stay ISO strings), or ValueBroken."""
    kind = field["type"]
    if kind == "enum":
        if field.get("multiple"):
            items = raw if isinstance(raw, list) else [raw]
            return [_option(field, item) for item in items]
        return _option(field, raw)
    if kind in ("string", "text"):
        if isinstance(raw, str):
            return raw
        raise ValueBroken("must be text")
    if kind == "integer":
        return _integer(raw)
    if kind == "number":
        return _number(raw)
    if kind == "boolean":
        return _boolean(raw)
    if kind == "date":
        text = raw.strip() if isinstance(raw, str) else ""
        if _DATE.fullmatch(text) and _parses(date.fromisoformat, text):
            return text
        raise ValueBroken("must be a date (YYYY-MM-DD)")
    if kind == "datetime":
        text = raw.strip() if isinstance(raw, str) else ""
        if _DATETIME.fullmatch(text) and _parses(datetime.fromisoformat, text):
            return text
        raise ValueBroken("must be a date and time (YYYY-MM-DDTHH:MM, ISO 8601)")
    return raw


def _check(field: Mapping[str, Any], raw: Any) -> Any:
    if _is_empty(raw):
        if field.get("required"):
            raise ValueBroken("is required")
        if raw is MISSING:
            return raw
        if isinstance(raw, str) and field["type"] in ("string", "text"):
            return raw
        # An emptied input means "no value", whatever the field's type.
        return [] if field.get("multiple") else None
    value = coerce(field, raw)
    _apply_rules(field, value)
    return value


def _check_readonly(field: Mapping[str, Any], raw: Any, expected: Any) -> Any:
    if raw is MISSING:
        return raw
    value = None if _is_empty(raw) else coerce(field, raw)
    if _is_empty(value) and _is_empty(expected):
        return raw
    with contextlib.suppress(ValueBroken):
        expected = coerce(field, expected)
    if value != expected or isinstance(value, bool) != isinstance(expected, bool):
        raise ValueBroken("is read-only and cannot be changed")
    return value


def _expected(field: Mapping[str, Any], current: Mapping[str, Any] | None) -> Any:
    found = MISSING if current is None else lookup(current, field["id"])
    return field.get("default") if found is MISSING else found


def _apply_rules(field: Mapping[str, Any], value: Any) -> None:
    rules = field.get("validation") or {}
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "min" in rules and value < rules["min"]:
            raise ValueBroken(f"must be at least {rules['min']}")
        if "max" in rules and value > rules["max"]:
            raise ValueBroken(f"must be at most {rules['max']}")
    if isinstance(value, str) and field["type"] in ("string", "text"):
        if "minlength" in rules and len(value) < rules["minlength"]:
            raise ValueBroken(f"must be at least {rules['minlength']} characters long")
        if "maxlength" in rules and len(value) > rules["maxlength"]:
            raise ValueBroken(f"must be at most {rules['maxlength']} characters long")
        # JSON Schema and form-js both test patterns unanchored (JavaScript's RegExp.test).
        if rules.get("pattern") and re.search(rules["pattern"], value) is None:
            raise ValueBroken(f"must match the pattern {rules['pattern']}")


def _integer(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        try:
            return int(raw.strip())
        except ValueError:  # beyond Python's digit limit for str -> int
            pass
    raise ValueBroken("must be a whole number")


def _number(raw: Any) -> int | float:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and math.isfinite(raw):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if _INTEGER.fullmatch(text):
            return _integer(text)
        if _DECIMAL.fullmatch(text) and math.isfinite(number := float(text)):
            return number
    raise ValueBroken("must be a number")


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueBroken("must be true or false")


def _option(field: Mapping[str, Any], item: Any) -> Any:
    options = field.get("options")
    if options is None:
        # Options computed at run time (form-js valuesKey / valuesExpression): any plain value will do.
        if isinstance(item, str | int | float | bool):
            return item
        raise ValueBroken("must be a single value")
    for option in options:
        value = option["value"]
        if item == value and isinstance(item, bool) == isinstance(value, bool):
            return value
        # HTML forms send every option as text; match non-text options by their JSON spelling.
        if isinstance(item, str) and not isinstance(value, str) and item.strip() == json.dumps(value):
            return value
    allowed = ", ".join(str(option["value"]) for option in options[:20])
    raise ValueBroken(f"must be one of: {allowed}" + (", ..." if len(options) > 20 else ""))


def _parses(parser: Any, text: str) -> bool:
    try:
        parser(text)
    except ValueError:
        return False
    return True


def _is_empty(value: Any) -> bool:
    return value is MISSING or value is None or value == [] or (isinstance(value, str) and not value.strip())


def lookup(values: Mapping[str, Any], fid: str) -> Any:
    """A field's value: the flat name first, then the dotted path through nested objects."""
    if fid in values:
        return values[fid]
    node: Any = values
    for part in fid.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node


def _store(result: dict[str, Any], fid: str, value: Any) -> None:
    if fid in result or "." not in fid:
        result[fid] = value
        return
    # Copy each nested object on the way so the caller's values are never changed.
    *parents, last = fid.split(".")
    node = result
    for part in parents:
        node[part] = dict(node[part])
        node = node[part]
    node[last] = value
