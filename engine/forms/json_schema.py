"""SpiffArena's JSON-schema forms: the fields of a JSON schema and its react-jsonschema-form UI schema.

engine.forms reads the form files and builds the whole description; this module turns one
schema's top-level properties into fields (see engine.forms for the description's format).
"""

from __future__ import annotations

import json
from typing import Any

from .validation import as_number, new_field

SCHEMA_RULES = {"minimum": "min", "maximum": "max", "minLength": "minlength", "maxLength": "maxlength"}
"""JSON schema keywords and the validation rules they become."""


def schema_fields(schema: dict[str, Any], ui_schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of a JSON schema's top-level properties, in the UI schema's order."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    required = schema["required"] if isinstance(schema.get("required"), list) else []
    fields = []
    for name in _ui_ordered(list(properties), ui_schema.get("ui:order")):
        prop, ui = properties[name], ui_schema.get(name)
        if isinstance(prop, dict):
            field = _schema_field(name, prop, ui if isinstance(ui, dict) else {}, name in required)
            if field is not None:
                fields.append(field)
    return fields


def _schema_field(
    name: str, prop: dict[str, Any], ui: dict[str, Any], required: bool
) -> dict[str, Any] | None:
    declared = prop.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    widget = ui_option(ui, "widget")
    options, multiple = _schema_options(prop), False
    if declared == "array":
        items = prop.get("items")
        options = _schema_options(items) if isinstance(items, dict) else None
        if options is None:
            return None
        multiple = True
    if options is not None:
        kind = "enum"
    elif declared == "string":
        formats = {"date": "date", "date-time": "datetime", "datetime": "datetime"}
        kind = formats.get(prop.get("format") or "") or formats.get(widget or "") or "string"
        kind = "text" if kind == "string" and widget == "textarea" else kind
    elif declared in ("integer", "number", "boolean"):
        kind = declared
    else:
        return None
    label = ui_option(ui, "title") or prop.get("title")
    ui_readonly = any(ui_option(ui, k) is True for k in ("readonly", "disabled"))
    readonly = prop.get("readOnly") is True or ui_readonly
    field = new_field(
        name,
        label,
        kind,
        default=prop.get("default"),
        required=required,
        readonly=readonly,
        options=options,
        multiple=multiple,
        microflow=ui_option(ui, "microflow"),
        microflow_trigger=ui_option(ui, "microflow_trigger"),
    )
    copy_rules(field, prop, SCHEMA_RULES)
    if kind == "string" and prop.get("format") == "email":
        field["format"] = "email"  # the browser checks it, as SpiffArena's form does
    return field


def _schema_options(prop: dict[str, Any]) -> list[dict[str, Any]] | None:
    if isinstance(prop.get("enum"), list):
        names = prop["enumNames"] if isinstance(prop.get("enumNames"), list) else []
        labels = [str(n) for n in names] + [text_of(v) for v in prop["enum"][len(names) :]]
        return [{"value": v, "label": label} for v, label in zip(prop["enum"], labels, strict=False)]
    choices = prop.get("oneOf") or prop.get("anyOf")
    if not isinstance(choices, list) or not choices:
        return None
    options = []
    for choice in choices:
        if not isinstance(choice, dict):
            return None
        if "const" in choice:
            value = choice["const"]
        elif isinstance(choice.get("enum"), list) and len(choice["enum"]) == 1:
            value = choice["enum"][0]
        else:
            return None  # a oneOf of sub-schemas, not of values
        options.append({"value": value, "label": str(choice.get("title") or text_of(value))})
    return options


def ui_option(ui: dict[str, Any], name: str) -> Any:
    """A UI-schema option of one property (or of the form, at the UI schema's root)."""
    # react-jsonschema-form takes "ui:x" or {"ui:options": {"x": ...}}.
    if f"ui:{name}" in ui:
        return ui[f"ui:{name}"]
    options = ui.get("ui:options")
    return options.get(name) if isinstance(options, dict) else None


def _ui_ordered(names: list[str], order: Any) -> list[str]:
    if not isinstance(order, list):
        return names
    rest = [n for n in names if n not in order]
    ordered: list[str] = []
    for item in order:
        if item == "*":
            ordered += rest
        elif item in names and item not in ordered:
            ordered.append(item)
    return ordered if "*" in order else ordered + rest


def copy_rules(field: dict[str, Any], source: dict[str, Any], names: dict[str, str]) -> None:
    """Copy the validation rules `names` maps (source name to ours) and a pattern into `field`."""
    for name, rule in names.items():
        number = as_number(source.get(name))
        if number is not None:
            field["validation"][rule] = number
    if isinstance(source.get("pattern"), str) and source["pattern"]:
        field["validation"]["pattern"] = source["pattern"]


def text_of(value: Any) -> str:
    """A value as an option label shows it: text as is, anything else in its JSON spelling."""
    return value if isinstance(value, str) else json.dumps(value)
