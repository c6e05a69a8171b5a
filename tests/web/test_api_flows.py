"""The HTTP API's flows: deploy, definitions, start (and wait), instances, history, messages, lifecycle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..conftest import MODELS, Api

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
)
REVIEW = (
    HEAD + '<bpmn:process id="review" name="Review" isExecutable="true">'
    '<bpmn:startEvent id="s"/>'
    '<bpmn:userTask id="check" name="Check" camunda:candidateGroups="clerks"><bpmn:extensionElements>'
    '<camunda:formData><camunda:formField id="amount" label="Amount" type="long">'
    '<camunda:validation><camunda:constraint name="required"/></camunda:validation></camunda:formField>'
    "</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="e"/>'
    "</bpmn:process></bpmn:definitions>"
).encode()
AUTO = (
    HEAD + '<bpmn:process id="auto" name="Auto" isExecutable="true">'
    '<bpmn:startEvent id="s"/>'
    # A Camunda 7 model: its scripts store variables through `execution` (autoStoreScriptVariables off).
    '<bpmn:scriptTask id="calc" scriptFormat="python">'
    '<bpmn:script>execution.setVariable("y", x * 2)</bpmn:script></bpmn:scriptTask>'
    '<bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="calc"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="e"/>'
    "</bpmn:process></bpmn:definitions>"
).encode()
ORDERS = (
    HEAD + '<bpmn:message id="M" name="order_placed"/>'
    '<bpmn:process id="orders" isExecutable="true">'
    '<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>'
    '<bpmn:userTask id="handle"/><bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="handle"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="e"/>'
    "</bpmn:process></bpmn:definitions>"
).encode()


def deployed(api: Api, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    status, body = api.deploy(*files)
    assert status == 201, body
    return body


def start(api: Api, key: str, user: str = "bob", **body: Any) -> dict[str, Any]:
    status, instance = api.post(f"/api/process-definitions/{key}/start", user, json=body)
    assert status == 201, instance
    return instance


# -- deploy and definitions -----------------------------------------------------------------------


def test_deploy_answers_201_then_200_when_nothing_changed(api: Api) -> None:
    first = deployed(api, ("review.bpmn", REVIEW), ("auto.bpmn", AUTO))
    assert sorted((d["key"], d["version"], d["created"]) for d in first) == [
        ("auto", 1, True),
        ("review", 1, True),
    ]

    status, again = api.deploy(("review.bpmn", REVIEW))
    assert status == 200
    assert [(d["key"], d["version"], d["created"]) for d in again] == [("review", 1, False)]

    status, changed = api.deploy(("review.bpmn", REVIEW.replace(b'name="Check"', b'name="Check it"')))
    assert status == 201 and changed[0]["version"] == 2


PLAIN_TASK = (
    b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
    b'<process id="plain" name="Plain" isExecutable="true"><startEvent id="s"/><task id="t"/>'
    b'<endEvent id="e"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
    b'<sequenceFlow id="f2" sourceRef="t" targetRef="e"/></process></definitions>'
)


def test_deploy_may_run_the_files_as_another_dialect(api: Api) -> None:
    assert start(api, deployed(api, ("plain.bpmn", PLAIN_TASK))[0]["key"])["status"] == "completed"
    status, as_spiff = api.deploy(("plain.bpmn", PLAIN_TASK), dialect="spiff")
    assert status == 201 and as_spiff[0]["version"] == 2
    assert [t["element_id"] for t in start(api, "plain")["tasks"]] == ["t"]  # a step to check off

    status, refused = api.deploy(("plain.bpmn", PLAIN_TASK), dialect="jbpm")
    assert status == 400 and "dialect" in json.dumps(refused["error"])


def test_definitions_list_get_and_xml(api: Api) -> None:
    deployed(api, ("review.bpmn", REVIEW), ("auto.bpmn", AUTO))
    deployed(api, ("review.bpmn", REVIEW.replace(b'name="Review"', b'name="Review v2"')))

    status, listed = api.get("/api/process-definitions", "bob")
    assert status == 200
    assert [(d["key"], d["version"], d["name"]) for d in listed] == [
        ("auto", 1, "Auto"),
        ("review", 2, "Review v2"),
    ]

    status, one = api.get("/api/process-definitions/review?version=1", "bob")
    assert (status, one["version"], one["name"]) == (200, 1, "Review")

    answer = api.client.get(
        "/api/process-definitions/review/xml", headers={"Authorization": f"Bearer {api.tokens['bob']}"}
    )
    assert answer.status_code == 200 and answer.mimetype == "text/plain"  # shown, never run (web.hardening)
    assert b'name="Review v2"' in answer.data

    status, missing = api.get("/api/process-definitions/nope")
    assert status == 404 and missing["error"]["code"] == "not_found"
    status, bad_version = api.get("/api/process-definitions/review?version=zero")
    assert status == 400 and "version" in str(bad_version["error"]["details"])


def test_only_administrators_deploy(api: Api) -> None:
    status, body = api.deploy(("auto.bpmn", AUTO), user="bob")
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert api.get("/api/process-definitions")[1] == []


def test_hostile_and_broken_uploads_are_refused_and_deploy_nothing(api: Api) -> None:
    for name in ("xxe.bpmn", "billion_laughs.bpmn", "broken.bpmn"):
        status, body = api.deploy((name, (MODELS / name).read_bytes()))
        assert status == 400, (name, body)
        assert body["error"]["message"], name
    status, body = api.deploy(("notes.bpmn", b"not xml at all"))
    assert status == 400
    status, body = api.post("/api/process-definitions", data={}, content_type="multipart/form-data")
    assert status == 400 and "files" in str(body["error"]["details"])
    assert api.get("/api/process-definitions")[1] == []


def test_an_oversized_upload_is_413(api: Api, tmp_path: Path) -> None:
    api.app.config["MAX_CONTENT_LENGTH"] = 1000
    status, body = api.deploy(("big.bpmn", b"<x>" + b" " * 5000 + b"</x>"))
    assert status == 413 and body["error"]["code"] == "too_large"


# -- start, instances, history --------------------------------------------------------------------


def test_start_runs_to_the_end_and_answers_the_instance(api: Api) -> None:
    deployed(api, ("auto.bpmn", AUTO))
    instance = start(api, "auto", variables={"x": 21}, business_key="order-1")
    assert instance["status"] == "completed"
    assert instance["variables"] == {"x": 21, "y": 42}
    assert instance["business_key"] == "order-1"
    assert instance["ended_at"] is not None

    status, again = api.get(f"/api/process-instances/{instance['id']}", "bob")
    assert status == 200 and again["variables"] == {"x": 21, "y": 42}


def test_start_with_wait_seconds_answers_at_once_when_people_must_act(api: Api) -> None:
    deployed(api, ("review.bpmn", REVIEW))
    instance = start(api, "review", wait_seconds=30)
    assert instance["status"] == "waiting"
    [task] = instance["tasks"]
    assert (task["element_id"], task["candidate_groups"]) == ("check", ["clerks"])


def test_start_refuses_bad_input(api: Api) -> None:
    deployed(api, ("auto.bpmn", AUTO))
    url = "/api/process-definitions/auto/start"
    status, body = api.post(url, data="{not json", content_type="application/json")
    assert status == 400 and body["error"]["code"] == "bad_request"
    status, body = api.post(url, json={"variables": [1, 2]})
    assert status == 400 and "variables" in str(body["error"]["details"])
    status, body = api.post(url, json={"wait_seconds": -1})
    assert status == 400 and "wait_seconds" in str(body["error"]["details"])
    status, body = api.post(url, json={"surprise": 1})
    assert status == 400 and "surprise" in str(body["error"]["details"])
    status, body = api.post("/api/process-definitions/nope/start", json={})
    assert status == 404
    assert api.get("/api/process-instances")[1]["total"] == 0


def test_instances_filter_and_page(api: Api) -> None:
    deployed(api, ("auto.bpmn", AUTO), ("review.bpmn", REVIEW))
    for n in range(3):
        start(api, "auto", variables={"x": n}, business_key=f"b{n}")
    start(api, "review")

    status, page = api.get("/api/process-instances?key=auto&limit=2")
    assert status == 200 and page["total"] == 3 and len(page["items"]) == 2
    status, page = api.get("/api/process-instances?key=auto&limit=2&offset=2")
    assert len(page["items"]) == 1
    status, page = api.get("/api/process-instances?status=waiting")
    assert [i["key"] for i in page["items"]] == ["review"]
    status, page = api.get("/api/process-instances?business_key=b1")
    assert [i["variables"]["x"] for i in page["items"]] == [1]
    status, body = api.get("/api/process-instances?status=sleeping")
    assert status == 400 and "status" in str(body["error"]["details"])
    status, body = api.get("/api/process-instances?limit=100000")
    assert status == 400 and "limit" in str(body["error"]["details"])


def test_history_lists_events_and_unknown_instances_are_404(api: Api) -> None:
    deployed(api, ("auto.bpmn", AUTO))
    instance = start(api, "auto", variables={"x": 1})
    status, events = api.get(f"/api/process-instances/{instance['id']}/history")
    assert status == 200
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "instance_started" and kinds[-1] == "instance_completed"
    assert events[0]["user"] == "bob"

    for path in ("", "/history"):
        status, body = api.get(f"/api/process-instances/no-such-id{path}")
        assert status == 404 and body["error"]["code"] == "not_found", path


# -- messages -------------------------------------------------------------------------------------


def test_a_message_starts_a_process_and_nobody_waiting_is_404(api: Api) -> None:
    deployed(api, ("orders.bpmn", ORDERS))
    status, outcome = api.post(
        "/api/messages", "bob", json={"name": "order_placed", "variables": {"order": 7}}
    )
    assert status == 200 and outcome["delivered_to"] == []
    [started] = outcome["started"]
    assert api.get(f"/api/process-instances/{started}")[1]["variables"] == {"order": 7}

    status, body = api.post("/api/messages", json={"name": "nobody_listens"})
    assert status == 404 and body["error"]["message"]
    status, body = api.post("/api/messages", json={"correlation": {}})
    assert status == 400 and "name" in str(body["error"]["details"])


ALARMED = (
    HEAD + '<bpmn:signal id="A" name="alarm"/>'
    '<bpmn:process id="alarmed" isExecutable="true">'
    '<bpmn:startEvent id="s"><bpmn:signalEventDefinition signalRef="A"/></bpmn:startEvent>'
    '<bpmn:userTask id="respond"/><bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="respond"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="respond" targetRef="e"/>'
    "</bpmn:process></bpmn:definitions>"
).encode()


def test_a_signal_starts_its_processes_and_nobody_waiting_is_no_error(api: Api) -> None:
    deployed(api, ("alarmed.bpmn", ALARMED))
    status, outcome = api.post("/api/signals", "bob", json={"name": "alarm", "variables": {"level": 2}})
    assert status == 200 and outcome["delivered_to"] == []
    [started] = outcome["started"]
    assert api.get(f"/api/process-instances/{started}")[1]["variables"] == {"level": 2}

    status, outcome = api.post("/api/signals", json={"name": "nobody_listens"})
    assert (status, outcome) == (200, {"delivered_to": [], "started": []})
    status, body = api.post("/api/signals", json={"variables": {}})
    assert status == 400 and "name" in str(body["error"]["details"])


# -- suspend, resume, terminate -------------------------------------------------------------------


def test_terminate_and_suspend_are_for_administrators_and_409_when_not_allowed(api: Api) -> None:
    deployed(api, ("review.bpmn", REVIEW))
    instance = start(api, "review")
    base = f"/api/process-instances/{instance['id']}"

    assert api.post(f"{base}/terminate", "bob", json={})[0] == 403
    status, suspended = api.post(f"{base}/suspend")
    assert (status, suspended["status"]) == (200, "suspended")
    status, body = api.post(f"{base}/suspend")
    assert status == 409
    status, resumed = api.post(f"{base}/resume")
    assert (status, resumed["status"]) == (200, "waiting")

    status, ended = api.post(f"{base}/terminate", json={"reason": "duplicate order"})
    assert (status, ended["status"]) == (200, "terminated")
    assert ended["ended_at"] is not None
    status, body = api.post(f"{base}/terminate", json={})
    assert status == 409 and body["error"]["code"]
    assert api.get("/api/tasks", "bob")[1]["total"] == 0
