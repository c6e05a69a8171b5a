"""Who may see an instance (DESIGN §6a, issue 13 point 1): an administrator sees every instance;
anyone else only the instances they started or have or had a task in — assigned, claimed,
completed, or offered to them, their groups or their lane. To anyone else such an instance does
not exist (404), in the list, its detail, history, jobs, incidents and its definition's XML.

The probe's case: a warehouse clerk listed a credit officer's loan with all its variables.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.workers import Worker

from ..builders import flow, model
from ..conftest import Api
from ..jobs.test_jobs import async_model

REVIEW = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "review")
    + '<bpmn:userTask id="review" name="Review" camunda:candidateGroups="credit"/>'
    + flow("review", "sign")
    + '<bpmn:userTask id="sign" name="Sign" camunda:candidateUsers="dora"/>'
    + flow("sign", "e")
    + '<bpmn:endEvent id="e"/>'
)


def _loan_model(starters: str = "") -> bytes:
    xml = model(REVIEW, key="loan")
    if starters:
        xml = xml.replace(b'isExecutable="true"', f'isExecutable="true" {starters}'.encode(), 1)
    return xml


def _user(api: Api, name: str, *groups: str) -> None:
    api.engine.accounts.create_user(name, None, groups=groups)
    api.tokens[name], _view = api.engine.accounts.create_token(name)


@pytest.fixture
def loan(api: Api) -> dict[str, Any]:
    """A loan bob (a clerk) started, its review offered to the group `credit`."""
    assert api.deploy(("loan.bpmn", _loan_model()))[0] == 201
    _user(api, "cora", "credit")  # a credit officer
    _user(api, "walt", "warehouse")  # a warehouse clerk
    _user(api, "dora")  # the signatory, offered the second task by name
    status, instance = api.post(
        "/api/process-definitions/loan/start", "bob", json={"variables": {"salary": 4200}}
    )
    assert status == 201
    return instance


def _sees(api: Api, user: str, instance_id: str) -> bool:
    """Whether `user` sees the instance everywhere it shows, or nowhere (anything between fails)."""
    listed = api.get("/api/process-instances?limit=1000", user)[1]
    in_list = instance_id in [i["id"] for i in listed["items"]]
    detail = api.get(f"/api/process-instances/{instance_id}", user)[0]
    history = api.get(f"/api/process-instances/{instance_id}/history", user)[0]
    assert (detail, history) in ((200, 200), (404, 404)), (detail, history)
    assert in_list == (detail == 200), (in_list, detail)
    return in_list


def test_a_clerk_does_not_read_another_groups_instance(api: Api, loan: dict[str, Any]) -> None:
    listed = api.get("/api/process-instances", "walt")[1]
    assert listed == {"items": [], "total": 0}
    status, answer = api.get(f"/api/process-instances/{loan['id']}", "walt")
    assert status == 404 and answer["error"]["code"] == "not_found"
    assert "salary" not in str(answer)
    status, answer = api.get(f"/api/process-instances/{loan['id']}/history", "walt")
    assert status == 404 and "salary" not in str(answer)
    # An id nobody has answers the same: whether an instance exists is not theirs to learn.
    unknown = api.get("/api/process-instances/00000000-0000-0000-0000-000000000000", "walt")
    assert unknown[0] == 404
    assert unknown[1]["error"]["message"].replace("0" * 8 + "-0000-0000-0000-" + "0" * 12, "ID") == answer[
        "error"
    ]["message"].replace(loan["id"], "ID")


def test_its_starter_its_candidates_and_an_administrator_see_it(api: Api, loan: dict[str, Any]) -> None:
    assert _sees(api, "bob", loan["id"])  # started it
    assert _sees(api, "cora", loan["id"])  # her group is offered the review
    assert _sees(api, "ada", loan["id"])  # administers
    assert not _sees(api, "walt", loan["id"])
    assert not _sees(api, "dora", loan["id"])  # her task is not there yet
    detail = api.get(f"/api/process-instances/{loan['id']}", "cora")[1]
    assert detail["variables"] == {"salary": 4200}


def test_a_task_makes_its_people_participants_and_they_stay_so(
    api: Api, engine: Engine, loan: dict[str, Any]
) -> None:
    [review] = loan["tasks"]
    assert api.post(f"/api/tasks/{review['id']}/claim", "cora")[0] == 200
    engine.accounts.set_groups("cora", ["mortgages"])  # she moves on to another team
    assert _sees(api, "cora", loan["id"])  # she claimed a task in it: she had a task there
    status, done = api.post(f"/api/tasks/{review['id']}/complete", "cora", json={"variables": {}})
    assert status == 200
    assert _sees(api, "dora", loan["id"])  # offered the signing, by name
    [sign] = done["tasks"]
    assert api.post(f"/api/tasks/{sign['id']}/complete", "dora", json={"variables": {}})[0] == 200
    assert _sees(api, "dora", loan["id"]) and _sees(api, "cora", loan["id"])  # after the end too
    assert not _sees(api, "walt", loan["id"])


def test_the_list_is_filtered_in_the_query_so_paging_counts_what_the_user_sees(
    api: Api, loan: dict[str, Any]
) -> None:
    for _ in range(4):  # others' loans, newer than bob's
        assert api.post("/api/process-definitions/loan/start", "carol", json={})[0] == 201
    bob = api.get("/api/process-instances?limit=1", "bob")[1]
    assert bob["total"] == 1 and [i["id"] for i in bob["items"]] == [loan["id"]]
    cora = api.get("/api/process-instances?limit=2&offset=4", "cora")[1]
    assert cora["total"] == 5 and [i["id"] for i in cora["items"]] == [loan["id"]]
    assert api.get("/api/process-instances?limit=1", "carol")[1]["total"] == 4
    assert api.get("/api/process-instances?limit=1", "ada")[1]["total"] == 5


def test_the_xml_is_for_who_may_start_the_process_or_see_an_instance_of_it(api: Api) -> None:
    _user(api, "cora", "credit")
    _user(api, "walt", "warehouse")
    _user(api, "sam", "sales")
    restricted = _loan_model('camunda:candidateStarterGroups="sales"')
    assert api.deploy(("loan.bpmn", restricted))[0] == 201
    xml = "/api/process-definitions/loan/xml"
    assert api.get(xml, "sam")[0] == 200  # may start it
    assert api.get(xml, "cora")[0] == 404  # may not start it, takes part in no instance yet
    assert api.post("/api/process-definitions/loan/start", "sam", json={})[0] == 201
    status, text = api.get(xml, "cora")  # offered the review of sam's loan
    assert status == 200 and 'id="review"' in text
    status, answer = api.get(xml, "walt")
    assert status == 404 and answer["error"]["message"] == "no process definition 'loan' is deployed"
    assert api.get(xml, "ada")[0] == 200


def test_jobs_and_incidents_are_seen_with_their_instance(api: Api, microflows: Any) -> None:
    def slow_double(n: int) -> dict[str, Any]:
        raise RuntimeError("the scoring service is down")

    microflows("slow_double", slow_double, retries=0, backoff=0.01, timeout=5)
    assert api.deploy(("p.bpmn", async_model()))[0] == 201
    _user(api, "walt", "warehouse")
    status, instance = api.post("/api/process-definitions/p/start", "bob", json={"variables": {"n": 1}})
    assert status == 201
    [job_id] = [w["job_id"] for w in instance["waiting"] if w.get("job_id")]
    assert api.get(f"/api/jobs/{job_id}", "bob")[0] == 200
    assert api.get(f"/api/jobs/{job_id}", "walt")[0] == 404
    assert Worker(api.engine, concurrency=1).run_until_idle() == 1  # the call fails: an incident
    [incident] = api.get("/api/incidents", "bob")[1]
    assert incident["instance_id"] == instance["id"] and "scoring service" in incident["error"]
    assert api.get("/api/incidents?status=all", "walt")[1] == []
    assert len(api.get("/api/incidents", "ada")[1]) == 1


def test_a_microflow_called_alone_is_seen_by_its_caller(api: Api, microflows: Any) -> None:
    microflows("echo", lambda text: {"text": text}, expose=True)
    body = {"input": {"text": "hi"}, "mode": "async"}
    status, job = api.post("/api/microflows/echo/call", "bob", json=body)
    assert status == 202, job
    assert api.get(f"/api/jobs/{job['job_id']}", "bob")[0] == 200
    assert api.get(f"/api/jobs/{job['job_id']}", "carol")[0] == 404
    assert api.get(f"/api/jobs/{job['job_id']}", "ada")[0] == 200
