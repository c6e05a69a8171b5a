"""User task and start event forms: the three editors' dialects read into one description.

`parse_form` runs at deploy time and raises InvalidModel for a missing or broken form file; `validate`
(from `engine.form_validation`) checks the values a user submits against the description.

The description is a JSON-serializable dict::

    {
      "source": "camunda7" | "camunda8" | "spiff",
      "key": str | None,         # the form reference as written in the model: camunda:formKey / formRef,
                                 # zeebe formId / formKey / externalReference, or Spiff's schema file name
      "fields": [{
          "id": str,             # the variable; form-js group paths and dotted keys give "a.b"
          "label": str,          # falls back to the id
          "type": "string" | "text" | "integer" | "number" | "boolean" | "date" | "datetime" | "enum",
          "default": Any | None, # dates as ISO strings ("2024-05-31", "2024-05-31T12:00:00")
          "required": bool,
          "readonly": bool,
          "options": [{"value": Any, "label": str}] | None,  # enum only; None = options known only at
                                                             # run time (form-js valuesKey/valuesExpression)
          "multiple": bool,      # enum holding a list of options (form-js checklist/taglist, array schema)
          "validation": {"min": num, "max": num, "minlength": int, "maxlength": int, "pattern": str},
                                 # only the rules that are set; patterns are unanchored (like RegExp.test)
          "microflow": str | None,          # a sync microflow that checks or fills the field on screen
          "microflow_trigger": "input" | "change" | "blur" | None,  # when it runs (None without one)
          "format": "email" | "phone",      # text of that kind (form-js validationType, a JSON schema's
                                            # format "email"); absent otherwise: an input of that type
      }],
      "actions": [{"id": str, "label": str, "microflow": str}],  # buttons that start async microflows
      "schema": dict | None,     # SpiffArena: the JSON schema as deployed
      "ui_schema": dict | None,  # SpiffArena: the UI schema as deployed
      "components": list | None, # form-js (Camunda 8, Camunda 7 formRef): the original components
    }

Option values are text except where a JSON schema enumerates numbers or booleans. Only the top level of a
form becomes fields: nested objects and arrays (other than arrays of options) of a JSON schema, and form-js
dynamic lists, tables, file pickers and expression fields stay in "schema" / "components" for a renderer.
Camunda 7 embedded or external forms (`camunda:formKey` without formData) and Camunda 8 custom form keys
cannot be rendered here: their description has the key and no fields. A Camunda 7 date field's default is
read with its `datePattern` (Camunda's default dd/MM/yyyy) and stored as ISO; submitted dates are ISO.
Default values that are expressions (`${...}`) become None.

Microflows on screen (the web front end runs them; DESIGN §6). A field may name a sync microflow that
the page calls, blocking the screen until it answers, when the person types ("input", debounced), or
leaves a changed field ("change", the default) or leaves it at all ("blur"):

- Camunda 7: ``<camunda:formField id="customer_id" ...><camunda:properties>
  <camunda:property id="microflow" value="check_customer" />
  <camunda:property id="microflow_trigger" value="blur" /></camunda:properties></camunda:formField>``
- form-js (Camunda 8, Camunda 7 formRef): the component's custom properties,
  ``"properties": {"microflow": "check_customer", "microflow_trigger": "input"}``
- SpiffArena: the field's UI schema, ``"customer_id": {"ui:options": {"microflow": "check_customer"}}``
  (``"ui:microflow"`` works too, like every react-jsonschema-form option)

The microflow gets the form's current values as its input, every field by id with its typed value
(numbers as numbers, checkboxes as booleans, empty fields as null), so declare it with ``**values`` or
with named parameters (the page sends only the names a microflow declares). Its answer: a JSON object
fills the fields its keys name, its ``"error"`` is shown as this field's error (the field is marked
invalid) and its ``"message"`` beside the field; any other value fills the field itself.

A form may have buttons that start async microflows (``"actions"``): the person keeps working and the
result appears beside the button when the job is done (a JSON object's ``"message"`` or ``"error"``, else
the value). The action's microflow gets the same input as a field's; its id is the microflow's name
(a UI schema action may give another "id"), its label falls back to the id:

- Camunda 7 and 8: a property of the user task or start event named ``action:<microflow>`` whose value is
  the button's label: ``<camunda:properties><camunda:property name="action:send_quote" value="Send
  quote" /></camunda:properties>`` (Camunda 8: ``zeebe:properties/zeebe:property``)
- form-js: a button component whose properties name a microflow:
  ``{"type": "button", "label": "Send quote", "properties": {"microflow": "send_quote"}}``
- SpiffArena: the UI schema's root, ``"ui:options": {"actions": [{"microflow": "send_quote", "label":
  "Send quote"}]}``; ``spiffworkflow:property name="action:send_quote"`` on the task works too

A task with actions and no form fields still gets a description (with no fields). Names are checked when
the page calls them (an unknown microflow answers 404), not at deploy: microflow modules may load later
than the models. Bad triggers, a trigger without a microflow and repeated action ids are refused.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NoReturn

from lxml import etree

from ..errors import InvalidModel
from ..namespaces import CAMUNDA_NS, SPIFF_NS, ZEEBE_NS
from .json_schema import copy_rules, schema_fields, ui_option
from .validation import ValueBroken, as_number, coerce, new_field, validate

__all__ = ["form_files", "parse_form", "validate"]

# The same namespaces as engine.parsing, which imports this module (so no import back).
CAMUNDA = f"{{{CAMUNDA_NS}}}"
ZEEBE = f"{{{ZEEBE_NS}}}"
SPIFF = f"{{{SPIFF_NS}}}"

_CAMUNDA7_TYPES = {
    "string": "string",
    "double": "number",
    "boolean": "boolean",
    "date": "date",
    "enum": "enum",
}
_CAMUNDA7_TYPES |= dict.fromkeys(("long", "integer", "short"), "integer")
_FORMJS_TYPES = {"textfield": "string", "textarea": "text", "number": "number", "checkbox": "boolean"}
_FORMJS_TYPES |= dict.fromkeys(("select", "radio", "checklist", "taglist"), "enum") | {"datetime": "date"}
# Loose on purpose: the browser's own check is stricter; these only stop plain mistakes server-side.
_FORMJS_PATTERNS = {"email": r"^[^\s@]+@[^\s@]+\.[^\s@]+$", "phone": r"^\+?[0-9 ()./-]{5,}$"}
_FORMJS_RULES = {"min": "min", "max": "max", "minLength": "minlength", "maxLength": "maxlength"}
_JAVA_DATE = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_TRIGGERS = ("input", "change", "blur")
"""When a field's microflow runs: while typing (debounced), on leaving a changed field, on leaving it."""
_ACTION_PREFIX = "action:"
_ACTION_ID = re.compile(r"[\w.:-]+")
_EMBEDDED = "camunda-forms:bpmn:"
_DEPLOYMENT = "camunda-forms:deployment:"


def parse_form(
    node: etree._Element,
    files: Mapping[str, bytes],
    source_name: str,
    process_node: etree._Element | None = None,
) -> dict[str, Any] | None:
    """The form description of a userTask or startEvent element, or None when it has no form.

    `files` are all files of the deployment by name; `source_name` is the BPMN file's name; `process_node`
    is the enclosing <process> (found from `node` when not given). Raises InvalidModel naming the file, the
    element and the missing or broken form file.
    """
    ctx = _Context(node, files, source_name, process_node)
    form = next((f for reader in (_spiff_form, _zeebe_form, _camunda7_form) if (f := reader(ctx))), None)
    source, actions = _property_actions(ctx)
    if form is None and actions:
        form = _form(source, None, [])
    if form is None:
        return None
    form["actions"] = _checked_actions(ctx, form["actions"] + actions)
    _check_fields(ctx, form["fields"])
    return form


def form_files(
    node: etree._Element,
    process_node: etree._Element | None = None,
    files: Mapping[str, bytes] | None = None,
) -> list[str]:
    """Names of the deployment files a task's form needs (for the process checksum).

    Without `files`, linked form-js forms are named by their form id; with them, ids and base names are
    resolved to the deployed file names (left as written when nothing matches).
    """
    ext = node.find("{*}extensionElements")
    props = _spiff_properties(ext)
    names = [props[p] for p in ("formJsonSchemaFilename", "formUiSchemaFilename") if props.get(p)]
    definition = ext.find(f"{ZEEBE}formDefinition") if ext is not None else None
    form_id = definition.get("formId") if definition is not None else None
    form_id = form_id or node.get(f"{CAMUNDA}formRef")
    key = node.get(f"{CAMUNDA}formKey") or ""
    if key.startswith(_DEPLOYMENT):
        names.append(key.removeprefix(_DEPLOYMENT))
    if files is None:
        return names + ([form_id] if form_id else [])
    resolved = [(found[0] if len(found := _find_files(name, files, None)) == 1 else name) for name in names]
    if form_id:
        resolved.append(next((name for name, _ in _linked_forms(form_id, files, None)), form_id))
    return resolved


class _Context:
    """The element being read, the deployment's files, and how to name both in a refusal."""

    def __init__(
        self,
        node: etree._Element,
        files: Mapping[str, bytes],
        source_name: str,
        process_node: etree._Element | None,
    ) -> None:
        self.node = node
        self.files = files
        self.source_name = source_name
        self.ext = node.find("{*}extensionElements")
        if process_node is None or _local(process_node) != "process":
            # A task in a subprocess reads the forms its process declares (Zeebe keeps them there).
            process_node = next((a for a in node.iterancestors() if _local(a) == "process"), process_node)
        self.process_node = process_node

    def fail(self, problem: str) -> NoReturn:
        element = self.node.get("id") or "?"
        kind = re.sub(r"(?<!^)(?=[A-Z])", " ", _local(self.node)).lower()
        raise InvalidModel(
            f"{self.source_name}: {kind} '{element}' {problem}", element=element, line=self.node.sourceline
        )

    def file(self, name: str, what: str) -> str:
        found = _find_files(name, self.files, self.source_name)
        if not found:
            self.fail(f"names {what} '{name}', but no such file was deployed")
        if len(found) > 1:
            self.fail(f"names {what} '{name}', but several deployed files have that name: {', '.join(found)}")
        return found[0]

    def json_file(self, name: str) -> dict[str, Any]:
        return self.json(self.files[name], f"form file '{name}'")

    def json(self, data: bytes | str, what: str) -> dict[str, Any]:
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            self.fail(
                f"uses {what}, which is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            )
        except (ValueError, RecursionError) as exc:  # undecodable bytes, absurd nesting
            self.fail(f"uses {what}, which is not valid JSON: {exc}")
        if not isinstance(doc, dict):
            self.fail(f"uses {what}, which holds a JSON {type(doc).__name__}, not an object")
        return doc

    def linked_form(self, form_id: str) -> tuple[str, dict[str, Any]]:
        found = _linked_forms(form_id, self.files, self)
        if not found:
            self.fail(f"links form '{form_id}', but no .form file with that id was deployed")
        if len(found) > 1:
            names = ", ".join(name for name, _ in found)
            self.fail(f"links form '{form_id}', but several .form files have that id: {names}")
        return found[0]


def _spiff_form(ctx: _Context) -> dict[str, Any] | None:
    props = _spiff_properties(ctx.ext)
    schema_name = props.get("formJsonSchemaFilename")
    if not schema_name:
        return None
    schema = ctx.json_file(ctx.file(schema_name, "form schema file"))
    ui_name = props.get("formUiSchemaFilename")
    ui_schema = ctx.json_file(ctx.file(ui_name, "form UI schema file")) if ui_name else None
    fields = schema_fields(schema, ui_schema or {})
    listed = _action_objects(ctx, ui_option(ui_schema or {}, "actions"))
    actions = [_action(ctx, a.get("microflow"), a.get("label"), a.get("id")) for a in listed]
    return _form("spiff", schema_name, fields, schema=schema, ui_schema=ui_schema, actions=actions)


def _zeebe_form(ctx: _Context) -> dict[str, Any] | None:
    definition = ctx.ext.find(f"{ZEEBE}formDefinition") if ctx.ext is not None else None
    if definition is None:
        return None
    form_id, form_key = definition.get("formId"), definition.get("formKey")
    if form_id:
        name, doc = ctx.linked_form(form_id)
        return _formjs_form(ctx, "camunda8", form_id, doc, f"form file '{name}'")
    if form_key and form_key.startswith(_EMBEDDED):
        embedded_id = form_key.removeprefix(_EMBEDDED)
        holder = ctx.process_node.find("{*}extensionElements") if ctx.process_node is not None else None
        forms = holder.findall(f"{ZEEBE}userTaskForm") if holder is not None else []
        element = next((f for f in forms if f.get("id") == embedded_id), None)
        if element is None:
            ctx.fail(
                f"uses embedded form '{embedded_id}', but its process has no zeebe:userTaskForm with that id"
            )
        what = f"zeebe:userTaskForm '{embedded_id}'"
        return _formjs_form(ctx, "camunda8", form_key, ctx.json(element.text or "", what), what)
    reference = form_key or definition.get("externalReference")
    return _form("camunda8", reference, []) if reference else None


def _camunda7_form(ctx: _Context) -> dict[str, Any] | None:
    form_ref, form_key = ctx.node.get(f"{CAMUNDA}formRef"), ctx.node.get(f"{CAMUNDA}formKey")
    if form_ref:
        name, doc = ctx.linked_form(form_ref)
        return _formjs_form(ctx, "camunda7", form_ref, doc, f"form file '{name}'")
    if form_key and form_key.startswith(_DEPLOYMENT):
        name = ctx.file(form_key.removeprefix(_DEPLOYMENT), "form file")
        return _formjs_form(ctx, "camunda7", form_key, ctx.json_file(name), f"form file '{name}'")
    form_data = ctx.ext.find(f"{CAMUNDA}formData") if ctx.ext is not None else None
    if form_data is not None:
        fields = [_camunda7_field(ctx, f) for f in form_data.findall(f"{CAMUNDA}formField")]
        return _form("camunda7", form_key, fields)
    return _form("camunda7", form_key, []) if form_key else None


def _camunda7_field(ctx: _Context, element: etree._Element) -> dict[str, Any]:
    fid = element.get("id")
    if not fid:
        ctx.fail("has a camunda:formField without an id")
    kind = _CAMUNDA7_TYPES.get(element.get("type") or "string", "string")
    date_pattern = element.get("datePattern") or element.get(f"{CAMUNDA}datePattern") or "dd/MM/yyyy"
    if kind == "date" and re.search(r"[Hhkms]", date_pattern):
        kind = "datetime"
    options = None
    if kind == "enum":
        options = [
            {"value": v.get("id") or "", "label": v.get("name") or v.get("id") or ""}
            for v in element.findall(f"{CAMUNDA}value")
        ]
    field = new_field(fid, element.get("label"), kind, options=options)
    rules = field["validation"]
    for constraint in element.findall(f"{CAMUNDA}validation/{CAMUNDA}constraint"):
        name, config = constraint.get("name"), constraint.get("config")
        if name in ("required", "readonly"):
            field[name] = (config or "true").strip().lower() != "false"
        elif name in ("minlength", "maxlength", "min", "max"):
            number = as_number(config)
            if number is None or (name.endswith("length") and not isinstance(number, int)):
                ctx.fail(f"has form field '{fid}' whose {name} constraint needs a number, not {config!r}")
            rules[name] = number
        elif name == "pattern" and config:
            rules["pattern"] = config
    field["default"] = _camunda7_default(ctx, field, element.get("defaultValue"), date_pattern)
    properties = {
        p.get("id") or p.get("name") or "": p.get("value")
        for p in element.findall(f"{CAMUNDA}properties/{CAMUNDA}property")
    }
    return _with_microflow(field, properties)


def _camunda7_default(ctx: _Context, field: dict[str, Any], raw: str | None, date_pattern: str) -> Any:
    if raw is None or raw == "" or re.match(r"\s*[$#]\{", raw):
        return None
    if field["type"] in ("date", "datetime"):
        fmt = re.sub("yyyy|yy|MM|dd|HH|mm|ss", lambda m: _JAVA_DATE[m.group()], date_pattern)
        try:
            parsed = datetime.strptime(raw.strip(), fmt)
        except ValueError:
            pass  # perhaps ISO already; coerce() decides below
        else:
            return parsed.date().isoformat() if field["type"] == "date" else parsed.isoformat()
    try:
        return coerce(field, raw)
    except ValueBroken as exc:
        ctx.fail(f"has form field '{field['id']}' whose default value {raw!r} {exc}")


def _formjs_form(ctx: _Context, source: str, key: str, doc: dict[str, Any], what: str) -> dict[str, Any]:
    components = doc.get("components")
    if not isinstance(components, list):
        ctx.fail(f'uses {what}, which has no "components" list')
    fields: list[dict[str, Any]] = []
    buttons: list[dict[str, Any]] = []
    _formjs_walk(components, "", fields, buttons)
    actions = [_action(ctx, b["properties"].get("microflow"), b.get("label"), None) for b in buttons]
    return _form(source, key, fields, components=components, actions=actions)


def _formjs_walk(
    components: list[Any], prefix: str, fields: list[dict[str, Any]], buttons: list[dict[str, Any]]
) -> None:
    for component in components:
        if not isinstance(component, dict):
            continue
        kind, children = component.get("type"), component.get("components")
        if isinstance(children, list) and kind not in ("dynamiclist", "table"):
            # Groups (and pages) bind their children under their own `path`, which may be empty.
            _formjs_walk(children, _join(prefix, component.get("path")), fields, buttons)
            continue
        key = component.get("key")
        if isinstance(key, str) and key and kind in _FORMJS_TYPES:
            fields.append(_formjs_field(component, _join(prefix, key)))
        elif kind == "button" and "microflow" in _properties_of(component):
            buttons.append(component | {"properties": _properties_of(component)})


def _formjs_field(component: dict[str, Any], fid: str) -> dict[str, Any]:
    kind = component["type"]
    field_type = _FORMJS_TYPES[kind]
    if kind == "number" and component.get("decimalDigits") == 0:
        field_type = "integer"
    if kind == "datetime":
        # form-js's "time" subtype has no type of its own here; it is validated as text.
        field_type = {"date": "date", "datetime": "datetime"}.get(
            component.get("subtype") or "date", "string"
        )
    label = component.get("label") or component.get("dateLabel") or component.get("timeLabel")
    values = component.get("values")
    options = None
    if field_type == "enum" and isinstance(values, list):
        options = [
            {"value": v.get("value"), "label": str(v.get("label") or v.get("value"))}
            for v in values
            if isinstance(v, dict)
        ]
    field = new_field(
        fid,
        label,
        field_type,
        default=component.get("defaultValue"),
        # readonly / disabled may be FEEL expressions ("=..."), known only at run time: not enforced.
        readonly=component.get("readonly") is True or component.get("disabled") is True,
        options=options,
        multiple=kind in ("checklist", "taglist"),
    )
    checks = component["validate"] if isinstance(component.get("validate"), dict) else {}
    field["required"] = checks.get("required") is True
    _with_microflow(field, _properties_of(component))
    copy_rules(field, checks, _FORMJS_RULES)
    if checks.get("validationType") in _FORMJS_PATTERNS:
        field["format"] = checks["validationType"]
        if "pattern" not in field["validation"]:
            field["validation"]["pattern"] = _FORMJS_PATTERNS[checks["validationType"]]
    return field


def _check_fields(ctx: _Context, fields: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for field in fields:
        if field["id"] in seen:
            ctx.fail(f"has form field '{field['id']}' twice")
        seen.add(field["id"])
        pattern = field["validation"].get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                ctx.fail(f"has form field '{field['id']}' with an invalid pattern {pattern!r}: {exc}")
        _check_field_microflow(ctx, field)


def _with_microflow(field: dict[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """`field` with the microflow and trigger its properties name (checked later, in _check_fields)."""
    field.update(microflow=properties.get("microflow"), microflow_trigger=properties.get("microflow_trigger"))
    return field


def _check_field_microflow(ctx: _Context, field: dict[str, Any]) -> None:
    """A field's microflow is a name; its trigger one of _TRIGGERS, "change" when not given."""
    fid, name, trigger = field["id"], field["microflow"], field["microflow_trigger"]
    if name is not None and (not isinstance(name, str) or not name.strip()):
        ctx.fail(f"has form field '{fid}' whose microflow must be a microflow's name, not {name!r}")
    if name is None and trigger is not None:
        ctx.fail(f"has form field '{fid}' with a microflow_trigger but no microflow")
    if name is not None and trigger is None:
        trigger = "change"
    if name is not None and trigger not in _TRIGGERS:
        ctx.fail(
            f"has form field '{fid}' whose microflow_trigger {trigger!r} is not one of {', '.join(_TRIGGERS)}"
        )
    field["microflow"] = name.strip() if name is not None else None
    field["microflow_trigger"] = trigger


def _property_actions(ctx: _Context) -> tuple[str, list[dict[str, Any]]]:
    """The element's `action:<microflow>` properties (Camunda 7, Camunda 8, SpiffArena) and their dialect."""
    if ctx.ext is None:
        return "camunda7", []
    found: list[dict[str, Any]] = []
    source = "camunda7"
    for dialect, path in (
        ("spiff", f"{SPIFF}properties/{SPIFF}property"),
        ("camunda8", f"{ZEEBE}properties/{ZEEBE}property"),
        ("camunda7", f"{CAMUNDA}properties/{CAMUNDA}property"),
    ):
        for prop in ctx.ext.findall(path):
            name = prop.get("name") or prop.get("id") or ""
            if name.startswith(_ACTION_PREFIX):
                found.append(_action(ctx, name.removeprefix(_ACTION_PREFIX), prop.get("value"), None))
                source = dialect
    return source, found


def _action(ctx: _Context, microflow: Any, label: Any, aid: Any) -> dict[str, Any]:
    """One button of a form: its id (the microflow's name unless given), label and microflow."""
    if not isinstance(microflow, str) or not microflow.strip():
        ctx.fail(f"has a form action that names no microflow (got {microflow!r})")
    microflow = microflow.strip()
    aid = aid if isinstance(aid, str) and aid else microflow
    if not _ACTION_ID.fullmatch(aid):
        ctx.fail(f"has a form action '{aid}' whose id may hold only letters, digits and _ . : -")
    return {
        "id": aid,
        "label": label if isinstance(label, str) and label.strip() else aid,
        "microflow": microflow,
    }


def _checked_actions(ctx: _Context, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for action in actions:
        if action["id"] in seen:
            ctx.fail(f"has form action '{action['id']}' twice")
        seen.add(action["id"])
    return actions


def _action_objects(ctx: _Context, listed: Any) -> list[dict[str, Any]]:
    """A UI schema's actions: absent, or a list of objects."""
    if listed is None:
        return []
    if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
        ctx.fail(f"has UI schema actions that are not a list of objects: {listed!r}")
    return listed


def _properties_of(component: dict[str, Any]) -> dict[str, Any]:
    """A form-js component's custom properties (the editor's "Custom properties": text keys and values)."""
    found = component.get("properties")
    return found if isinstance(found, dict) else {}


def _form(source: str, key: str | None, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    form = {
        "source": source,
        "key": key,
        "fields": fields,
        "schema": None,
        "ui_schema": None,
        "components": None,
        "actions": [],
    }
    return form | extra


def _spiff_properties(ext: etree._Element | None) -> dict[str, str]:
    if ext is None:
        return {}
    found = ext.findall(f"{SPIFF}properties/{SPIFF}property")
    return {p.get("name") or "": p.get("value") or "" for p in found}


def _find_files(name: str, files: Mapping[str, bytes], source_name: str | None) -> list[str]:
    if name in files:
        return [name]
    base = _basename(name)
    matches = sorted(n for n in files if _basename(n) == base)
    if len(matches) > 1 and source_name is not None:
        # Several folders hold a file of that name: the one beside the model wins.
        folder = posixpath.dirname(source_name.replace("\\", "/"))
        matches = [n for n in matches if posixpath.dirname(n.replace("\\", "/")) == folder] or matches
    return matches


def _linked_forms(form_id: str, files: Mapping[str, bytes], ctx: _Context | None) -> list[tuple[str, dict]]:
    found = []
    for name in sorted(files):
        # Reading only files that mention the id keeps unrelated (even broken) .form files out of it.
        if not name.lower().endswith(".form") or form_id.encode() not in files[name]:
            continue
        if ctx is not None:
            doc = ctx.json_file(name)
        else:
            try:
                doc = json.loads(files[name])
            except (ValueError, RecursionError):
                continue
        if isinstance(doc, dict) and doc.get("id") == form_id:
            found.append((name, doc))
    return found


def _join(prefix: str, path: Any) -> str:
    return ".".join(p for p in (prefix, path if isinstance(path, str) else "") if p)


def _basename(name: str) -> str:
    return posixpath.basename(name.replace("\\", "/"))


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname
