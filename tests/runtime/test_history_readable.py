"""History a person can read (issue 15, item 6), waits named and deliverable (item 7), and the
instance search (item 8): what the engine records and answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine import Engine
from engine.accounts import Principal
from engine.errors import InvalidInput
from engine.runtime import InstanceSearch, readable
from engine.runtime.variable_changes import MAX_CHANGES, MAX_VALUE_TEXT, changes, snapshot

from ..conftest import MODELS


def start_claim(engine: Engine, business_key: str | None = "CL-7", **variables: Any) -> dict[str, Any]:
    engine.repository.deploy({"claim_review.bpmn": (MODELS / "claim_review.bpmn").read_bytes()})
    values = {"reminder": "PT1H", **variables}
    return engine.runtime.start("claim_review", values, business_key=business_key, user="olga")


def test_automatic_steps_are_the_engines_and_a_user_task_is_one_row_with_its_duration(engine: Engine) -> None:
    instance = start_claim(engine)
    time.sleep(0.3)  # the task waits a moment before olga completes it
    engine.runtime.complete_task(instance["tasks"][0]["id"], {"amount": 120}, user="olga")
    events = engine.history.events(instance["id"])

    by_kind = {(e["kind"], e["element_id"]): e for e in events}
    assert by_kind[("instance_started", "claim_review")]["user"] == "olga"
    assert by_kind[("activity_completed", "filed")]["user"] is None  # the start event ran on its own
    assert by_kind[("user_task_completed", "review")]["user"] == "olga"
    assert by_kind[("activity_completed", "review")]["user"] == "olga"  # the task she completed
    assert by_kind[("activity_completed", "add_fee")]["user"] is None  # the script: the engine's
    waited = by_kind[("activity_completed", "review")]["data"]["duration_seconds"]
    assert 0.3 <= waited < 30
    assert "duration_seconds" not in (by_kind[("activity_completed", "add_fee")]["data"] or {})

    rows = engine.history.readable(instance["id"])
    assert rows == readable(events)
    review = [r for r in rows if r["element_id"] == "review"]
    assert len(review) == 1  # one row per completed user task, not two
    assert review[0]["kind"] == "user_task_completed" and review[0]["actor"] == "olga"
    assert review[0]["duration_seconds"] == waited and review[0]["element_type"] == "User Task"
    assert [r["actor"] for r in rows if r["element_id"] == "add_fee"] == [None]


def test_each_step_records_the_variables_it_changed_before_and_after(engine: Engine) -> None:
    instance = start_claim(engine, customer="Ada")
    engine.runtime.complete_task(instance["tasks"][0]["id"], {"amount": 120, "customer": "Ada L."})
    changed = [e for e in engine.history.events(instance["id"]) if e["kind"] == "variables_changed"]

    assert changed[0]["data"] == {
        "changes": [{"name": "customer", "after": "Ada"}, {"name": "reminder", "after": "PT1H"}]
    }
    assert changed[1]["data"] == {
        "changes": [
            {"name": "amount", "after": 120},
            {"name": "customer", "before": "Ada", "after": "Ada L."},
            {"name": "fee", "after": 12},  # the script's, in the same step
        ]
    }
    # A step that changes nothing records no change.
    engine.triggers.trigger(instance["id"], "signed")
    kinds = [e["kind"] for e in engine.history.events(instance["id"])]
    assert kinds.count("variables_changed") == 2 and kinds[-1] != "variables_changed"


def test_recorded_changes_are_bounded() -> None:
    before = snapshot({"kept": 1, "gone": [1, 2], "long": "x"})
    after = {"kept": 1, "long": "y" * 1000, **{f"v{n:03}": n for n in range(MAX_CHANGES + 5)}}
    data = changes(before, after)
    assert data is not None and len(data["changes"]) == MAX_CHANGES and data["more"] == 7
    listed = {c["name"]: c for c in data["changes"]}
    assert listed["gone"] == {"name": "gone", "before": [1, 2]}  # removed: no `after`
    long = listed["long"]
    assert long["before"] == "x" and long["truncated"] is True
    assert len(long["after"]) == MAX_VALUE_TEXT and long["after"].endswith("…")
    assert changes(before, {"kept": 1, "gone": [1, 2], "long": "x"}) is None
    assert changes({}, {"_fb_helper": 1, "__secret": 2}) is None  # the engine's own helpers


def test_the_terminate_reason_and_an_administrators_completion_are_in_the_rows(engine: Engine) -> None:
    instance = start_claim(engine)
    engine.runtime.complete_task(instance["tasks"][0]["id"], {"amount": 5}, user="ada", admin=True)
    engine.runtime.terminate(instance["id"], user="ada", reason="a duplicate claim")
    rows = engine.history.readable(instance["id"])
    [done] = [r for r in rows if r["kind"] == "user_task_completed"]
    assert done["actor"] == "ada" and done["by_administrator"] is True and done["assignee"] is None
    ended = rows[-1]
    assert ended["kind"] == "instance_terminated" and ended["title"] == "Terminated"
    assert ended["actor"] == "ada" and ended["reason"] == "a duplicate claim"


def test_waits_are_named_and_a_message_says_what_reaches_this_instance(engine: Engine) -> None:
    instance = start_claim(engine)
    engine.runtime.complete_task(instance["tasks"][0]["id"], {"amount": 120})
    shown = engine.runtime.get(instance["id"])
    waits = {w["element_id"]: w for w in engine.waits.describe(shown)}
    assert "element_name" not in shown["waiting"][0]  # the API's view stays as the step saved it
    assert waits["paid"]["element_name"] == "Payment received"
    assert waits["paid"]["deliver"] == {"name": "claim_paid", "correlation": {"business_key": "CL-7"}}
    assert waits["reminder"]["element_name"] == "Reminder due" and waits["reminder"]["due_at"]
    assert waits["signed"]["element_name"] == "Contract signed" and "deliver" not in waits["signed"]

    # What the view says reaches it does: the message moves this instance on, and no other.
    other = start_claim(engine, business_key="CL-8")
    engine.runtime.complete_task(other["tasks"][0]["id"], {"amount": 1})
    deliver = waits["paid"]["deliver"]
    assert engine.messages.correlate(deliver["name"], deliver["correlation"])["delivered_to"] == [
        instance["id"]
    ]

    plain = start_claim(engine, business_key=None)
    engine.runtime.complete_task(plain["tasks"][0]["id"], {"amount": 1})
    [paid] = [w for w in engine.waits.describe(engine.runtime.get(plain["id"])) if w["element_id"] == "paid"]
    assert paid["deliver"] == {"name": "claim_paid", "correlation": {}}  # reaches every waiting one


def test_the_instance_list_searches_process_names_keys_business_keys_and_values(engine: Engine) -> None:
    ada = start_claim(engine, business_key="LOAN-1234", customer="Ada Lovelace", amount=100)
    bob = start_claim(engine, business_key="LOAN-99", customer="Bob", amount=5)

    def found(**terms: Any) -> list[str]:
        return [i["id"] for i in engine.runtime.list(search=InstanceSearch(**terms))["items"]]

    assert found(process="CLAIM R") == [bob["id"], ada["id"]]  # the name, any case
    assert found(process="m_rev") == [bob["id"], ada["id"]]  # the key
    assert found(process="nothing like it") == []
    assert found(business_key="an-12") == [ada["id"]]
    assert found(business_key="%") == []  # a wildcard is a character like any other
    assert found(variable="customer", value="lovel") == [ada["id"]]
    assert found(variable="amount", value="100") == [ada["id"]]
    assert found(variable="customer") == [bob["id"], ada["id"]]  # has the variable at all
    assert engine.runtime.list(search=InstanceSearch(variable="customer", value="Bob"))["total"] == 1
    # The search keeps to what the viewer may see (DESIGN §6a).
    assert engine.runtime.list(search=InstanceSearch(process="claim"), viewer=Principal("dora"))["total"] == 0
    olga = engine.runtime.list(search=InstanceSearch(business_key="99"), viewer=Principal("olga"))
    assert [i["id"] for i in olga["items"]] == [bob["id"]]


@pytest.mark.parametrize(
    "terms",
    [{"variable": "a'b"}, {"value": "x"}, {"process": "x" * 300}, {"business_key": "a\x00b"}],
)
def test_a_search_that_cannot_be_made_is_refused_in_words(engine: Engine, terms: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        engine.runtime.list(search=InstanceSearch(**terms))
    assert refused.value.message
