"""The instance page's history and waits, and the instance list's search (issue 15, items 6 to 8),
through the Flask client: what each row says, the administrators' acts on waits, and who may."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine import Engine

from ..conftest import MODELS
from .test_pages import Site, text


@pytest.fixture
def site(engine: Engine) -> Site:
    """The pages over the `engine` fixture's database (SQLite and PostgreSQL)."""
    return Site(engine)


def start_claim(site: Site, business_key: str | None = "CL-7", **variables: Any) -> dict[str, Any]:
    site.deploy(("claim_review.bpmn", (MODELS / "claim_review.bpmn").read_bytes()))
    instance = site.engine.runtime.start(
        "claim_review", {"reminder": "PT1H", **variables}, business_key=business_key, user="bob"
    )
    site.engine.runtime.complete_task(instance["tasks"][0]["id"], {"amount": 120}, user="bob")
    return instance


def section(body: str, heading: str) -> str:
    found = re.search(rf'<section aria-labelledby="{heading}-heading">(.*?)</section>', body, re.S)
    assert found, f"no {heading} section"
    return found.group(1)


def row_of(table: str, needle: str) -> str:
    rows = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", table, re.S) if needle in r]
    assert len(rows) == 1, (needle, rows)
    return rows[0]


def test_history_rows_say_who_when_how_long_and_what_changed(site: Site) -> None:
    instance = start_claim(site)
    history = section(text(site.browser("bob").get(f"/instances/{instance['id']}")), "history")

    assert "Times in your time zone" in history
    review = row_of(history, "Review the claim")  # one row for the completed task
    assert "Completed the task" in review and '<td class="history-actor" data-label="By">bob</td>' in review
    assert re.search(r'<td data-label="Took">(< 0\.1 s|\d+\.\d s)</td>', review)  # how long it waited
    fee = row_of(history, "Add the fee")
    assert '<span class="muted">engine</span>' in fee  # not bob's
    changed = [r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", history, re.S) if "Variables changed" in r][-1]
    assert '<code>amount</code>: <span class="muted">(new)</span> → <code>120</code>' in changed
    assert "<code>fee</code>" in changed and "<code>12</code>" in changed
    moment = re.search(
        r'<time datetime="([^"]+)" data-local>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC</time>', review
    )
    assert moment, "times to the second, in UTC until the page's script shows them in local time"
    assert moment.group(1).endswith("+00:00")
    assert "local-time.js" in text(site.browser("bob").get(f"/instances/{instance['id']}"))


def test_the_terminate_reason_is_in_its_history_row(site: Site) -> None:
    instance = start_claim(site)
    site.engine.runtime.terminate(instance["id"], user="ada", reason="filed twice")
    history = section(text(site.browser("ada").get(f"/instances/{instance['id']}")), "history")
    ended = row_of(history, "Terminated")
    assert '<q class="history-reason">filed twice</q>' in ended and ">ada<" in ended


def test_waits_are_named_with_how_to_deliver_and_a_timers_due_time(site: Site) -> None:
    instance = start_claim(site)
    body = text(site.browser("bob").get(f"/instances/{instance['id']}"))
    waits = section(body, "waiting")

    paid = row_of(waits, 'data-element="paid"')
    assert (
        '<strong class="wait-name">Payment received</strong>' in paid
        and "message <code>claim_paid</code>" in paid
    )
    assert '<code>business_key</code> = <code>"CL-7"</code>' in paid
    assert "flowbridge message claim_paid --correlate business_key=CL-7" in paid
    assert "curl -X POST http://localhost/api/messages" in paid
    assert '{"correlation": {"business_key": "CL-7"}, "name": "claim_paid"}' in paid
    reminder = row_of(waits, 'data-element="reminder"')
    assert '<strong class="wait-name">Reminder due</strong>' in reminder
    assert re.search(r'Due <time datetime="[^"]+" data-local>[\d-]+ [\d:]+ UTC</time>', reminder)
    assert "Job queued, attempt 0 of 3" in reminder and "due now" not in reminder
    assert '<strong class="wait-name">Contract signed</strong>' in row_of(waits, 'data-element="signed"')
    assert "<button" not in waits  # bob takes part, but only administrators act from the page

    admin = text(site.browser("ada").get(f"/instances/{instance['id']}"))
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", section(admin, "waiting"))
    assert sorted(buttons) == [
        "Deliver “claim_paid” to this instance",
        "Trigger “Contract signed”",
    ]  # no timer due


def test_administrators_deliver_the_message_trigger_and_fire_a_due_timer(site: Site) -> None:
    instance = start_claim(site, reminder="PT0S")  # due at once; no worker runs here to fire it
    other = start_claim(site, business_key="CL-8")
    ada = site.browser("ada")
    page = section(text(ada.get(f"/instances/{instance['id']}")), "waiting")
    assert "due now" in page and "Fire the timer “Reminder due” now" in page

    fired = ada.post(f"/instances/{instance['id']}/fire-timers")
    assert fired.status_code == 303
    delivered = ada.post(
        f"/instances/{instance['id']}/deliver",
        {"name": "claim_paid", "correlation": '{"business_key": "CL-7"}'},
    )
    assert delivered.status_code == 303
    flashed = text(ada.get(f"/instances/{instance['id']}"))
    assert (
        "Message &#39;claim_paid&#39; delivered." in flashed or "Message 'claim_paid' delivered." in flashed
    )
    triggered = ada.post(f"/instances/{instance['id']}/trigger", {"element_id": "signed", "task_id": ""})
    assert triggered.status_code == 303
    assert site.engine.runtime.get(instance["id"])["status"] == "completed"
    assert site.engine.runtime.get(other["id"])["status"] == "waiting"  # the message was this one's
    kinds = {(e["kind"], e["user"]) for e in site.engine.history.events(instance["id"])}
    assert ("message_received", "ada") in kinds and ("triggered", "ada") in kinds

    # Anyone else is refused, in words; a message nobody waits for says so.
    bob = site.browser("bob")
    refused = bob.post(f"/instances/{other['id']}/fire-timers")
    assert refused.status_code == 403 and "Only administrators" in text(refused)
    assert bob.post(f"/instances/{other['id']}/deliver", {"name": "claim_paid"}).status_code == 403
    nobody = ada.post(f"/instances/{other['id']}/deliver", {"name": "no_such_message", "correlation": "{}"})
    assert nobody.status_code == 404 and "no_such_message" in text(nobody)
    bad = ada.post(f"/instances/{other['id']}/deliver", {"name": "claim_paid", "correlation": "[1"})
    assert bad.status_code == 400 and "not JSON" in text(bad)


def test_instances_are_labelled_and_searched_by_name_key_business_key_and_value(site: Site) -> None:
    ada = start_claim(site, business_key="LOAN-1234", customer="Ada Lovelace")
    start_claim(site, business_key="LOAN-99", customer="Bob")
    bob = site.browser("bob")

    listed = text(bob.get("/instances"))
    assert f'<a href="/instances/{ada["id"]}" class="instance-label">Claim review · LOAN-1234</a>' in listed
    assert "1 to 2 of 2 instances" in text(bob.get("/instances?process=claim+rev"))
    assert "1 to 2 of 2 instances" in text(bob.get("/instances?process=CLAIM_R"))
    one = text(bob.get("/instances?business_key=an-12"))
    assert "1 to 1 of 1 instances" in one and "LOAN-1234" in one
    by_value = text(bob.get("/instances?variable=customer&value=lovelace"))
    assert "1 to 1 of 1 instances" in by_value and ada["id"][:8] in by_value
    assert 'value="lovelace"' in by_value  # the search stays in the form (and in the pager's links)
    refused = bob.get("/instances?variable=a'b&value=x")
    assert refused.status_code == 200 and "only letters, digits and underscores" in text(refused)
    assert "No instances match this search" in text(refused)
    assert "No instances match this search" in text(site.browser("carol").get("/instances?process=claim"))

    page = text(bob.get(f"/instances/{ada['id']}"))
    assert "<title>Claim review · LOAN-1234" in page and "<h1>Claim review · LOAN-1234 " in page


def test_the_engine_records_page_completions_by_the_person(site: Site, engine: Engine) -> None:
    site.deploy(("claim_review.bpmn", (MODELS / "claim_review.bpmn").read_bytes()))
    instance = engine.runtime.start("claim_review", {"reminder": "PT1H"}, user="bob")
    bob = site.browser("bob")
    bob.get(f"/tasks/{instance['tasks'][0]['id']}")
    done = bob.post(f"/tasks/{instance['tasks'][0]['id']}", {"amount": "7"})
    assert done.status_code in (302, 303), text(done)
    rows = engine.history.readable(instance["id"])
    assert [r["actor"] for r in rows if r["element_id"] == "review"] == ["bob"]
    assert [r["actor"] for r in rows if r["element_id"] == "add_fee"] == [None]
