"""`POST /api/process-instances/{id}/trigger`: move an instance on at a waiting receive task."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine

from ..conftest import Api
from ..runtime.test_triggers import MAPPED, PLAIN, document

TWO_WAITS = PLAIN.replace('<bpmn:endEvent id="e"/>', '<bpmn:userTask id="e"/>')
"""The receive task 'wait', then a user task: the instance still waits after the trigger."""


@pytest.fixture
def waiting(api: Api) -> dict[str, Any]:
    """An instance carol started, waiting at the receive task 'wait' (with a local variable)."""
    assert api.deploy(("p.bpmn", document(MAPPED)))[0] == 201
    status, instance = api.post(
        "/api/process-definitions/p/start", "carol", json={"variables": {"amount": 2}}
    )
    assert status == 201 and instance["waiting"][0]["kind"] == "trigger"
    return instance


def trigger(api: Api, instance_id: str, user: str = "ada", **body: Any) -> tuple[int, Any]:
    return api.post(f"/api/process-instances/{instance_id}/trigger", user, json=body)


def test_the_trigger_answers_the_instance_moved_on(api: Api, waiting: dict[str, Any]) -> None:
    [wait] = api.get(f"/api/process-instances/{waiting['id']}")[1]["waiting"]
    assert wait == {
        "kind": "trigger",
        "element_id": "wait",
        "name": None,
        "task_id": wait["task_id"],
        "local_variables": {"local": 4},
    }
    status, instance = trigger(api, waiting["id"], element_id="wait", variables={"note": "ok"})
    assert status == 200 and instance["status"] == "completed"
    assert instance["variables"] == {"amount": 2, "doubled": 4, "note": "ok"}
    history = api.get(f"/api/process-instances/{waiting['id']}/history")[1]
    assert [(e["kind"], e["user"]) for e in history if e["kind"] == "triggered"] == [("triggered", "ada")]


def test_a_second_trigger_is_409_and_the_instance_stays_as_it_was(api: Api) -> None:
    assert api.deploy(("p.bpmn", document(TWO_WAITS)))[0] == 201
    instance = api.post("/api/process-definitions/p/start", json={})[1]
    assert trigger(api, instance["id"], element_id="wait")[0] == 200
    before = api.get(f"/api/process-instances/{instance['id']}")[1]

    status, answer = trigger(api, instance["id"], element_id="wait")
    assert status == 409 and answer["error"]["code"] == "not_waiting"
    assert answer["error"]["message"] == f"instance {instance['id']} does not wait at receive task 'wait'"
    assert answer["error"]["details"] == {
        "instance_id": instance["id"],
        "element_id": "wait",
        "task_id": None,
    }
    assert api.get(f"/api/process-instances/{instance['id']}")[1] == before


def test_bad_requests_are_400_and_unknown_instances_404(api: Api, waiting: dict[str, Any]) -> None:
    status, answer = trigger(api, waiting["id"])
    assert status == 400 and "element_id" in str(answer["error"]["details"])
    status, answer = trigger(api, waiting["id"], element_id="nowhere")
    assert status == 400 and answer["error"]["message"].endswith("process has no element 'nowhere'")
    status, answer = trigger(api, waiting["id"], element_id="wait", variables={"lane_owners": {}})
    assert status == 400 and "is the engine's own" in answer["error"]["message"]
    status, answer = trigger(api, "nope", element_id="wait")
    assert status == 404 and answer["error"]["code"] == "not_found"


def test_a_suspended_instance_is_409_as_for_every_change(api: Api, waiting: dict[str, Any]) -> None:
    assert api.post(f"/api/process-instances/{waiting['id']}/suspend")[0] == 200
    status, answer = trigger(api, waiting["id"], element_id="wait")
    assert status == 409 and answer["error"]["code"] == "instance_suspended"


def test_who_may_trigger(api: Api, engine: Engine, waiting: dict[str, Any]) -> None:
    # Someone who takes no part in the instance is told it does not exist, as GET tells them.
    status, answer = trigger(api, waiting["id"], "bob", element_id="wait")
    assert status == 404 and answer["error"]["message"] == f"no process instance {waiting['id']}"
    assert api.get(f"/api/process-instances/{waiting['id']}", "bob")[0] == 404
    assert api.get(f"/api/process-instances/{waiting['id']}")[1]["status"] == "waiting"  # unchanged
    assert trigger(api, waiting["id"], "carol", element_id="wait")[1]["status"] == "completed"  # her own

    other = api.post("/api/process-definitions/p/start", "carol", json={"variables": {"amount": 1}})[1]
    engine.accounts.create_user("payments", None, groups=["integrations"])
    token, _view = engine.accounts.create_token("payments")
    answer = api.client.post(
        f"/api/process-instances/{other['id']}/trigger",
        json={"element_id": "wait"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200 and answer.get_json()["status"] == "completed"
    assert trigger(api, waiting["id"], None, element_id="wait")[0] == 401


def test_the_openapi_document_describes_it(api: Api) -> None:
    operation = api.get("/api/openapi.json")[1]["paths"]["/api/process-instances/{instance_id}/trigger"][
        "post"
    ]
    assert {"200", "400", "404", "409"} <= set(operation["responses"])
    document = api.get("/api/openapi.json")[1]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TriggerIn")
    trigger_in = document["components"]["schemas"]["TriggerIn"]
    assert trigger_in["required"] == ["element_id"]
    assert set(trigger_in["properties"]) == {"element_id", "variables", "task_id"}
