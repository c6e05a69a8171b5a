"""Forms on pages: a form description (`engine.forms`) as inputs, and a posted form back as values.

`fields()` prepares each field for the `_form.html` macros: the kind of control, its HTML
attributes (type, required, limits, the sync microflow's data attributes), its options and the
value to show. `posted()` reads the browser's post as the values the engine validates: text as
typed (the engine coerces it to the field's type), checkboxes as "true"/"false", multiple choices
as lists, and dotted field ids ("address.street") into the nested variable they name.

A task or start event without fields gets the plain variables form: rows of a name, a type (text,
number, boolean, JSON) and a value, each checked on its own (`variable_rows`, `posted_variables`).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.forms import MISSING, lookup
from engine.variables import ENGINE_NAMES, ENGINE_PREFIXES

VARIABLE_ROWS = 4
"""Empty name/type/value rows of the plain variables form (JavaScript adds and removes rows)."""
VARIABLE_TYPES = {"text": "Text", "number": "Number", "boolean": "Yes/no (true or false)", "json": "JSON"}
"""The types a variables row's value may have: what is posted, and what the select shows."""
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A variable name the form accepts: one that scripts and expressions can use as it is."""
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}

_INPUT_TYPES = {
    "string": "text",
    "integer": "number",
    "number": "number",
    "date": "date",
    "datetime": "datetime-local",
}

_FORMAT_TYPES = {"email": "email", "phone": "tel"}
_EXPECTED = {
    "integer": "a whole number, e.g. 42",
    "number": "a number, e.g. 3.5",
    "date": "a date as YYYY-MM-DD, e.g. 2024-05-31",
    "datetime": "a date and time as YYYY-MM-DDTHH:MM, e.g. 2024-05-31T14:30",
    "email": "an e-mail address, e.g. name@example.com",
    "phone": "a phone number, e.g. +44 20 7946 0958",
}
"""The format a field's error names, so the person sees what to type."""


def has_fields(form: Mapping[str, Any] | None) -> bool:
    """Whether a form description has fields to render (else: the plain variables form)."""
    return bool(form and form.get("fields"))


def shown_values(form: Mapping[str, Any] | None, variables: Mapping[str, Any]) -> dict[str, Any]:
    """What each field shows at first: its variable's current value, else its default."""
    shown: dict[str, Any] = {}
    for field in (form or {}).get("fields") or []:
        value = lookup(variables, field["id"])
        if value is MISSING or value is None:
            value = field.get("default")
        if value is None:
            continue
        if field["type"] == "boolean":
            shown[field["id"]] = value is True or (isinstance(value, str) and value.lower() == "true")
        elif field.get("multiple"):
            shown[field["id"]] = [as_text(v) for v in (value if isinstance(value, list) else [value])]
        else:
            shown[field["id"]] = as_text(value)
    return shown


def fields(
    form: Mapping[str, Any] | None, shown: Mapping[str, Any], errors: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The fields of `form`, ready to render with the values `shown` and the `errors` by field id."""
    prepared = []
    for field in (form or {}).get("fields") or []:
        fid = field["id"]
        kind = field["type"]
        value = shown.get(fid)
        control = "input"
        attrs: dict[str, Any] = {
            "id": f"f-{fid}",
            "name": fid,
            "aria-describedby": f"e-{fid}",
            "data-type": kind,
        }
        options: list[dict[str, Any]] = []
        if kind == "enum" and field.get("options") is not None:
            control = "select"
            chosen = value if isinstance(value, list) else [] if value is None else [value]
            options = [
                {"value": as_text(o["value"]), "label": o["label"], "selected": as_text(o["value"]) in chosen}
                for o in field["options"]
            ]
            if field.get("multiple"):
                attrs["multiple"] = ""
        elif kind == "boolean":
            control = "checkbox"
            attrs.update(type="checkbox", value="true")
            if value is True:
                attrs["checked"] = ""
        elif kind == "text":
            control = "textarea"
        else:
            attrs["type"] = _FORMAT_TYPES.get(field.get("format")) or _INPUT_TYPES.get(kind, "text")
            attrs["value"] = _input_value(kind, value)
            if kind == "integer":
                attrs["step"] = "1"
            elif kind == "number":
                attrs["step"] = "any"
        _rules(field, control, attrs)
        if field.get("readonly"):
            # A select or checkbox cannot be read-only: disabled, it is not sent (the engine keeps it).
            if control in ("select", "checkbox"):
                attrs["disabled"] = ""
            else:
                # Nothing to do there: the keyboard skips it (a screen reader still reads it in the form).
                attrs.update(readonly="", tabindex="-1")
        expected = _EXPECTED.get(field.get("format")) or _EXPECTED.get(kind, "")
        if fid in errors:
            attrs["aria-invalid"] = "true"
            if expected:
                attrs["aria-describedby"] += f" x-{fid}"
        if field.get("microflow"):
            attrs["data-microflow"] = field["microflow"]
            attrs["data-microflow-trigger"] = field.get("microflow_trigger") or "change"
        prepared.append(
            {
                "id": fid,
                "label": field.get("label") or fid,
                "type": kind,
                "control": control,
                "attrs": attrs,
                "options": options,
                "text": value if control == "textarea" and isinstance(value, str) else "",
                "placeholder": control == "select" and not field.get("multiple"),
                "required": bool(field.get("required")),
                "error": errors.get(fid, ""),
                "expected": expected,
            }
        )
    return prepared


def actions(form: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The form's async-microflow buttons (`"actions": [{"id", "label", "microflow"}]`)."""
    found = []
    for action in (form or {}).get("actions") or []:
        if isinstance(action, Mapping) and action.get("id") and action.get("microflow"):
            found.append(
                {
                    "id": str(action["id"]),
                    "label": str(action.get("label") or action["id"]),
                    "microflow": str(action["microflow"]),
                }
            )
    return found


def posted(
    form: Mapping[str, Any] | None, post: MultiDict[str, str], current: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form's values as posted: (the variables to submit, what to show again if they fail).

    Fields the browser did not send (disabled ones) are left out; the engine keeps their value.
    """
    variables: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    for field in (form or {}).get("fields") or []:
        fid = field["id"]
        if fid not in post:
            continue
        if field["type"] == "boolean":
            # A hidden "false" comes first; a ticked box adds "true" after it.
            raw: Any = post.getlist(fid)[-1]
            shown[fid] = raw == "true"
        elif field.get("multiple"):
            # A hidden empty marker is always sent, so that choosing nothing clears the field.
            raw = [v for v in post.getlist(fid) if v != ""]
            shown[fid] = raw
        else:
            raw = post.get(fid, "")
            shown[fid] = raw
        _put(variables, fid, raw, current or {})
    return variables, shown


def variable_rows(post: MultiDict[str, str] | None = None, rows: int = VARIABLE_ROWS) -> list[dict[str, Any]]:
    """The rows of the plain variables form: empty, or as posted (to show again)."""
    post = post if post is not None else MultiDict()
    count = max(rows, _posted_rows(post))
    shown = []
    for i in range(count):
        chosen = post.get(f"var-type-{i}", "text")
        types = [{"value": k, "label": label, "selected": k == chosen} for k, label in VARIABLE_TYPES.items()]
        shown.append(
            {
                "index": i,
                "name": post.get(f"var-name-{i}", ""),
                "types": types,
                "value": post.get(f"var-value-{i}", ""),
            }
        )
    return shown


def posted_variables(post: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The plain variables form's rows as variables, and problems by field (`var-name-{i}`,
    `var-value-{i}`).

    Each row names its value's type (`VARIABLE_TYPES`); a row posted without one (a script's post)
    reads the value as JSON, else as text. Rows without a name and a value are skipped.
    """
    variables: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for i in range(_posted_rows(post)):
        name = post.get(f"var-name-{i}", "").strip()
        kind = post.get(f"var-type-{i}", "")
        text = post.get(f"var-value-{i}", "")
        if not name and not text.strip():
            continue
        name_problem = _name_problem(name, variables)
        if name_problem:
            problems[f"var-name-{i}"] = name_problem
        try:
            value = typed_value(kind, text)
        except ValueError as exc:
            problems[f"var-value-{i}"] = str(exc)
            continue
        if not name_problem:
            variables[name] = value
    return variables, problems


def typed_value(kind: str, text: str) -> Any:
    """A variables row's value read as its type says; ValueError says what is wrong with it."""
    if kind == "text":
        return text
    if kind == "number":
        return _number(text.strip())
    if kind == "boolean":
        word = text.strip().lower()
        if word not in _BOOLEANS:
            raise ValueError("must be true or false")
        return _BOOLEANS[word]
    if kind == "json":
        try:
            return json.loads(text, parse_constant=_no_constant)
        except RecursionError:
            raise ValueError("is not valid JSON: it is nested too deeply") from None
        except ValueError as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise ValueError(
                f'is not valid JSON: {reason} (e.g. 42, true, "text", [1, 2], {{"a": 1}})'
            ) from None
    return json_or_text(text)


def unplaced(errors: Mapping[str, str], shown_fields: list[dict[str, Any]]) -> dict[str, str]:
    """The errors that have no place beside a field or a variables row (shown above the form)."""
    placed = {f["id"] for f in shown_fields}
    return {
        key: message
        for key, message in errors.items()
        if key not in placed and not key.startswith(("var-name-", "var-value-")) and key != "business_key"
    }


def json_or_text(text: str) -> Any:
    """`text` read as JSON, else the text itself (stripped)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # deep nesting ("[[[[...") exhausts the parser's stack
        return text.strip()


def as_text(value: Any) -> str:
    """A value as an input or option shows it: text as is, anything else in its JSON spelling."""
    return value if isinstance(value, str) else json.dumps(value)


def _rules(field: Mapping[str, Any], control: str, attrs: dict[str, Any]) -> None:
    """HTML's own checks, from the field's rules (the server checks them again)."""
    if field.get("required") and control != "checkbox" and not field.get("readonly"):
        attrs["required"] = ""
    rules = field.get("validation") or {}
    if control == "input" and attrs.get("type") == "number":
        for rule in ("min", "max"):
            if rule in rules:
                attrs[rule] = rules[rule]
    if control in ("input", "textarea") and field["type"] in ("string", "text"):
        for rule in ("minlength", "maxlength"):
            if rule in rules:
                attrs[rule] = rules[rule]
        if control == "input" and rules.get("pattern"):
            # HTML anchors a pattern, the engine does not (like RegExp.test): allow text around it.
            attrs["pattern"] = f".*(?:{rules['pattern']}).*"


def _input_value(kind: str, value: Any) -> str:
    text = value if isinstance(value, str) else ""
    if kind == "datetime" and len(text) >= 16:
        # datetime-local shows local date and time only: no zone, and a T between them.
        return text[:19].replace(" ", "T")
    return text


def _put(variables: dict[str, Any], fid: str, raw: Any, current: Mapping[str, Any]) -> None:
    """Set a field's value; a dotted id sets it inside its object, keeping the object's other keys."""
    if "." not in fid or fid in current:
        variables[fid] = raw
        return
    first, *middle, last = fid.split(".")
    if first not in variables:
        base = current.get(first)
        variables[first] = copy.deepcopy(base) if isinstance(base, dict) else {}
    node = variables[first]
    for part in middle:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[last] = raw


def _name_problem(name: str, taken: Mapping[str, Any]) -> str | None:
    if not name:
        return "needs a name"
    if not NAME.fullmatch(name):
        return "must start with a letter or _ and hold only letters, digits and _ (e.g. order_id)"
    if name in ENGINE_NAMES or name.startswith(ENGINE_PREFIXES):
        return f"{name} is the engine's own: only the model's scripts may set it"
    if name in taken:
        return f"names {name} a second time"
    return None


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is no JSON value")


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise ValueError("must be a number (e.g. 42 or 3.5)") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number (e.g. 42 or 3.5)")
    return number


def _posted_rows(post: MultiDict[str, str]) -> int:
    indexes = [
        int(key.rsplit("-", 1)[1])
        for key in post
        if key.startswith(("var-name-", "var-value-")) and key.rsplit("-", 1)[1].isdecimal()
    ]
    # Bounded: a crafted post cannot make the server loop over a huge range.
    return min(max(indexes, default=-1) + 1, 200)
