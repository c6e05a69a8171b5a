"""Bulk actions (engine.runtime.bulk): a plan that says per instance what would happen or why not,
then each instance handled on its own through the engine's calls, with per-instance outcomes."""

from __future__ import annotations

import pytest

from engine import Engine
from engine.errors import InvalidInput

from ..builders import flow, model
from .test_statistics import routed, start_all

CHILD = model('<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>' + flow("s", "e"), key="missing")


def test_the_plan_says_what_would_happen_to_each_instance(engine: Engine) -> None:
    engine.repository.deploy({"s.bpmn": routed()})
    ids = start_all(engine)
    engine.runtime.suspend(ids["wait"])
    engine.runtime.terminate(ids["timer"])
    order = [ids["call"], ids["check"], ids["wait"], ids["timer"], "no-such-id", ids["call"]]

    retry = engine.bulk.plan("retry", order)
    assert [p["instance_id"] for p in retry] == order[:5]  # each once, in the order selected
    assert [p["allowed"] for p in retry] == [True, False, False, False, False]
    assert retry[0]["what"] == "retried (1 incident sent to the workers again)" and retry[0]["incidents"] == 1
    assert retry[0]["name"] == "Stats" and retry[0]["business_key"] == "B-call"
    assert retry[1]["what"] == "it has no open incident to retry"
    assert retry[2]["what"] == "it is suspended: resume it first"
    assert retry[3]["what"].startswith("it has terminated already")
    assert retry[4]["what"] == "no such instance" and retry[4]["name"] is None

    suspend = engine.bulk.plan("suspend", order)
    assert [p["allowed"] for p in suspend] == [True, True, False, False, False]
    assert suspend[2]["what"] == "it is suspended already"
    terminate = engine.bulk.plan("terminate", order)
    assert [p["allowed"] for p in terminate] == [True, True, True, False, False]


def test_run_handles_each_instance_on_its_own(engine: Engine) -> None:
    engine.repository.deploy({"s.bpmn": routed()})
    ids = start_all(engine)
    engine.runtime.suspend(ids["wait"])
    chosen = [ids["check"], ids["wait"], ids["call"], "no-such-id"]

    outcomes = engine.bulk.run("suspend", chosen, user="ada")
    assert [(o["done"], o["what"]) for o in outcomes] == [
        (True, "suspended"),
        (False, "it is suspended already"),
        (True, "suspended"),
        (False, "no such instance"),
    ]
    assert outcomes[0]["status"] == "suspended" and outcomes[0]["business_key"] == "B-check"
    history = engine.history.events(ids["check"])
    assert [e["user"] for e in history if e["kind"] == "instance_suspended"] == ["ada"]

    ended = engine.bulk.run("terminate", [ids["check"], ids["timer"]], user="ada", reason="duplicates")
    assert [o["done"] for o in ended] == [True, True]
    assert engine.runtime.get(ids["timer"])["status"] == "terminated"
    [event] = [e for e in engine.history.events(ids["timer"]) if e["kind"] == "instance_terminated"]
    assert event["data"]["reason"] == "duplicates" and event["user"] == "ada"
    again = engine.bulk.run("terminate", [ids["timer"]])
    assert again[0]["done"] is False and again[0]["what"].startswith("it has terminated already")


def test_retry_sends_each_open_incident_again_or_says_why_not(engine: Engine) -> None:
    engine.repository.deploy({"s.bpmn": routed()})
    ids = start_all(engine)
    # The called process is still missing: the engine refuses the retry, and says so for that instance.
    [refused, nothing] = engine.bulk.run("retry", [ids["call"], ids["check"]])
    assert refused["done"] is False and "cannot be retried yet" in refused["what"]
    assert nothing == {**nothing, "done": False, "what": "it has no open incident to retry"}

    engine.repository.deploy({"missing.bpmn": CHILD})
    [retried] = engine.bulk.run("retry", [ids["call"]], user="ada")
    assert retried["done"] is True and retried["what"] == "retried (1 incident sent to the workers again)"
    assert engine.runtime.get(ids["call"])["status"] == "completed"
    assert engine.statistics.elements("stats")["incidents"] == 0


def test_bad_selections_are_refused_as_input(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="one of retry, suspend, terminate"):
        engine.bulk.plan("delete", ["x"])
    with pytest.raises(InvalidInput, match="at least one"):
        engine.bulk.run("suspend", [""])
    with pytest.raises(InvalidInput, match="at most 200"):
        engine.bulk.plan("suspend", [str(n) for n in range(201)])
