"""Forms: the Camunda 7, Camunda 8 and SpiffArena dialects read into one description, and submitted values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree

from engine.definitions import parse_xml
from engine.errors import FormInvalid, InvalidModel
from engine.forms import form_files, parse_form, validate

from ..conftest import MODELS

FORMS = MODELS / "forms"
NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)


def model(element: str, process_extensions: str = "") -> bytes:
    """A BPMN file whose process holds `element` (a user task or start event)."""
    return (
        f'<bpmn:definitions {NAMESPACES} id="defs"><bpmn:process id="p" isExecutable="true">'
        f"{process_extensions}{element}</bpmn:process></bpmn:definitions>"
    ).encode()


def user_task(extensions: str = "", attributes: str = "") -> str:
    return (
        f'<bpmn:userTask id="Review" name="Review" {attributes}>'
        f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements></bpmn:userTask>"
    )


def element_of(data: bytes) -> etree._Element:
    root = parse_xml(data, "model.bpmn").getroot()
    found = root.find(".//{*}userTask")
    found = found if found is not None else root.find(".//{*}startEvent")
    assert found is not None
    return found


def form_of(data: bytes, **files: bytes) -> dict[str, Any] | None:
    deployed = {"model.bpmn": data, **{name.replace("__", "/"): body for name, body in files.items()}}
    return parse_form(element_of(data), deployed, "model.bpmn")


def fixture(name: str) -> bytes:
    return (FORMS / name).read_bytes()


def field(fid: str, kind: str, label: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A field of the description with its defaults, for exact comparisons."""
    base: dict[str, Any] = {
        "id": fid,
        "label": label or fid,
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
    return base | overrides


def options(*pairs: tuple[Any, str]) -> list[dict[str, Any]]:
    return [{"value": value, "label": label} for value, label in pairs]


# --- Camunda 7 ---------------------------------------------------------------------------------------

CAMUNDA7_FORM_DATA = """
<camunda:formData>
  <camunda:formField id="name" label="Name" type="string" defaultValue="Ann">
    <camunda:properties><camunda:property id="hint" value="ignored" /></camunda:properties>
    <camunda:validation>
      <camunda:constraint name="required" />
      <camunda:constraint name="minlength" config="2" />
      <camunda:constraint name="maxlength" config="20" />
      <camunda:constraint name="pattern" config="^[A-Z]" />
    </camunda:validation>
  </camunda:formField>
  <camunda:formField id="amount" label="Amount" type="long" defaultValue="42">
    <camunda:validation>
      <camunda:constraint name="min" config="1" />
      <camunda:constraint name="max" config="1000" />
      <camunda:constraint name="validator" config="com.example.Check" />
    </camunda:validation>
  </camunda:formField>
  <camunda:formField id="approved" label="Approved?" type="boolean" defaultValue="true" />
  <camunda:formField id="due" label="Due" type="date" defaultValue="31/05/2024" />
  <camunda:formField id="meeting" type="date" datePattern="dd.MM.yyyy HH:mm"
                     defaultValue="01.06.2024 09:30" />
  <camunda:formField id="color" label="Color" type="enum" defaultValue="red">
    <camunda:value id="red" name="Red" />
    <camunda:value id="green" name="Green" />
  </camunda:formField>
  <camunda:formField id="owner" label="Owner" type="customUserType" defaultValue="${initiator}">
    <camunda:validation><camunda:constraint name="readonly" /></camunda:validation>
  </camunda:formField>
</camunda:formData>
"""


def test_camunda7_form_data_becomes_fields() -> None:
    form = form_of(model(user_task(CAMUNDA7_FORM_DATA)))
    assert form == {
        "source": "camunda7",
        "key": None,
        "fields": [
            field(
                "name",
                "string",
                "Name",
                default="Ann",
                required=True,
                validation={"minlength": 2, "maxlength": 20, "pattern": "^[A-Z]"},
            ),
            field("amount", "integer", "Amount", default=42, validation={"min": 1, "max": 1000}),
            field("approved", "boolean", "Approved?", default=True),
            field("due", "date", "Due", default="2024-05-31"),
            field("meeting", "datetime", default="2024-06-01T09:30:00"),
            field(
                "color", "enum", "Color", default="red", options=options(("red", "Red"), ("green", "Green"))
            ),
            field("owner", "string", "Owner", readonly=True),
        ],
        "schema": None,
        "ui_schema": None,
        "components": None,
        "actions": [],
    }
    json.dumps(form)


def test_camunda7_start_event_form_and_empty_form_data() -> None:
    start = (
        '<bpmn:startEvent id="Start"><bpmn:extensionElements><camunda:formData /></bpmn:extensionElements>'
        "</bpmn:startEvent>"
    )
    assert form_of(model(start)) == {
        "source": "camunda7",
        "key": None,
        "fields": [],
        "schema": None,
        "ui_schema": None,
        "components": None,
        "actions": [],
    }


def test_camunda7_embedded_form_key_is_kept_without_fields() -> None:
    form = form_of(model(user_task(attributes='camunda:formKey="embedded:app:forms/review.html"')))
    assert form is not None
    assert (form["source"], form["key"], form["fields"]) == ("camunda7", "embedded:app:forms/review.html", [])


def test_camunda7_form_ref_resolves_a_deployed_form_file() -> None:
    form = form_of(
        model(user_task(attributes='camunda:formRef="invoice-review" camunda:formRefBinding="latest"')),
        **{"forms__invoice.form": fixture("invoice.form")},
    )
    assert form is not None
    assert (form["source"], form["key"]) == ("camunda7", "invoice-review")
    assert [f["id"] for f in form["fields"]][:2] == ["supplier", "amount"]


def test_camunda7_camunda_forms_deployment_key_names_the_file() -> None:
    data = model(user_task(attributes='camunda:formKey="camunda-forms:deployment:forms/notice.form"'))
    form = form_of(data, **{"forms__notice.form": fixture("notice.form")})
    assert form is not None
    assert (form["source"], form["key"], form["fields"]) == (
        "camunda7",
        "camunda-forms:deployment:forms/notice.form",
        [],
    )
    with pytest.raises(InvalidModel, match=r"user task 'Review' names form file 'forms/notice\.form'"):
        form_of(data)


@pytest.mark.parametrize(
    ("field_xml", "message"),
    [
        (
            '<camunda:formField id="n" type="long"><camunda:validation>'
            '<camunda:constraint name="min" config="lots" /></camunda:validation></camunda:formField>',
            "form field 'n' whose min constraint needs a number, not 'lots'",
        ),
        (
            '<camunda:formField id="n" type="long" defaultValue="many" />',
            "form field 'n' whose default value 'many' must be a whole number",
        ),
        (
            '<camunda:formField id="n" /><camunda:formField id="n" />',
            "form field 'n' twice",
        ),
        (
            '<camunda:formField id="n"><camunda:validation>'
            '<camunda:constraint name="pattern" config="([a-z]" /></camunda:validation></camunda:formField>',
            "form field 'n' with an invalid pattern '\\(\\[a-z\\]'",
        ),
        ('<camunda:formField label="no id" />', "a camunda:formField without an id"),
    ],
)
def test_camunda7_broken_fields_are_refused_by_name(field_xml: str, message: str) -> None:
    with pytest.raises(InvalidModel, match=rf"^model\.bpmn: user task 'Review' has {message}") as caught:
        form_of(model(user_task(f"<camunda:formData>{field_xml}</camunda:formData>")))
    assert caught.value.details["element"] == "Review"


# --- Camunda 8 / form-js -----------------------------------------------------------------------------

INVOICE_FIELDS = [
    field("supplier", "string", "Supplier", required=True, validation={"minlength": 2, "maxlength": 40}),
    field("amount", "number", "Amount", default=100, validation={"min": 1, "max": 10000}),
    field(
        "decision",
        "enum",
        "Decision",
        required=True,
        options=options(("approve", "Approve"), ("reject", "Reject")),
    ),
    field("urgent", "boolean", "Urgent", default=False),
    field(
        "contact.email",
        "string",
        "E-mail",
        validation={"pattern": r"^[^\s@]+@[^\s@]+\.[^\s@]+$"},
        format="email",  # an email input on the page
    ),
    field("due", "date", "Due date"),
    field("tags", "enum", "Tags", options=options(("travel", "Travel"), ("office", "Office")), multiple=True),
    field("cost_center", "enum", "Cost center"),
    field("note", "text", "Note", readonly=True),
]


def test_camunda8_linked_form_with_groups_becomes_fields() -> None:
    document = json.loads(fixture("invoice.form"))
    form = form_of(
        model(user_task('<zeebe:formDefinition formId="invoice-review" /><zeebe:userTask />')),
        **{"invoice.form": fixture("invoice.form"), "notice.form": fixture("notice.form")},
    )
    assert form == {
        "source": "camunda8",
        "key": "invoice-review",
        "fields": INVOICE_FIELDS,
        "schema": None,
        "ui_schema": None,
        "components": document["components"],
        "actions": [],
    }
    json.dumps(form)


def test_camunda8_form_without_fields() -> None:
    form = form_of(
        model(user_task('<zeebe:formDefinition formId="notice" />')),
        **{"notice.form": fixture("notice.form")},
    )
    assert form is not None
    assert form["fields"] == []
    assert form["components"] == [{"type": "text", "text": "Nothing to enter here.", "id": "Field_text"}]


def test_camunda8_missing_linked_form_is_refused() -> None:
    with pytest.raises(InvalidModel) as caught:
        form_of(
            model(user_task('<zeebe:formDefinition formId="invoice-review" />')),
            **{"notice.form": fixture("notice.form")},
        )
    assert caught.value.message == (
        "model.bpmn: user task 'Review' links form 'invoice-review', "
        "but no .form file with that id was deployed"
    )


def test_camunda8_two_forms_with_one_id_are_refused() -> None:
    with pytest.raises(InvalidModel, match=r"several \.form files have that id: a\.form, b\.form"):
        form_of(
            model(user_task('<zeebe:formDefinition formId="notice" />')),
            **{"a.form": fixture("notice.form"), "b.form": fixture("notice.form")},
        )


def test_camunda8_embedded_user_task_form() -> None:
    embedded = json.dumps(
        {"id": "x", "components": [{"type": "textfield", "key": "city", "label": "City"}], "type": "default"}
    )
    process_extensions = (
        "<bpmn:extensionElements>"
        f'<zeebe:userTaskForm id="UserTaskForm_1">{embedded}</zeebe:userTaskForm>'
        "</bpmn:extensionElements>"
    )
    data = model(
        user_task('<zeebe:formDefinition formKey="camunda-forms:bpmn:UserTaskForm_1" />'), process_extensions
    )
    form = form_of(data)
    assert form is not None
    assert (form["source"], form["key"]) == ("camunda8", "camunda-forms:bpmn:UserTaskForm_1")
    assert form["fields"] == [field("city", "string", "City")]

    # Given explicitly, the process element is used rather than the task's ancestor.
    task = element_of(data)
    elsewhere = parse_xml(model(""), "other.bpmn").getroot().find("{*}process")
    with pytest.raises(InvalidModel, match="its process has no zeebe:userTaskForm"):
        parse_form(task, {}, "model.bpmn", elsewhere)
    assert parse_form(task, {}, "model.bpmn", task.getparent()) == form


def test_camunda8_missing_or_broken_embedded_form_is_refused() -> None:
    task = user_task('<zeebe:formDefinition formKey="camunda-forms:bpmn:UserTaskForm_9" />')
    with pytest.raises(InvalidModel, match="no zeebe:userTaskForm with that id"):
        form_of(model(task))
    broken = (
        '<bpmn:extensionElements><zeebe:userTaskForm id="UserTaskForm_9">'
        '{"components": [</zeebe:userTaskForm></bpmn:extensionElements>'
    )
    with pytest.raises(
        InvalidModel, match=r"uses zeebe:userTaskForm 'UserTaskForm_9', which is not valid JSON"
    ):
        form_of(model(task, broken))


def test_camunda8_custom_form_key_is_kept_without_fields() -> None:
    form = form_of(model(user_task('<zeebe:formDefinition formKey="my-app:review" />')))
    assert form is not None
    assert (form["source"], form["key"], form["fields"], form["components"]) == (
        "camunda8",
        "my-app:review",
        [],
        None,
    )


def test_form_js_time_integer_and_expression_values() -> None:
    document = {
        "id": "misc",
        "components": [
            {"type": "datetime", "key": "at", "subtype": "datetime", "dateLabel": "Day", "timeLabel": "Time"},
            {"type": "datetime", "key": "alarm", "subtype": "time", "timeLabel": "Alarm"},
            {"type": "number", "key": "count", "decimalDigits": 0, "validate": {"min": "=lower"}},
            {"type": "textfield", "key": "code", "readonly": "=locked", "disabled": False},
            {"type": "expression", "key": "total", "expression": "=a + b"},
            {
                "type": "group",
                "path": "a",
                "components": [
                    {"type": "group", "path": "b.c", "components": [{"type": "textfield", "key": "d.e"}]}
                ],
            },
        ],
    }
    form = form_of(
        model(user_task('<zeebe:formDefinition formId="misc" />')),
        **{"misc.form": json.dumps(document).encode()},
    )
    assert form is not None
    assert form["fields"] == [
        field("at", "datetime", "Day"),
        field("alarm", "string", "Alarm"),
        field("count", "integer"),
        field("code", "string"),
        field("a.b.c.d.e", "string"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"id": "f", "components": [', "which is not valid JSON: Expecting value (line 1, column 28)"),
        (b'["f"]', "which holds a JSON list, not an object"),
        (b'{"id": "f"}', 'which has no "components" list'),
        (b'{"id": "f", \xff}', "which is not valid JSON"),
    ],
)
def test_broken_form_files_are_refused_naming_the_file(content: bytes, message: str) -> None:
    data = model(user_task('<zeebe:formDefinition formId="f" />'))
    with pytest.raises(InvalidModel) as caught:
        form_of(data, **{"f.form": content})
    assert caught.value.message.startswith("model.bpmn: user task 'Review' uses form file 'f.form', ")
    assert message in caught.value.message


# --- SpiffArena --------------------------------------------------------------------------------------

SPIFF_PROPERTIES = """
<spiffworkflow:properties>
  <spiffworkflow:property name="formJsonSchemaFilename" value="approve-schema.json" />
  <spiffworkflow:property name="formUiSchemaFilename" value="approve-uischema.json" />
</spiffworkflow:properties>
<spiffworkflow:instructionsForEndUser>Please decide.</spiffworkflow:instructionsForEndUser>
"""


def spiff_files() -> dict[str, bytes]:
    return {
        "approve-schema.json": fixture("approve-schema.json"),
        "approve-uischema.json": fixture("approve-uischema.json"),
    }


def test_spiff_json_schema_becomes_fields() -> None:
    form = form_of(model(user_task(SPIFF_PROPERTIES)), **spiff_files())
    assert form == {
        "source": "spiff",
        "key": "approve-schema.json",
        "fields": [
            field(
                "decision",
                "enum",
                "Decision",
                required=True,
                options=options(("yes", "Approve"), ("no", "Reject")),
            ),
            field(
                "amount", "integer", "Amount", default=10, required=True, validation={"min": 1, "max": 500}
            ),
            field("reason", "text", "Reason", validation={"maxlength": 200}),
            field("priority", "enum", default="low", options=options(("low", "low"), ("high", "high"))),
            field("due", "date", "Due"),
            field("requested_by", "string", "Requested by", readonly=True),
            field("code", "string", validation={"pattern": "^[A-Z]{3}$"}),
            field("ratio", "number", "Ratio"),
            field("notify", "boolean", "Notify me"),
            field(
                "channels",
                "enum",
                "Channels",
                options=options(("mail", "mail"), ("chat", "chat")),
                multiple=True,
            ),
        ],
        "schema": json.loads(fixture("approve-schema.json")),
        "ui_schema": json.loads(fixture("approve-uischema.json")),
        "components": None,
        "actions": [],
    }
    json.dumps(form)


def test_spiff_files_are_matched_by_base_name_preferring_the_models_folder() -> None:
    data = model(user_task(SPIFF_PROPERTIES))
    other = b'{"type": "object", "properties": {"other": {"type": "string"}}}'
    files = {
        "app/model.bpmn": data,
        "app/forms/approve-schema.json": fixture("approve-schema.json"),
        "other/approve-uischema.json": b"{}",
        "app/approve-uischema.json": fixture("approve-uischema.json"),
        "x/approve-schema.json": other,
    }
    with pytest.raises(InvalidModel) as caught:
        parse_form(element_of(data), files, "app/model.bpmn")
    assert caught.value.message == (
        "app/model.bpmn: user task 'Review' names form schema file 'approve-schema.json', "
        "but several deployed files have that name: app/forms/approve-schema.json, x/approve-schema.json"
    )
    del files["x/approve-schema.json"]
    form = parse_form(element_of(data), files, "app/model.bpmn")
    assert form is not None
    assert form["ui_schema"] == json.loads(fixture("approve-uischema.json"))


def test_spiff_missing_and_broken_files_are_refused_by_name() -> None:
    data = model(user_task(SPIFF_PROPERTIES))
    files = spiff_files()
    del files["approve-uischema.json"]
    with pytest.raises(InvalidModel) as caught:
        form_of(data, **files)
    assert caught.value.message == (
        "model.bpmn: user task 'Review' names form UI schema file 'approve-uischema.json', "
        "but no such file was deployed"
    )
    files = spiff_files() | {"approve-schema.json": b'{"type": "object",}'}
    with pytest.raises(InvalidModel) as caught:
        form_of(data, **files)
    assert caught.value.message == (
        "model.bpmn: user task 'Review' uses form file 'approve-schema.json', which is not valid JSON: "
        "Expecting property name enclosed in double quotes (line 1, column 19)"
    )


def test_refusals_name_a_start_event_as_such() -> None:
    start = (
        f'<bpmn:startEvent id="Start"><bpmn:extensionElements>{SPIFF_PROPERTIES}</bpmn:extensionElements>'
        "</bpmn:startEvent>"
    )
    with pytest.raises(InvalidModel, match=r"^model\.bpmn: start event 'Start' names form schema file"):
        form_of(model(start))


def test_spiff_schema_without_properties_has_no_fields() -> None:
    extensions = (
        "<spiffworkflow:properties>"
        '<spiffworkflow:property name="formJsonSchemaFilename" value="empty.json" />'
        "</spiffworkflow:properties>"
    )
    form = form_of(model(user_task(extensions)), **{"empty.json": b'{"title": "Just confirm"}'})
    assert form is not None
    assert (form["fields"], form["schema"], form["ui_schema"]) == ([], {"title": "Just confirm"}, None)


def test_an_element_without_a_form_has_none() -> None:
    assert form_of(model(user_task())) is None
    assert form_of(model('<bpmn:userTask id="Bare" />')) is None
    manual = "<spiffworkflow:instructionsForEndUser>Call the customer.</spiffworkflow:instructionsForEndUser>"
    assert form_of(model(user_task(manual))) is None


def test_form_files_lists_what_a_form_needs() -> None:
    spiff = element_of(model(user_task(SPIFF_PROPERTIES)))
    assert form_files(spiff) == ["approve-schema.json", "approve-uischema.json"]
    assert form_files(spiff, files={"f/approve-schema.json": b"", "approve-uischema.json": b""}) == [
        "f/approve-schema.json",
        "approve-uischema.json",
    ]
    linked = element_of(model(user_task('<zeebe:formDefinition formId="invoice-review" />')))
    assert form_files(linked) == ["invoice-review"]
    assert form_files(linked, files={"forms/invoice.form": fixture("invoice.form")}) == ["forms/invoice.form"]
    assert form_files(element_of(model(user_task(CAMUNDA7_FORM_DATA)))) == []
    deployment = element_of(
        model(user_task(attributes='camunda:formKey="camunda-forms:deployment:a/n.form"'))
    )
    assert form_files(deployment) == ["a/n.form"]
    assert form_files(deployment, files={"n.form": b"{}"}) == ["n.form"]


# --- validate ----------------------------------------------------------------------------------------


def invoice() -> dict[str, Any]:
    return {"source": "camunda8", "key": "invoice-review", "fields": INVOICE_FIELDS}


def test_no_form_accepts_anything() -> None:
    values = {"a": object(), "b": [1, 2]}
    assert validate(None, values) == values


def test_values_are_coerced_and_other_names_pass_through() -> None:
    submitted = {
        "supplier": "ACME",
        "amount": "12.5",
        "decision": "approve",
        "urgent": "on",
        "contact": {"email": "a@example.com", "phone": "123"},
        "due": "2024-05-31",
        "tags": "travel",
        "cost_center": "CC-7",
        "extra": {"kept": True},
    }
    result = validate(invoice(), submitted)
    assert result == submitted | {"amount": 12.5, "urgent": True, "tags": ["travel"]}
    assert submitted["urgent"] == "on"  # the caller's dict is left alone
    assert "note" not in result  # defaults are not filled in


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("integer", "42", 42),
        ("integer", " -7 ", -7),
        ("integer", 3.0, 3),
        ("number", "1e3", 1000.0),
        ("number", "8", 8),
        ("boolean", "true", True),
        ("boolean", "OFF", False),
        ("boolean", 0, False),
        ("date", "2024-02-29", "2024-02-29"),
        ("datetime", "2024-02-29T10:15:00Z", "2024-02-29T10:15:00Z"),
        ("datetime", "2024-02-29 10:15+01:00", "2024-02-29 10:15+01:00"),
        ("string", "", ""),
        ("integer", "", None),
        ("enum", "", None),
    ],
)
def test_coercion(kind: str, raw: Any, expected: Any) -> None:
    form = {"fields": [field("x", kind, options=options(("a", "A")) if kind == "enum" else None)]}
    result = validate(form, {"x": raw})
    assert result == {"x": expected}
    assert type(result["x"]) is type(expected)


@pytest.mark.parametrize(
    ("kind", "rules", "raw", "problem"),
    [
        ("integer", {}, "4.5", "must be a whole number"),
        ("integer", {}, True, "must be a whole number"),
        ("number", {}, "nan", "must be a number"),
        ("number", {}, "1_000", "must be a number"),
        ("boolean", {}, "maybe", "must be true or false"),
        ("date", {}, "2024-02-30", "must be a date (YYYY-MM-DD)"),
        ("date", {}, "31/05/2024", "must be a date (YYYY-MM-DD)"),
        ("datetime", {}, "2024-02-29", "must be a date and time (YYYY-MM-DDTHH:MM, ISO 8601)"),
        ("string", {}, 5, "must be text"),
        ("integer", {"min": 1}, "0", "must be at least 1"),
        ("number", {"max": 9.5}, 10, "must be at most 9.5"),
        ("string", {"minlength": 3}, "ab", "must be at least 3 characters long"),
        ("text", {"maxlength": 2}, "abc", "must be at most 2 characters long"),
        ("string", {"pattern": "^[A-Z]{3}$"}, "abc", "must match the pattern ^[A-Z]{3}$"),
    ],
)
def test_each_rule_has_a_per_field_message(kind: str, rules: dict[str, Any], raw: Any, problem: str) -> None:
    form = {"fields": [field("x", kind, validation=rules)]}
    with pytest.raises(FormInvalid) as caught:
        validate(form, {"x": raw})
    assert caught.value.details == {"fields": {"x": problem}}
    assert caught.value.message == f"form values are invalid: x: {problem}"


def test_rules_do_not_apply_to_empty_optional_values() -> None:
    form = {"fields": [field("x", "string", validation={"minlength": 3, "pattern": "^a"})]}
    assert validate(form, {"x": ""}) == {"x": ""}
    assert validate(form, {}) == {}


def test_enum_options_and_multiple_values() -> None:
    with pytest.raises(FormInvalid) as caught:
        validate(invoice(), {"supplier": "ACME", "decision": "maybe", "tags": ["travel", "food"]})
    assert caught.value.details["fields"] == {
        "decision": "must be one of: approve, reject",
        "tags": "must be one of: travel, office",
    }
    numbers = {"fields": [field("n", "enum", options=options((1, "one"), (2, "two"), (True, "yes")))]}
    assert validate(numbers, {"n": "2"}) == {"n": 2}
    assert validate(numbers, {"n": "true"}) == {"n": True}
    with pytest.raises(FormInvalid, match="must be one of: 1, 2, True"):
        validate(numbers, {"n": 1.5})


def test_required_fields_report_all_problems_at_once() -> None:
    with pytest.raises(FormInvalid) as caught:
        validate(invoice(), {"supplier": "  ", "amount": "0", "tags": []})
    assert caught.value.details["fields"] == {
        "supplier": "is required",
        "amount": "must be at least 1",
        "decision": "is required",
    }


def test_read_only_fields_may_only_keep_their_value() -> None:
    form = {
        "fields": [
            field("note", "text", readonly=True, required=True),
            field("n", "integer", readonly=True, default=5),
        ]
    }
    assert validate(form, {}) == {}
    assert validate(form, {"note": "same"}, current={"note": "same"}) == {"note": "same"}
    assert validate(form, {"n": "5"}) == {"n": 5}
    assert validate(form, {"n": 6}, current={"n": "6"}) == {"n": 6}
    with pytest.raises(FormInvalid) as caught:
        validate(form, {"note": "changed", "n": 7}, current={"note": "same"})
    assert caught.value.details["fields"] == {
        "note": "is read-only and cannot be changed",
        "n": "is read-only and cannot be changed",
    }
    with pytest.raises(FormInvalid, match="note: is read-only"):
        validate(form, {"note": ""}, current={"note": "same"})


def test_dotted_field_ids_read_nested_or_flat_values() -> None:
    form = {"fields": [field("contact.age", "integer")]}
    nested = {"contact": {"age": "30", "name": "Bo"}}
    assert validate(form, nested) == {"contact": {"age": 30, "name": "Bo"}}
    assert nested == {"contact": {"age": "30", "name": "Bo"}}
    assert validate(form, {"contact.age": "31"}) == {"contact.age": 31}
    with pytest.raises(FormInvalid, match=r"contact\.age: must be a whole number"):
        validate(form, {"contact": {"age": "old"}})


def test_camunda7_and_spiff_descriptions_validate_end_to_end() -> None:
    camunda7 = form_of(model(user_task(CAMUNDA7_FORM_DATA)))
    assert validate(camunda7, {"name": "Bea", "amount": "7", "color": "green", "due": "2024-06-01"}) == {
        "name": "Bea",
        "amount": 7,
        "color": "green",
        "due": "2024-06-01",
    }
    spiff = form_of(model(user_task(SPIFF_PROPERTIES)), **spiff_files())
    with pytest.raises(FormInvalid) as caught:
        validate(spiff, {"decision": "perhaps", "amount": "501", "channels": ["mail", "fax"], "code": "AB"})
    assert caught.value.details["fields"] == {
        "decision": "must be one of: yes, no",
        "amount": "must be at most 500",
        "code": "must match the pattern ^[A-Z]{3}$",
        "channels": "must be one of: mail, chat",
    }


# --- microflows on screen: field microflows and action buttons ---------------------------------------


def test_camunda7_field_microflows_and_task_actions() -> None:
    extensions = """
    <camunda:properties>
      <camunda:property name="action:send_quote" value="Send quote" />
      <camunda:property name="action:ping" />
      <camunda:property name="colour" value="not an action" />
    </camunda:properties>
    <camunda:formData>
      <camunda:formField id="customer_id" label="Customer" type="string">
        <camunda:properties>
          <camunda:property id="microflow" value="check_customer" />
        </camunda:properties>
      </camunda:formField>
      <camunda:formField id="amount" type="long">
        <camunda:properties>
          <camunda:property id="microflow" value=" quote " />
          <camunda:property id="microflow_trigger" value="input" />
        </camunda:properties>
      </camunda:formField>
      <camunda:formField id="note" type="string" />
    </camunda:formData>
    """
    form = form_of(model(user_task(extensions)))
    assert form is not None
    assert form["fields"] == [
        field("customer_id", "string", "Customer", microflow="check_customer", microflow_trigger="change"),
        field("amount", "integer", microflow="quote", microflow_trigger="input"),
        field("note", "string"),
    ]
    assert form["actions"] == [
        {"id": "send_quote", "label": "Send quote", "microflow": "send_quote"},
        {"id": "ping", "label": "ping", "microflow": "ping"},
    ]
    json.dumps(form)


def test_actions_alone_make_a_form_without_fields() -> None:
    start = (
        '<bpmn:startEvent id="Start"><bpmn:extensionElements><zeebe:properties>'
        '<zeebe:property name="action:hello" value="Say hello" /></zeebe:properties>'
        "</bpmn:extensionElements></bpmn:startEvent>"
    )
    assert form_of(model(start)) == {
        "source": "camunda8",
        "key": None,
        "fields": [],
        "schema": None,
        "ui_schema": None,
        "components": None,
        "actions": [{"id": "hello", "label": "Say hello", "microflow": "hello"}],
    }


def test_form_js_component_properties_and_buttons() -> None:
    document = {
        "id": "quote",
        "components": [
            {"type": "textfield", "key": "customer_id", "properties": {"microflow": "check_customer"}},
            {
                "type": "group",
                "path": "loan",
                "components": [
                    {
                        "type": "number",
                        "key": "amount",
                        "properties": {"microflow": "quote", "microflow_trigger": "blur"},
                    },
                    {"type": "button", "label": "Send quote", "properties": {"microflow": "send_quote"}},
                ],
            },
            {"type": "button", "action": "submit", "label": "Submit"},
            {"type": "textfield", "key": "plain", "properties": {"hint": "no microflow"}},
        ],
    }
    form = form_of(
        model(user_task('<zeebe:formDefinition formId="quote" />')),
        **{"quote.form": json.dumps(document).encode()},
    )
    assert form is not None
    assert form["fields"] == [
        field("customer_id", "string", microflow="check_customer", microflow_trigger="change"),
        field("loan.amount", "number", microflow="quote", microflow_trigger="blur"),
        field("plain", "string"),
    ]
    assert form["actions"] == [{"id": "send_quote", "label": "Send quote", "microflow": "send_quote"}]


def test_spiff_ui_schema_names_field_microflows_and_actions() -> None:
    ui_schema = {
        "ui:options": {"actions": [{"microflow": "send_quote", "label": "Send quote"}, {"microflow": "x"}]},
        "decision": {"ui:options": {"microflow": "suggest", "microflow_trigger": "change"}},
        "amount": {"ui:microflow": "quote"},
    }
    form = form_of(
        model(user_task(SPIFF_PROPERTIES)),
        **{
            "approve-schema.json": fixture("approve-schema.json"),
            "approve-uischema.json": json.dumps(ui_schema).encode(),
        },
    )
    assert form is not None
    by_id = {f["id"]: (f["microflow"], f["microflow_trigger"]) for f in form["fields"]}
    assert by_id["decision"] == ("suggest", "change")
    assert by_id["amount"] == ("quote", "change")
    assert by_id["reason"] == (None, None)
    assert form["actions"] == [
        {"id": "send_quote", "label": "Send quote", "microflow": "send_quote"},
        {"id": "x", "label": "x", "microflow": "x"},
    ]


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        (
            '<camunda:formData><camunda:formField id="n"><camunda:properties>'
            '<camunda:property id="microflow" value="m" />'
            '<camunda:property id="microflow_trigger" value="keyup" />'
            "</camunda:properties></camunda:formField></camunda:formData>",
            "has form field 'n' whose microflow_trigger 'keyup' is not one of input, change, blur",
        ),
        (
            '<camunda:formData><camunda:formField id="n"><camunda:properties>'
            '<camunda:property id="microflow_trigger" value="input" />'
            "</camunda:properties></camunda:formField></camunda:formData>",
            "has form field 'n' with a microflow_trigger but no microflow",
        ),
        (
            '<camunda:formData><camunda:formField id="n"><camunda:properties>'
            '<camunda:property id="microflow" value=" " />'
            "</camunda:properties></camunda:formField></camunda:formData>",
            "has form field 'n' whose microflow must be a microflow's name, not ' '",
        ),
        (
            '<camunda:properties><camunda:property name="action:a" value="A" />'
            '<camunda:property name="action:a" value="Again" /></camunda:properties>',
            "has form action 'a' twice",
        ),
        (
            '<camunda:properties><camunda:property name="action:" value="Nothing" /></camunda:properties>',
            "has a form action that names no microflow",
        ),
        (
            '<camunda:properties><camunda:property name="action:send quote" /></camunda:properties>',
            "has a form action 'send quote' whose id may hold only letters, digits",
        ),
    ],
)
def test_broken_microflow_bindings_are_refused_by_name(extensions: str, message: str) -> None:
    with pytest.raises(InvalidModel, match=rf"^model\.bpmn: user task 'Review' {message}") as caught:
        form_of(model(user_task(extensions)))
    assert caught.value.details["element"] == "Review"


def test_spiff_ui_schema_actions_must_be_objects() -> None:
    files = spiff_files() | {"approve-uischema.json": b'{"ui:options": {"actions": "send_quote"}}'}
    with pytest.raises(InvalidModel, match="UI schema actions that are not a list of objects"):
        form_of(model(user_task(SPIFF_PROPERTIES)), **files)


def test_field_microflows_do_not_change_validation() -> None:
    form = {
        "fields": [field("amount", "integer", required=True, microflow="quote", microflow_trigger="input")]
    }
    assert validate(form, {"amount": "12"}) == {"amount": 12}
    with pytest.raises(FormInvalid, match="amount: is required"):
        validate(form, {})


def test_an_email_format_says_so_in_the_description() -> None:
    # The page renders such a field as an email input (issue 15 point 14); validation is unchanged.
    from engine.forms.json_schema import schema_fields

    schema = {
        "type": "object",
        "properties": {"mail": {"type": "string", "format": "email"}, "name": {"type": "string"}},
    }
    mail, name = schema_fields(schema, {})
    assert mail["format"] == "email" and "pattern" not in mail["validation"]
    assert "format" not in name
