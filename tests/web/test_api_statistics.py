"""The cockpit's API (web.api.statistics): figures per definition and per element, the unended
instances of a version, and bulk actions that administrators alone may take."""

from __future__ import annotations

from ..conftest import Api
from ..runtime.test_statistics import routed, start_all


def test_figures_per_definition_and_element_follow_who_may_see(api: Api) -> None:
    assert api.deploy(("s.bpmn", routed()))[0] == 201
    ids = start_all(api.engine, starter="bob")
    api.engine.runtime.start("stats", {"route": "call"})

    status, listed = api.get("/api/statistics/process-definitions")
    assert status == 200
    [stats] = listed
    assert (stats["key"], stats["instances"], stats["incidents"], stats["latest_version"]) == (
        "stats",
        5,
        2,
        1,
    )
    assert stats["versions"][0]["version"] == 1 and stats["versions"][0]["instances"] == 5

    status, figures = api.get("/api/process-definitions/stats/statistics?version=1")
    assert status == 200 and figures["instances"] == 5 and figures["incidents"] == 2
    assert {e["element_id"]: e["instances"] for e in figures["elements"]} == {
        "call": 2,
        "check": 1,
        "wait": 1,
        "timer": 1,
    }
    # bob started four of them: his figures are theirs; carol's are none.
    _status, bobs = api.get("/api/statistics/process-definitions", user="bob")
    assert (bobs[0]["instances"], bobs[0]["incidents"]) == (4, 1)
    _status, carols = api.get("/api/process-definitions/stats/statistics", user="carol")
    assert carols["instances"] == 0 and carols["elements"] == []

    status, page = api.get("/api/process-definitions/stats/statistics/instances?element_id=call", user="bob")
    assert status == 200 and page["total"] == 1 and page["items"][0]["id"] == ids["call"]
    assert page["items"][0]["incidents"] == 1 and page["items"][0]["business_key"] == "B-call"


def test_unknown_definitions_and_bad_queries_are_refused(api: Api) -> None:
    assert api.get("/api/process-definitions/nothing/statistics")[0] == 404
    assert api.deploy(("s.bpmn", routed()))[0] == 201
    assert api.get("/api/process-definitions/stats/statistics?version=7")[0] == 404
    assert api.get("/api/process-definitions/stats/statistics?colour=red")[0] == 400
    assert api.get("/api/process-definitions/stats/statistics/instances?limit=0")[0] == 400


def test_bulk_actions_are_for_administrators_and_report_each_instance(api: Api) -> None:
    assert api.deploy(("s.bpmn", routed()))[0] == 201
    ids = start_all(api.engine, starter="bob")
    chosen = [ids["check"], ids["call"]]

    status, refused = api.post(
        "/api/bulk/process-instances", "bob", json={"action": "suspend", "instance_ids": chosen}
    )
    assert status == 403 and refused["error"]["code"]
    assert api.engine.runtime.get(ids["check"])["status"] == "waiting"

    body = {"action": "retry", "instance_ids": chosen, "dry_run": True}
    status, planned = api.post("/api/bulk/process-instances", json=body)
    assert status == 200 and [p["done"] for p in planned] == [False, True]
    assert planned[0]["what"] == "it has no open incident to retry"

    body = {"action": "terminate", "instance_ids": [*chosen, "no-such-id"], "reason": "tidy up"}
    status, outcomes = api.post("/api/bulk/process-instances", json=body)
    assert status == 200
    assert [(o["done"], o["status"]) for o in outcomes] == [
        (True, "terminated"),
        (True, "terminated"),
        (False, None),
    ]
    assert outcomes[2]["what"] == "no such instance"

    assert (
        api.post("/api/bulk/process-instances", json={"action": "delete", "instance_ids": chosen})[0] == 400
    )
    assert api.post("/api/bulk/process-instances", json={"action": "suspend", "instance_ids": []})[0] == 400
    strict = {"action": "suspend", "instance_ids": chosen, "dry_run": 1}
    assert api.post("/api/bulk/process-instances", json=strict)[0] == 400
