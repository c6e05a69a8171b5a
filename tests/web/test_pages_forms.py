"""Instructions where people need them, the typed variables form, input types and row names
(issue 15 points 3, 14 and 15: web.pages.forms, start.html, task.html, _macros.html)."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from engine import Engine
from web.pages.forms import fields, posted_variables, typed_value, variable_rows

from ..builders import flow, model
from .test_pages import Site, field_error, text


@pytest.fixture
def site(engine: Engine) -> Site:
    """The pages over the `engine` fixture's database (SQLite and PostgreSQL)."""
    return Site(engine)


DOCUMENTED = model(
    "<bpmn:documentation>Orders taken by phone.\n  Ask for the order number.</bpmn:documentation>"
    '<bpmn:startEvent id="s"><bpmn:documentation>Have the customer on the line.</bpmn:documentation>'
    "</bpmn:startEvent>"
    + flow("s", "call")
    + '<bpmn:userTask id="call" name="Call back"><bpmn:documentation>Call &lt;them&gt; before noon.'
    "</bpmn:documentation></bpmn:userTask>" + flow("call", "e") + '<bpmn:endEvent id="e"/>',
    key="phone_order",
).replace(b'id="phone_order"', b'id="phone_order" name="Phone order"', 1)
"""A process, its start event and its user task each documented; no forms (the variables form)."""


def rows(*given: tuple[str, str, str]) -> dict[str, str]:
    """A variables form post: (name, type, value) a row."""
    post = {}
    for i, (name, kind, value) in enumerate(given):
        post |= {f"var-name-{i}": name, f"var-type-{i}": kind, f"var-value-{i}": value}
    return post


def test_the_documentation_shows_on_the_list_the_start_form_and_the_task(site: Site) -> None:
    site.deploy(("order.bpmn", DOCUMENTED))
    bob = site.browser("bob")
    listing = text(bob.get("/processes"))
    assert '<p class="process-summary">Orders taken by phone.\nAsk for the order number.</p>' in listing
    assert 'aria-label="Start “Phone order”"' in listing

    start = text(bob.get("/processes/phone_order/start"))
    assert "Orders taken by phone.\nAsk for the order number.</div>" in start
    assert "<h2>Before you start</h2>Have the customer on the line.</div>" in start
    # Above the form, which is the typed variables form.
    assert start.index("Have the customer on the line.") < start.index('class="task-form start-form"')
    assert '<select id="var-type-0" name="var-type-0">' in start

    answer = bob.post("/processes/phone_order/start", rows(("order_no", "number", "42")))
    assert answer.status_code == 303
    task_page = bob.get(answer.headers["Location"])
    raw = task_page.get_data(as_text=True)
    assert (
        '<div class="instructions documentation" id="task-documentation">Call &lt;them&gt; before noon.</div>'
        in raw
    )
    assert raw.index("task-documentation") < raw.index('class="task-form"')


def test_the_variables_form_reads_each_row_as_its_type(site: Site) -> None:
    site.deploy(("order.bpmn", DOCUMENTED))
    bob = site.browser("bob")
    post = rows(
        ("note", "text", "42"),
        ("count", "number", "7"),
        ("rate", "number", "2.5"),
        ("urgent", "boolean", "yes"),
        ("lines", "json", '[{"sku": "A", "qty": 2}]'),
    )
    answer = bob.post("/processes/phone_order/start", post)
    assert answer.status_code == 303
    [instance] = site.engine.runtime.list()["items"]
    assert site.engine.runtime.get(instance["id"])["variables"] == {
        "note": "42",
        "count": 7,
        "rate": 2.5,
        "urgent": True,
        "lines": [{"sku": "A", "qty": 2}],
    }


def test_the_variables_form_refuses_bad_names_and_values_beside_each_field(site: Site) -> None:
    site.deploy(("order.bpmn", DOCUMENTED))
    bob = site.browser("bob")
    post = rows(
        ("order no", "text", "x"),
        ("lines", "json", "[1, 2"),
        ("count", "number", "many"),
        ("lane_owners", "json", "{}"),
        ("ok", "boolean", "perhaps"),
    )
    refused = bob.post("/processes/phone_order/start", post)
    assert refused.status_code == 422
    assert field_error(refused, "var-name-0").startswith("must start with a letter or _")
    assert field_error(refused, "var-value-1").startswith("is not valid JSON: Expecting ")
    assert field_error(refused, "var-value-2") == "must be a number (e.g. 42 or 3.5)"
    assert "is the engine's own" in field_error(refused, "var-name-3")
    assert field_error(refused, "var-value-4") == "must be true or false"
    page = text(refused)
    # What was typed is kept, with its type; the wrong fields are marked for assistive technology.
    assert 'name="var-value-1" value="[1, 2"' in page
    assert re.search(r'<option value="json" selected>JSON</option>', page)
    assert 'id="var-name-0" name="var-name-0" value="order no"' in page
    assert page.count('aria-invalid="true"') == 5
    assert site.engine.runtime.list()["total"] == 0


def test_the_generic_task_form_is_the_same_typed_form(site: Site) -> None:
    site.deploy(("order.bpmn", DOCUMENTED))
    instance = site.engine.runtime.start("phone_order", {})
    [task] = instance["tasks"]
    bob = site.browser("bob")
    page = text(bob.get(f"/tasks/{task['id']}"))
    assert '<select id="var-type-3" name="var-type-3">' in page and "data-add-row hidden" in page
    refused = bob.post(f"/tasks/{task['id']}", rows(("called", "json", "NaN")))
    assert refused.status_code == 422 and field_error(refused, "var-value-0").startswith("is not valid JSON")
    done = bob.post(f"/tasks/{task['id']}", rows(("called", "boolean", "true"), ("at", "text", "11:30")))
    assert done.status_code == 303
    assert site.engine.runtime.get(instance["id"])["variables"] == {"called": True, "at": "11:30"}


def test_rows_posted_without_a_type_are_read_as_json_or_text() -> None:
    variables, problems = posted_variables(
        MultiDict({"var-name-0": "a", "var-value-0": "[1]", "var-name-1": "b", "var-value-1": "hi"})
    )
    assert (variables, problems) == ({"a": [1], "b": "hi"}, {})
    # More rows than the form shows come back as posted; a gap (a removed row) is skipped.
    shown = variable_rows(MultiDict({"var-name-6": "x", "var-type-6": "number", "var-value-6": "1"}))
    assert len(shown) == 7 and shown[6]["name"] == "x"
    assert [t["value"] for t in shown[6]["types"] if t["selected"]] == ["number"]
    assert posted_variables(MultiDict({"var-name-6": "x", "var-type-6": "number", "var-value-6": "1"})) == (
        {"x": 1},
        {},
    )


@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        ("number", "inf", "finite"),
        ("number", "", "must be a number"),
        ("json", "", "is not valid JSON"),
        ("boolean", "", "true or false"),
    ],
)
def test_typed_values_refuse_what_is_not_of_their_type(kind: str, text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        typed_value(kind, text)


def test_fields_use_the_right_input_type_and_name_the_format_with_an_error() -> None:
    form = {
        "fields": [
            {"id": "mail", "label": "E-mail", "type": "string", "format": "email"},
            {"id": "phone", "label": "Phone", "type": "string", "format": "phone"},
            {"id": "n", "label": "N", "type": "integer"},
            {"id": "day", "label": "Day", "type": "date"},
            {"id": "at", "label": "At", "type": "datetime"},
            {"id": "fixed", "label": "Fixed", "type": "string", "readonly": True},
        ]
    }
    shown = fields(form, {}, {"day": "must be a date (YYYY-MM-DD)"})
    types = {f["id"]: f["attrs"].get("type") for f in shown}
    assert types == {
        "mail": "email",
        "phone": "tel",
        "n": "number",
        "day": "date",
        "at": "datetime-local",
        "fixed": "text",
    }
    day = next(f for f in shown if f["id"] == "day")
    assert (
        day["expected"].startswith("a date as YYYY-MM-DD")
        and day["attrs"]["aria-describedby"] == "e-day x-day"
    )
    fixed = next(f for f in shown if f["id"] == "fixed")
    assert fixed["attrs"]["tabindex"] == "-1" and "readonly" in fixed["attrs"]


def test_a_form_js_email_field_is_an_email_input_with_its_format_on_error(site: Site) -> None:
    form = (
        '{"type": "default", "id": "contact", "components": [{"type": "textfield", "key": "mail", '
        '"label": "E-mail", "validate": {"validationType": "email", "required": true}}]}'
    )
    body = (
        '<bpmn:startEvent id="s"><bpmn:extensionElements><zeebe:formDefinition formId="contact"/>'
        "</bpmn:extensionElements></bpmn:startEvent>" + flow("s", "e") + '<bpmn:endEvent id="e"/>'
    )
    site.deploy(("c.bpmn", model(body, key="contact_p")), ("contact.form", form.encode()))
    bob = site.browser("bob")
    assert re.search(
        r'<input id="f-mail" name="mail"[^>]* type="email"', text(bob.get("/processes/contact_p/start"))
    )
    refused = bob.post("/processes/contact_p/start", {"mail": "not an address"})
    assert refused.status_code == 422
    assert (
        '<p class="expected-format" id="x-mail">Expected: an e-mail address, e.g. name@example.com.</p>'
        in text(refused)
    )


def test_list_buttons_and_links_are_named_for_their_row(site: Site) -> None:
    site.deploy(("order.bpmn", DOCUMENTED))
    site.engine.runtime.start("phone_order", {}, business_key="PO-77")
    listing = text(site.browser("bob").get("/?scope=all"))
    assert 'aria-label="Claim “Call back” for PO-77">Claim</button>' in listing
    assert 'aria-label="Call back, PO-77">Call back</a>' in listing
