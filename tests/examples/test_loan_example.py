"""The loan application example (bpmn/loan_application.bpmn with bpmn/loan_application_microflows.py).

A clerk starts it through its start form; a sync microflow scores it; the review is offered to the
group credit_officers, with an hourly reminder that keeps the task; an approved loan's contract is
sent by an async microflow that a worker runs; the message contract_signed, correlated on
`application_id`, ends it. The form's own microflows (a field's and a button's) are called as the
web page calls them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from engine import Engine, Settings
from engine.errors import FormInvalid, NotFound
from engine.forms import validate
from engine.jobs import queue as job_queue
from engine.store.models import utcnow
from engine.workers import Worker

from ..conftest import EXAMPLES

APPLICATION = {
    "customer_id": "C-200",
    "applicant": "Alan Turing",
    "email": "alan@example.com",
    "amount": "12000",  # as a browser sends it: the form makes it a number
    "term_months": "48",
}


@pytest.fixture
def example(database_url: str) -> Iterator[Engine]:
    """An engine with bpmn/'s microflows loaded and loan_application deployed; no workflow cache."""
    engine = Engine(Settings(database_url=database_url, models_path=EXAMPLES, instance_cache_size=0))
    engine.upgrade()
    engine.repository.deploy({"loan_application.bpmn": (EXAMPLES / "loan_application.bpmn").read_bytes()})
    yield engine
    engine.close()


def microflows_module() -> Any:
    """bpmn/loan_application_microflows.py, as the engine loaded it from the models folder."""
    return sys.modules["flowbridge_models.loan_application_microflows"]


def start_form(engine: Engine) -> dict[str, Any]:
    form: dict[str, Any] = engine.repository.get("loan_application")["start_form"]
    return form


def start(engine: Engine, **changes: Any) -> dict[str, Any]:
    """Start an application as the start page does: the form's values, checked by its form."""
    values = validate(start_form(engine), APPLICATION | changes)
    started: dict[str, Any] = engine.runtime.start("loan_application", values)
    return started


def call(engine: Engine, name: str, values: dict[str, Any]) -> Any:
    """Call a form's microflow as the page does: with the form's values its parameters name."""
    flow = engine.microflows.get(name)
    names = set(flow["inputs"])
    return engine.microflows.call(name, {k: v for k, v in values.items() if k in names})


def test_the_forms_name_their_microflows_and_actions(example: Engine) -> None:
    form = start_form(example)
    microflows = {f["id"]: (f["microflow"], f["microflow_trigger"]) for f in form["fields"] if f["microflow"]}
    assert microflows == {"customer_id": ("credit_check", "change")}
    assert form["actions"] == []

    review = start(example)["tasks"][0]["form"]
    microflows = {
        f["id"]: (f["microflow"], f["microflow_trigger"]) for f in review["fields"] if f["microflow"]
    }
    assert microflows == {"interest_rate": ("monthly_payment", "input")}
    assert review["actions"] == [
        {"id": "draft_contract", "label": "Draft the contract", "microflow": "draft_contract"}
    ]


def test_the_field_microflows_fill_check_and_tell(example: Engine) -> None:
    typed = {"customer_id": "c-100", "applicant": None, "email": None, "amount": None, "term_months": 36}
    assert call(example, "credit_check", typed) == {
        "customer_id": "C-100",
        "applicant": "Ada Lovelace",
        "email": "ada@example.com",
        "message": "Credit score 780 (good)",
    }
    assert call(example, "credit_check", typed | {"customer_id": "C-9"}) == {
        "error": "The credit bureau knows no customer C-9."
    }
    review = {"amount": 12000, "term_months": 48, "interest_rate": 5, "approved": False}
    assert call(example, "monthly_payment", review) == {"message": "276.35 a month over 48 months"}
    assert call(example, "monthly_payment", review | {"interest_rate": 25})["error"].startswith("The rate")


def test_the_draft_contract_button_runs_as_a_job(example: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(microflows_module(), "DRAFT_SECONDS", 0)
    job = example.microflows.call_async(
        "draft_contract", {"amount": 12000, "term_months": 48, "interest_rate": 5}
    )
    assert job["status"] == "queued"
    assert Worker(example, concurrency=1).run_until_idle() == 1
    done = example.jobs.get(job["id"])
    assert done["status"] == "done"
    assert done["result"]["message"] == (
        f"Draft D-{job['id'][:6]}: 12,000 at 5 % over 48 months, 276.35 a month"
    )


def test_an_approved_application_is_sent_signed_and_granted(example: Engine) -> None:
    with pytest.raises(FormInvalid) as caught:
        start(example, customer_id="42", amount="100")
    problems = caught.value.details["fields"]
    assert isinstance(problems, dict) and set(problems) == {"customer_id", "amount"}

    started = start(example)
    assert started["status"] == "waiting"
    variables = started["variables"]
    assert (variables["amount"], variables["term_months"], variables["credit_score"]) == (12000, 48, 690)
    application_id = variables["application_id"]
    assert application_id == f"LA-{started['id'][:8].upper()}"

    [review] = started["tasks"]
    assert (review["element_id"], review["candidate_groups"]) == ("review", ["credit_officers"])
    assert example.tasks.list(candidate_group="credit_officers")["total"] == 1
    with pytest.raises(FormInvalid, match="interest_rate: is required"):
        example.tasks.complete(review["id"], {"approved": True}, user="olga", groups=["credit_officers"])
    example.tasks.complete(
        review["id"], {"approved": "true", "interest_rate": "4.5"}, user="olga", groups=["credit_officers"]
    )

    [send] = [w for w in example.runtime.get(started["id"])["waiting"] if w["kind"] == "service_task"]
    assert (send["element_id"], send["microflow"], send["job_status"]) == (
        "send_contract_task",
        "send_contract",
        "queued",
    )
    assert (send["attempts"], send["max_attempts"]) == (0, 4)  # R3/PT10S: three retries
    assert Worker(example, concurrency=1).run_until_idle() == 1
    sent = example.runtime.get(started["id"])
    assert sent["variables"]["contract_id"] == f"K-{send['job_id'][:8]}"
    [signed] = sent["waiting"]
    assert (signed["kind"], signed["name"]) == ("event", "contract_signed")

    with pytest.raises(NotFound, match="contract_signed"):
        example.messages.correlate("contract_signed", {"application_id": "LA-NOBODY"})
    delivered = example.messages.correlate(
        "contract_signed", {"application_id": application_id}, {"signed_on": "2024-06-01"}
    )
    assert delivered == {"delivered_to": [started["id"]], "started": []}
    finished = example.runtime.get(started["id"])
    assert finished["status"] == "completed"
    assert finished["variables"]["signed_on"] == "2024-06-01"
    kinds = [e["kind"] for e in example.history.events(started["id"])]
    assert "microflow_returned" in kinds


def test_a_declined_application_ends_at_once(example: Engine) -> None:
    started = start(example, customer_id="C-300")
    [review] = started["tasks"]
    done = example.tasks.complete(review["id"], {"approved": False, "interest_rate": 0}, admin=True)
    assert done["status"] == "completed"
    assert done["variables"]["approved"] is False


class _Later(datetime):
    """SpiffWorkflow's clock, an hour and a minute ahead."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + timedelta(minutes=61)


def test_the_hourly_reminder_keeps_the_review_open(example: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    started = start(example)
    shown = example.runtime.get(started["id"])
    timers = [w for w in shown["waiting"] if w.get("element_id") == "review_reminder"]
    assert len(timers) == 1
    due_in = datetime.fromisoformat(timers[0]["due_at"]) - utcnow()
    assert timedelta(minutes=59) < due_in <= timedelta(hours=1)

    monkeypatch.setattr(spiff_timer, "datetime", _Later)
    monkeypatch.setattr(job_queue, "utcnow", lambda: utcnow() + timedelta(minutes=61))
    sent = microflows_module().SENT_REMINDERS
    before = len(sent)
    assert Worker(example, concurrency=1).run_until_idle() == 1
    application_id = started["variables"]["application_id"]
    assert sent[before:] == [
        f"Application {application_id} of Alan Turing waits for a credit officer's review."
    ]
    reminded = example.runtime.get(started["id"])
    assert [t["id"] for t in reminded["tasks"]] == [started["tasks"][0]["id"]]  # the same task stays open
    [again] = [w for w in reminded["waiting"] if w.get("element_id") == "review_reminder"]
    assert again["job_id"] != timers[0]["job_id"]  # the next of three cycles waits
    completed = [
        e["element_id"] for e in example.history.events(started["id"]) if e["kind"] == "activity_completed"
    ]
    assert completed[-2:] == ["remind_task", "reminded"]
