"""The HTTP API's tasks: who sees and does which task, claims, completion and its errors."""

from __future__ import annotations

from typing import Any

from ..conftest import Api
from .test_api_flows import REVIEW, deployed, start


def open_task(api: Api, user: str = "bob") -> tuple[dict[str, Any], dict[str, Any]]:
    deployed(api, ("review.bpmn", REVIEW))
    instance = start(api, "review", user)
    [task] = instance["tasks"]
    return instance, task


def test_a_user_sees_the_tasks_of_their_groups_only(api: Api) -> None:
    _instance, task = open_task(api)

    status, mine = api.get("/api/tasks", "bob")
    assert status == 200 and [t["id"] for t in mine["items"]] == [task["id"]] and mine["total"] == 1
    status, theirs = api.get("/api/tasks", "carol")
    assert status == 200 and theirs == {"items": [], "total": 0}
    # An administrator sees every task, and only theirs with mine=true.
    assert api.get("/api/tasks", "ada")[1]["total"] == 1
    assert api.get("/api/tasks?mine=true", "ada")[1]["total"] == 0
    assert api.get("/api/tasks?candidate_group=clerks", "ada")[1]["total"] == 1
    assert api.get("/api/tasks?candidate_group=managers", "ada")[1]["total"] == 0

    status, one = api.get(f"/api/tasks/{task['id']}", "bob")
    assert status == 200
    assert one["form"]["fields"][0]["id"] == "amount"
    status, body = api.get(f"/api/tasks/{task['id']}", "carol")
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert api.get("/api/tasks/no-such-task", "bob")[0] == 404


def test_complete_validates_the_form_per_field_then_409_on_repeat(api: Api) -> None:
    instance, task = open_task(api)
    url = f"/api/tasks/{task['id']}/complete"

    status, body = api.post(url, "carol", json={"variables": {"amount": 5}})
    assert status == 403
    status, body = api.post(url, "bob", json={"variables": {"amount": "lots"}})
    assert status == 422 and body["error"]["code"] == "form_invalid"
    assert "amount" in body["error"]["details"]["fields"]
    status, body = api.post(url, "bob", json={"variables": {}})
    assert status == 422 and "amount" in body["error"]["details"]["fields"]
    status, body = api.post(url, "bob", json={"variables": "amount=5"})
    assert status == 400

    status, done = api.post(url, "bob", json={"variables": {"amount": 5}})
    assert status == 200 and done["status"] == "completed" and done["variables"]["amount"] == 5
    status, body = api.post(url, "bob", json={"variables": {"amount": 6}})
    assert status == 409 and body["error"]["code"] == "task_already_completed"
    assert api.get(f"/api/process-instances/{instance['id']}")[1]["variables"]["amount"] == 5


def test_claim_makes_the_task_mine_and_others_get_409(api: Api) -> None:
    api.engine.accounts.create_user("dan", None, groups=["clerks"])
    api.tokens["dan"], _view = api.engine.accounts.create_token("dan")
    _instance, task = open_task(api)
    base = f"/api/tasks/{task['id']}"

    status, body = api.post(f"{base}/unclaim", "carol")
    assert status == 403 and body["error"]["code"] == "not_allowed"  # not hers to see, claimed or not
    status, claimed = api.post(f"{base}/claim", "bob")
    assert (status, claimed["assignee"]) == (200, "bob")
    assert api.post(f"{base}/claim", "bob")[0] == 200
    status, body = api.post(f"{base}/claim", "dan")
    assert status == 409 and body["error"]["code"] == "task_claimed"
    assert api.get("/api/tasks", "dan")[1]["total"] == 0
    assert api.post(f"{base}/complete", "dan", json={"variables": {"amount": 1}})[0] == 403
    assert api.post(f"{base}/claim", "carol")[0] == 403
    assert api.post(f"{base}/unclaim", "dan")[0] == 403

    status, unclaimed = api.post(f"{base}/unclaim", "bob")
    assert (status, unclaimed["assignee"]) == (200, None)
    assert api.get("/api/tasks", "dan")[1]["total"] == 1


def test_task_list_filters_and_pages(api: Api) -> None:
    deployed(api, ("review.bpmn", REVIEW))
    instances = [start(api, "review") for _ in range(3)]
    status, page = api.get("/api/tasks?limit=2", "bob")
    assert status == 200 and page["total"] == 3 and len(page["items"]) == 2
    status, rest = api.get("/api/tasks?limit=2&offset=2", "bob")
    assert len(rest["items"]) == 1
    status, one = api.get(f"/api/tasks?instance_id={instances[1]['id']}", "bob")
    assert [t["instance_id"] for t in one["items"]] == [instances[1]["id"]]
    assert api.get("/api/tasks?limit=0", "bob")[0] == 400
    assert api.get("/api/tasks?mine=perhaps", "bob")[0] == 400


def test_an_administrator_may_claim_reassign_and_complete_anyones_task(api: Api) -> None:
    instance, task = open_task(api)
    base = f"/api/tasks/{task['id']}"
    assert api.post(f"{base}/claim", "bob")[1]["assignee"] == "bob"

    # Not for others: assigning is an administrator's act, claiming a held task is 409.
    status, body = api.post(f"{base}/assign", "bob", json={"assignee": "carol"})
    assert status == 403 and body["error"]["code"] == "not_allowed"
    status, body = api.post(f"{base}/assign", "ada", json={})
    assert status == 400
    status, given = api.post(f"{base}/assign", "ada", json={"assignee": "carol"})
    assert (status, given["assignee"]) == (200, "carol")
    assert api.get("/api/tasks", "carol")[1]["total"] == 1  # now hers to see and do
    status, taken = api.post(f"{base}/claim", "ada")
    assert (status, taken["assignee"]) == (200, "ada")

    assert api.post(f"{base}/assign", "ada", json={"assignee": "carol"})[0] == 200
    status, done = api.post(f"{base}/complete", "ada", json={"variables": {"amount": 3}})
    assert status == 200 and done["status"] == "completed"
    status, events = api.get(f"/api/process-instances/{instance['id']}/history")
    kinds = {e["kind"]: e for e in events}
    assert kinds["task_assigned"]["data"] == {"assignee": "carol", "previous_assignee": "ada", "by": "ada"}
    assert kinds["task_claimed"]["user"] == "ada"
    completed = kinds["user_task_completed"]
    assert completed["user"] == "ada"
    assert completed["data"]["by_administrator"] is True and completed["data"]["assignee"] == "carol"
