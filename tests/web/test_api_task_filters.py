"""The task list over the API: sort, scope, process key, due date and search; each item's process,
business key and list variables; the count of my open tasks; a task's instance revision."""

from __future__ import annotations

from ..builders import flow, model
from ..conftest import Api

DUE = model(
    '<bpmn:startEvent id="s"/>'
    '<bpmn:userTask id="t" name="Check" camunda:candidateGroups="clerks" camunda:dueDate="${due}">'
    "<bpmn:extensionElements><camunda:properties>"
    '<camunda:property name="listVariables" value="customer"/></camunda:properties>'
    "</bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e"),
    key="due",
)


def start_three(api: Api) -> list[str]:
    """Three tasks for the clerks, the oldest due last; their ids, oldest first."""
    assert api.deploy(("due.bpmn", DUE))[0] == 201
    ids = []
    for customer, due in (("Kim", "2026-03-01"), ("Lee", "2026-02-01"), ("Max", "2026-01-01")):
        body = {"variables": {"customer": customer, "due": due}, "business_key": f"B-{customer}"}
        status, instance = api.post("/api/process-definitions/due/start", "bob", json=body)
        assert status == 201, instance
        ids.append(instance["tasks"][0]["id"])
    return ids


def listed(api: Api, query: str, user: str = "bob") -> list[str]:
    status, page = api.get(f"/api/tasks?{query}", user)
    assert status == 200, page
    assert page["total"] == len(page["items"])
    return [item["id"] for item in page["items"]]


def test_sort_filter_and_search_the_task_list(api: Api) -> None:
    kim, lee, max_ = start_three(api)
    assert listed(api, "") == [kim, lee, max_]  # oldest first, as before
    assert listed(api, "sort=-created") == [max_, lee, kim]
    assert listed(api, "sort=due") == [max_, lee, kim]
    assert listed(api, "due_before=2026-02-15") == [lee, max_]
    assert listed(api, "due_before=2026-02-01") == [max_]  # due before its midnight
    assert listed(api, "q=b-lee") == [lee]
    assert listed(api, "process_key=due&scope=unassigned") == [kim, lee, max_]
    assert listed(api, "process_key=other") == []
    assert listed(api, "scope=assigned") == []
    assert listed(api, "scope=assigned", "ada") == []  # `assigned` is the caller's own list
    assert listed(api, "scope=unassigned", "ada") == [kim, lee, max_]

    status, page = api.get("/api/tasks?sort=-due&limit=1", "bob")
    assert status == 200 and page["total"] == 3
    [item] = page["items"]
    assert (item["id"], item["process_key"], item["business_key"]) == (kim, "due", "B-Kim")
    assert item["list_variables"] == [{"name": "customer", "label": "customer", "value": "Kim"}]

    for bad in ("sort=size", "due_before=soon", "due_before=2026-02-30", "scope=mine", "sort=--due"):
        status, body = api.get(f"/api/tasks?{bad}", "bob")
        assert status == 400 and body["error"]["code"] == "bad_request", bad


def test_the_count_of_my_open_tasks(api: Api) -> None:
    start_three(api)
    assert api.get("/api/tasks/count", "bob") == (200, {"open": 3})
    assert api.get("/api/tasks/count", "carol") == (200, {"open": 0})
    assert api.get("/api/tasks/count", "ada") == (200, {"open": 0})  # an administrator's own list
    assert api.get("/api/tasks/count", None)[0] == 401


def test_a_tasks_instance_revision_moves_with_each_step(api: Api) -> None:
    kim, _lee, _max = start_three(api)
    status, task = api.get(f"/api/tasks/{kim}", "bob")
    assert status == 200 and isinstance(task["instance_revision"], int)
    assert api.post(f"/api/tasks/{kim}/claim", "bob")[0] == 200
    assert api.get(f"/api/tasks/{kim}", "bob")[1]["instance_revision"] == task["instance_revision"] + 1


def test_the_openapi_document_describes_the_new_parameters(api: Api) -> None:
    status, document = api.get("/api/openapi.json", None)
    assert status == 200
    parameters = {p["name"]: p for p in document["paths"]["/api/tasks"]["get"]["parameters"]}
    assert {"sort", "scope", "process_key", "due_before", "q"} <= parameters.keys()
    assert "-created" in parameters["sort"]["schema"]["enum"]
    assert "/api/tasks/count" in document["paths"]
