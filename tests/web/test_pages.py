"""The pages, driven like a browser: log in, tasks and their forms, start, instances, incidents, deploy."""

from __future__ import annotations

import html
import json
import re
import time
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from engine import Engine
from engine.workers import Worker

from ..jobs.test_jobs import async_model
from .test_api_flows import HEAD, REVIEW

PASSWORD = "correct horse battery"
USERS = {"ada": ((), True), "bob": (("clerks",), False), "carol": (("managers",), False)}
"""`ada` administers; `bob` is a clerk, `carol` a manager."""

LOAN = (
    HEAD + '<bpmn:process id="loan" name="Loan request" isExecutable="true">'
    '<bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>'
    '<camunda:formField id="customer" label="Customer" type="string">'
    '<camunda:validation><camunda:constraint name="required"/></camunda:validation></camunda:formField>'
    '<camunda:formField id="amount" label="Amount" type="long" defaultValue="1000">'
    '<camunda:validation><camunda:constraint name="min" config="1"/></camunda:validation></camunda:formField>'
    '<camunda:formField id="express" label="Express" type="boolean"/>'
    '<camunda:formField id="tier" label="Tier" type="enum">'
    '<camunda:value id="gold" name="Gold"/><camunda:value id="silver" name="Silver"/></camunda:formField>'
    "</camunda:formData></bpmn:extensionElements></bpmn:startEvent>"
    '<bpmn:userTask id="decide" name="Decide" camunda:candidateGroups="clerks"/>'
    '<bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="decide"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="e"/>'
    "</bpmn:process></bpmn:definitions>"
).encode()
"""A start form of four typed fields, then a task without a form (the plain variables form)."""

_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class Browser:
    """One visitor with their own cookies; sends the CSRF token of the last page it saw."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.token: str | None = None

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        answer = self.client.get(path, **kwargs)
        found = _META.search(answer.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return answer

    def post(
        self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kwargs: Any
    ) -> TestResponse:
        """POST a form; with `csrf`, the token of the last page seen (one is fetched if none was)."""
        form = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            form.setdefault("csrf_token", self.token)
        return self.client.post(path, data=form, **kwargs)

    def login(self, name: str, password: str = PASSWORD) -> TestResponse:
        self.get("/login")
        answer = self.post("/login", {"name": name, "password": password})
        self.get("/")  # a new session has a new CSRF token
        return answer


class Site:
    """The app on a test engine, with users who log in with a password."""

    def __init__(self, engine: Engine) -> None:
        from web import create_app

        self.engine = engine
        self.app = create_app(engine, SECRET_KEY="a test key that is long enough to sign sessions")
        for name, (groups, admin) in USERS.items():
            engine.accounts.create_user(name, PASSWORD, groups=groups, admin=admin)

    def browser(self, user: str | None = None) -> Browser:
        """A new visitor; logged in as `user` when one is named."""
        visitor = Browser(self.app)
        if user is not None:
            answer = visitor.login(user)
            assert answer.status_code == 302, answer.get_data(as_text=True)
        return visitor

    def deploy(self, *files: tuple[str, bytes]) -> None:
        self.engine.repository.deploy(dict(files))


@pytest.fixture
def site(engine: Engine) -> Site:
    """The pages over the `engine` fixture's database (SQLite and PostgreSQL)."""
    return Site(engine)


def text(answer: TestResponse) -> str:
    return html.unescape(answer.get_data(as_text=True))


def field_error(answer: TestResponse, field_id: str) -> str:
    """The error shown beside a field (`<p class="field-error" id="e-{id}">`)."""
    found = re.search(rf'<p class="field-error" id="e-{re.escape(field_id)}"[^>]*>(.*?)</p>', text(answer))
    assert found, f"no error paragraph for {field_id}"
    return found.group(1)


def start_review(site: Site) -> dict[str, Any]:
    site.deploy(("review.bpmn", REVIEW))
    instance = site.engine.runtime.start("review", {"note": "hi"})
    return instance


# -- log in and the task list ----------------------------------------------------------------


def test_log_in_see_my_tasks_claim_and_unclaim(site: Site) -> None:
    instance = start_review(site)
    [task] = instance["tasks"]
    visitor = site.browser()
    assert visitor.get("/").headers["Location"].startswith("/login")

    answer = visitor.login("bob")
    assert answer.headers["Location"] == "/"
    page = visitor.get("/")
    assert page.status_code == 200
    body = text(page)
    assert "My tasks" in body and "bob" in body and "Log out" in body
    assert f'data-task="{task["id"]}"' in body and "Check" in body and "Review" in body
    assert "1 to 1 of 1 tasks" in body

    claimed = visitor.post(f"/tasks/{task['id']}/claim", {"next": "/"})
    assert claimed.status_code == 303 and claimed.headers["Location"] == "/"
    assert site.engine.tasks.get(task["id"])["assignee"] == "bob"
    assert "You claimed “Check”." in text(visitor.get("/"))
    assert visitor.post(f"/tasks/{task['id']}/unclaim", {"next": "/"}).status_code == 303
    assert site.engine.tasks.get(task["id"])["assignee"] is None

    assert "No open tasks" in text(site.browser("carol").get("/"))


def test_the_task_list_pages_with_previous_and_next_links(site: Site) -> None:
    site.deploy(("review.bpmn", REVIEW))
    for _ in range(3):
        site.engine.runtime.start("review")
    visitor = site.browser("bob")
    first = visitor.get("/?limit=2").get_data(as_text=True)
    assert "1 to 2 of 3 tasks" in first and 'rel="next" href="/?limit=2&amp;offset=2"' in first
    second = text(visitor.get("/?limit=2&offset=2"))
    assert "3 to 3 of 3 tasks" in second and 'rel="prev"' in second and 'rel="next"' not in second
    # An administrator's own list is empty; every task is one click away.
    admin = site.browser("ada")
    assert "No open tasks" in text(admin.get("/"))
    assert "1 to 3 of 3 tasks" in text(admin.get("/?all=1"))


def test_the_task_list_shows_due_dates_from_the_model(site: Site) -> None:
    late = REVIEW.replace(b'id="review" name="Review"', b'id="late" name="Late"').replace(
        b'name="Check"', b'name="Check" camunda:dueDate="2020-01-02T09:30:00Z"'
    )
    later = REVIEW.replace(b'id="review" name="Review"', b'id="later" name="Later"').replace(
        b'name="Check"', b'name="Check" camunda:dueDate="${due}"'
    )
    site.deploy(("late.bpmn", late), ("later.bpmn", later))
    [overdue] = site.engine.runtime.start("late")["tasks"]
    [upcoming] = site.engine.runtime.start("later", {"due": "2999-05-01"})["tasks"]
    assert site.engine.tasks.get(overdue["id"])["due_at"] == "2020-01-02T09:30:00+00:00"
    assert site.engine.tasks.get(upcoming["id"])["due_at"] == "2999-05-01T00:00:00+00:00"

    body = site.browser("bob").get("/").get_data(as_text=True)
    overdue_cell = '<span class="overdue"><time datetime="2020-01-02T09:30:00+00:00">2020-01-02 09:30 UTC'
    assert overdue_cell in body
    assert '<span><time datetime="2999-05-01T00:00:00+00:00">2999-05-01 00:00 UTC</time>' in body


# -- a task's form ---------------------------------------------------------------------------


def test_the_task_form_shows_errors_beside_fields_then_completes(site: Site) -> None:
    instance = start_review(site)
    [task] = instance["tasks"]
    visitor = site.browser("bob")

    page = visitor.get(f"/tasks/{task['id']}")
    assert page.status_code == 200
    body = text(page)
    assert '<form method="post" class="task-form" data-form' in body
    assert '<div class="field field-integer" data-field="amount">' in body
    assert '<label for="f-amount">' in body
    assert re.search(r'<input id="f-amount" name="amount"[^>]* type="number"[^>]* step="1" required', body)

    refused = visitor.post(f"/tasks/{task['id']}", {"amount": "lots"})
    assert refused.status_code == 422
    assert field_error(refused, "amount") == "must be a whole number"
    assert 'value="lots"' in text(refused) and 'aria-invalid="true"' in text(refused)
    missing = visitor.post(f"/tasks/{task['id']}", {"amount": ""})
    assert missing.status_code == 422 and field_error(missing, "amount") == "is required"

    done = visitor.post(f"/tasks/{task['id']}", {"amount": "5"})
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert "Task “Check” completed." in text(visitor.get("/"))
    assert "No open tasks" in text(visitor.get("/"))
    assert site.engine.runtime.get(instance["id"])["variables"] == {"note": "hi", "amount": 5}

    again = visitor.get(f"/tasks/{task['id']}")
    assert again.status_code == 409 and "already completed by bob" in text(again)
    assert visitor.post(f"/tasks/{task['id']}", {"amount": "6"}).status_code == 409
    assert visitor.get("/tasks/no-such-task").status_code == 404


def test_a_task_without_a_form_takes_variables_as_json_rows(site: Site) -> None:
    site.deploy(("loan.bpmn", LOAN))
    instance = site.engine.runtime.start("loan", {"customer": "Kim"})
    [task] = instance["tasks"]
    visitor = site.browser("bob")
    assert 'name="var-name-0"' in text(visitor.get(f"/tasks/{task['id']}"))

    refused = visitor.post(f"/tasks/{task['id']}", {"var-name-0": "", "var-value-0": "1"})
    assert refused.status_code == 422 and field_error(refused, "var-name-0") == "needs a name"
    rows = {
        "var-name-0": "approved",
        "var-value-0": "true",
        "var-name-1": "note",
        "var-value-1": "fine by me",
    }
    rows |= {"var-name-2": "limits", "var-value-2": '{"max": 5}'}
    assert visitor.post(f"/tasks/{task['id']}", rows).status_code == 303
    variables = site.engine.runtime.get(instance["id"])["variables"]
    assert variables == {"customer": "Kim", "approved": True, "note": "fine by me", "limits": {"max": 5}}


# -- start a process -------------------------------------------------------------------------


def test_start_through_the_start_form_then_do_the_first_task(site: Site) -> None:
    site.deploy(("loan.bpmn", LOAN))
    visitor = site.browser("bob")
    listing = text(visitor.get("/processes"))
    assert "Loan request" in listing and 'href="/processes/loan/start"' in listing

    form = text(visitor.get("/processes/loan/start"))
    assert re.search(r'<input id="f-customer" name="customer"[^>]* type="text"[^>]* required', form)
    assert re.search(r'<input id="f-amount" name="amount"[^>]* value="1000" step="1" min="1"', form)
    assert '<input type="hidden" name="express" value="false">' in form
    assert re.search(r'<input id="f-express" name="express"[^>]* type="checkbox" value="true"', form)
    assert '<select id="f-tier" name="tier"' in form and '<option value="gold">Gold</option>' in form

    refused = visitor.post(
        "/processes/loan/start", {"customer": "", "amount": "0", "express": "false", "tier": "gold"}
    )
    assert refused.status_code == 422
    assert field_error(refused, "customer") == "is required"
    assert field_error(refused, "amount") == "must be at least 1"
    assert site.engine.runtime.list()["total"] == 0

    started = visitor.post(
        "/processes/loan/start",
        {
            "customer": "Kim",
            "amount": "2500",
            "express": ["false", "true"],
            "tier": "silver",
            "business_key": "L-1",
        },
    )
    assert started.status_code == 303 and started.headers["Location"].startswith("/tasks/")
    [instance] = site.engine.runtime.list()["items"]
    assert instance["business_key"] == "L-1"
    assert instance["variables"] == {"customer": "Kim", "amount": 2500, "express": True, "tier": "silver"}
    assert "your first task is ready" in text(visitor.get(started.headers["Location"]))

    # Carol is no clerk: after starting she sees the instance, not a task.
    other = site.browser("carol").post(
        "/processes/loan/start", {"customer": "Lee", "amount": "1", "express": "false", "tier": ""}
    )
    assert other.status_code == 303 and other.headers["Location"].startswith("/instances/")
    assert visitor.get("/processes/nothing/start").status_code == 404


# -- instances -------------------------------------------------------------------------------


def test_the_instance_page_shows_its_diagram_waits_and_history(site: Site) -> None:
    instance = start_review(site)
    visitor = site.browser("bob")
    page = visitor.get(f"/instances/{instance['id']}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<div id="diagram" class="diagram" data-xml="diagram-xml"' in body
    assert "data-waiting='[\"check\"]'" in body and "data-done='[\"s\"]'" in body
    xml = re.search(r'<script type="application/json" id="diagram-xml">(.*?)</script>', body, re.S)
    assert xml and json.loads(xml.group(1)) == REVIEW.decode()
    assert "bpmn-navigated-viewer.production.min.js" in body and "diagram.js" in body
    assert 'data-element="check"' in body  # the waits table
    assert "<td>Started</td>" in body and "Suspend" not in body  # bob is no administrator

    admin = site.browser("ada")
    assert "Suspend" in text(admin.get(f"/instances/{instance['id']}"))
    assert admin.post(f"/instances/{instance['id']}/suspend").status_code == 303
    assert site.engine.runtime.get(instance["id"])["status"] == "suspended"
    assert admin.post(f"/instances/{instance['id']}/suspend").status_code == 409
    assert admin.post(f"/instances/{instance['id']}/resume").status_code == 303
    ended = admin.post(f"/instances/{instance['id']}/terminate", {"reason": "a test"})
    assert ended.status_code == 303
    assert site.engine.runtime.get(instance["id"])["status"] == "terminated"
    ended_page = text(admin.get(f"/instances/{instance['id']}"))
    assert "Terminate…" not in ended_page and 'by ada: <q class="terminate-reason">a test</q>' in ended_page
    assert visitor.get("/instances/no-such-instance").status_code == 404


def test_the_instance_list_filters_and_pages(site: Site) -> None:
    site.deploy(("review.bpmn", REVIEW))
    first = site.engine.runtime.start("review", business_key="A-1")
    for _ in range(2):
        site.engine.runtime.start("review")
    site.engine.runtime.terminate(first["id"])
    visitor = site.browser("bob")

    everything = text(visitor.get("/instances?limit=2"))
    assert "1 to 2 of 3 instances" in everything and 'rel="next"' in everything
    terminated = text(visitor.get("/instances?status=terminated"))
    assert "1 to 1 of 1 instances" in terminated and first["id"][:8] in terminated
    assert "1 to 1 of 1 instances" in text(visitor.get("/instances?business_key=A-1"))
    assert "No instances" in text(visitor.get("/instances?key=other"))


# -- incidents -------------------------------------------------------------------------------


def test_incidents_show_their_error_and_administrators_retry_them(site: Site, microflows: Any) -> None:
    plan = {"fail": True}

    def slow_double(n: int) -> dict[str, Any]:
        if plan["fail"]:
            raise RuntimeError("the service is down")
        return {"doubled": n * 2}

    microflows("slow_double", slow_double, retries=0, backoff=0.01, timeout=5)
    site.deploy(("p.bpmn", async_model()))
    started = site.engine.runtime.start("p", {"n": 5}, user="bob")
    worker = Worker(site.engine, concurrency=1)
    deadline = time.time() + 120
    while site.engine.runtime.get(started["id"])["status"] != "incident" and time.time() < deadline:
        worker.run_until_idle()
        time.sleep(0.02)
    [incident] = site.engine.incidents.list()

    bob = site.browser("bob")
    listing = text(bob.get("/incidents"))
    assert "the service is down" in listing and f'data-incident="{incident["id"]}"' in listing
    assert "Retry" not in listing
    assert "data-incident='[\"work\"]'" in bob.get(f"/instances/{started['id']}").get_data(as_text=True)
    # Someone who takes no part in the instance sees neither it nor its incident.
    stranger = site.browser("carol")
    assert "the service is down" not in text(stranger.get("/incidents"))
    assert stranger.get(f"/instances/{started['id']}").status_code == 404
    assert "No instances" in text(stranger.get("/instances"))
    assert started["id"][:8] in text(bob.get("/instances"))

    plan["fail"] = False
    admin = site.browser("ada")
    assert "Retry" in text(admin.get("/incidents"))
    retried = admin.post(f"/incidents/{incident['id']}/retry")
    assert retried.status_code == 303
    assert "runs the work again" in text(admin.get("/incidents"))
    assert site.engine.incidents.get(incident["id"])["status"] == "resolved"
    assert "the service is down" in text(admin.get("/incidents?status=resolved"))
    assert admin.post(f"/incidents/{incident['id']}/retry").status_code == 409


# -- deploy ----------------------------------------------------------------------------------


def upload(visitor: Browser, *files: tuple[str, bytes], **fields: str) -> TestResponse:
    return visitor.post(
        "/deploy",
        {"files": [(BytesIO(content), name) for name, content in files], **fields},
        content_type="multipart/form-data",
    )


def test_deploy_by_upload_lists_versions_and_shows_refusals(site: Site) -> None:
    admin = site.browser("ada")
    assert 'type="file" multiple' in text(admin.get("/deploy"))

    broken = upload(admin, ("broken.bpmn", b"<bpmn:definitions xmlns:bpmn='x'><unclosed>"))
    assert broken.status_code == 400
    body = text(broken)
    assert "Not deployed (broken.bpmn)" in body and "broken.bpmn:1: not well-formed XML" in body
    javascript = REVIEW.replace(
        b'<bpmn:endEvent id="e"/>',
        b'<bpmn:scriptTask id="js" scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask>'
        b'<bpmn:endEvent id="e"/>',
    )
    refused = text(upload(admin, ("js.bpmn", javascript)))
    assert "js.bpmn:1: scriptTask 'js'" in refused and "Flowbridge runs Python" in refused
    undated = REVIEW.replace(b'name="Check"', b'name="Check" camunda:dueDate="soon"')
    refused = text(upload(admin, ("undated.bpmn", undated)))
    assert "undated.bpmn:1: userTask 'check': dueDate 'soon' is neither an ISO 8601 date" in refused

    first = text(upload(admin, ("review.bpmn", REVIEW), ("loan.bpmn", LOAN)))
    assert "<code>review</code>" in first and "<code>loan</code>" in first and "new version" in first
    again = text(upload(admin, ("review.bpmn", REVIEW)))
    assert "unchanged" in again and "new version" not in again
    assert [d["key"] for d in site.engine.repository.list_latest()] == ["loan", "review"]
    assert upload(admin).status_code == 400


def test_the_deploy_page_may_run_the_files_as_spiffarena(site: Site) -> None:
    admin = site.browser("ada")
    assert '<option value="spiff">SpiffArena' in text(admin.get("/deploy"))
    assert "new version" in text(upload(admin, ("review.bpmn", REVIEW), dialect="spiff"))
    assert site.engine.repository.get("review")["dialect"] == "spiff"
    refused = upload(admin, ("review.bpmn", REVIEW), dialect="jbpm")
    assert refused.status_code == 400 and "unknown dialect 'jbpm'" in text(refused)


# -- the form description as HTML (the DOM contract flowbridge.js relies on) -------------------

DESCRIPTION = {
    "fields": [
        {"id": "name", "label": "Name", "type": "string", "required": True, "readonly": False,
         "validation": {"maxlength": 20, "pattern": "^[A-Z]"}, "microflow": "check_name"},
        {"id": "age", "label": "Age", "type": "integer", "validation": {"min": 18, "max": 99},
         "microflow": "suggest", "microflow_trigger": "input"},
        {"id": "rate", "label": "Rate", "type": "number", "default": 1.5},
        {"id": "vip", "label": "VIP", "type": "boolean", "default": True},
        {"id": "on", "label": "On", "type": "date"},
        {"id": "at", "label": "At", "type": "datetime", "default": "2024-05-31T12:00:00+00:00"},
        {"id": "tags", "label": "Tags", "type": "enum", "multiple": True,
         "options": [{"value": "a", "label": "A"}, {"value": 2, "label": "Two"}]},
        {"id": "notes", "label": "Notes", "type": "text"},
        {"id": "address.city", "label": "City", "type": "string"},
        {"id": "fixed", "label": "Fixed", "type": "enum", "readonly": True,
         "options": [{"value": "x", "label": "X"}]},
    ],
    "actions": [{"id": "quote", "label": "Get a quote", "microflow": "quote_loan"}],
}  # fmt: skip


def test_a_form_description_renders_to_the_dom_contract(tmp_path: Any) -> None:
    from flask import render_template_string
    from werkzeug.datastructures import MultiDict

    from web import create_app
    from web.pages import forms

    from ..conftest import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    app = create_app(engine, SECRET_KEY="a test key that is long enough to sign sessions")
    shown = forms.shown_values(DESCRIPTION, {"name": "Kim", "tags": ["a", 2], "address": {"city": "Oslo"}})
    with app.test_request_context():
        page = render_template_string(
            '{% from "_macros.html" import form_fields, form_actions %}'
            "{{ form_fields(fields) }}{{ form_actions(actions) }}",
            fields=forms.fields(DESCRIPTION, shown, {"age": "must be at least 18"}),
            actions=forms.actions(DESCRIPTION),
        )
    engine.close()
    for expected in [
        '<div class="field field-string" data-field="name">',
        '<label for="f-name">Name <span class="required" aria-hidden="true">*</span></label>',
        '<input id="f-name" name="name" aria-describedby="e-name" data-type="string" type="text" value="Kim"'
        ' required=""'
        ' maxlength="20" pattern=".*(?:^[A-Z]).*" data-microflow="check_name"'
        ' data-microflow-trigger="change">',
        '<input id="f-age" name="age" aria-describedby="e-age x-age" data-type="integer" type="number"'
        ' value=""'
        ' step="1" min="18" max="99" aria-invalid="true" data-microflow="suggest"'
        ' data-microflow-trigger="input">',
        '<p class="field-error" id="e-age" aria-live="polite">must be at least 18</p>',
        '<p class="expected-format" id="x-age">Expected: a whole number, e.g. 42.</p>',
        'type="number" value="1.5" step="any"',
        '<input type="hidden" name="vip" value="false">',
        '<input id="f-vip" name="vip" aria-describedby="e-vip" data-type="boolean" type="checkbox"'
        ' value="true" checked="">',
        'id="f-on" name="on" aria-describedby="e-on" data-type="date" type="date" value=""',
        'type="datetime-local" value="2024-05-31T12:00:00"',
        '<input type="hidden" name="tags" value="">',
        '<select id="f-tags" name="tags" aria-describedby="e-tags" data-type="enum" multiple="">',
        '<option value="a" selected>A</option>',
        '<option value="2" selected>Two</option>',
        '<textarea id="f-notes" name="notes" aria-describedby="e-notes" data-type="text"></textarea>',
        '<input id="f-address.city" name="address.city" aria-describedby="e-address.city" data-type="string"'
        ' type="text" value="Oslo">',
        '<select id="f-fixed" name="fixed" aria-describedby="e-fixed" data-type="enum" disabled="">',
        '<button type="button" class="action" data-async-microflow="quote_loan" data-result="r-quote">'
        'Get a quote</button> <output id="r-quote" class="action-result" aria-live="polite"></output>',
    ]:
        assert expected in page, expected

    post = MultiDict(
        [
            ("name", "Kim"),
            ("vip", "false"),
            ("tags", ""),
            ("tags", "2"),
            ("address.city", "Bergen"),
            ("age", ""),
        ]
    )
    variables, again = forms.posted(DESCRIPTION, post, {"address": {"city": "Oslo", "zip": "0150"}})
    assert variables == {
        "name": "Kim",
        "age": "",
        "vip": "false",
        "tags": ["2"],
        "address": {"city": "Bergen", "zip": "0150"},
    }
    assert again["vip"] is False and again["tags"] == ["2"]
    ticked, _ = forms.posted(DESCRIPTION, MultiDict([("vip", "false"), ("vip", "true"), ("tags", "")]))
    assert ticked == {"vip": "true", "tags": []}
