"""Who may call a microflow alone (DESIGN §6a): administrators; everyone for `expose=True`; the
groups of `expose=[...]`; and whoever may fill, right now, a form that names it."""

from __future__ import annotations

from typing import Any

import pytest

from ..builders import flow, model
from ..conftest import Api

FIELD = (
    '<camunda:formField id="customer" label="Customer" type="string"><camunda:properties>'
    '<camunda:property id="microflow" value="lookup"/></camunda:properties></camunda:formField>'
)
FORMS = (
    f'<bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>{FIELD}</camunda:formData>'
    "</bpmn:extensionElements></bpmn:startEvent>"
    + flow("s", "review")
    + '<bpmn:userTask id="review" camunda:candidateGroups="clerks"><bpmn:extensionElements>'
    f"<camunda:formData>{FIELD}</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
    + flow("review", "e")
    + '<bpmn:endEvent id="e"/>'
)


@pytest.fixture
def flows(microflows: Any) -> None:
    microflows("lookup", lambda customer="": {"name": f"found {customer}"})
    microflows("for_clerks", lambda: "clerks only", expose=("clerks",))
    microflows("for_all", lambda: "everyone", expose=True)


def call(api: Api, name: str, user: str, **body: Any) -> tuple[int, Any]:
    return api.post(f"/api/microflows/{name}/call", user, json={"input": {}, **body})


def test_an_unexposed_microflow_is_for_administrators(api: Api, flows: None) -> None:
    status, body = call(api, "lookup", "bob")
    assert status == 403 and "microflow 'lookup' is not exposed to bob" in body["error"]["message"]
    assert call(api, "lookup", "ada")[0] == 200
    assert call(api, "nope", "bob")[0] == 404


def test_exposure_to_everyone_and_to_groups(api: Api, flows: None) -> None:
    assert call(api, "for_all", "carol")[1] == {"result": "everyone"}
    assert call(api, "for_clerks", "bob")[1] == {"result": "clerks only"}  # bob is a clerk
    assert call(api, "for_clerks", "carol")[0] == 403  # carol is a manager


def test_a_form_the_caller_may_fill_now_lets_them_call_its_microflows(api: Api, flows: None) -> None:
    assert api.deploy(("p.bpmn", model(FORMS)))[0] == 201
    # The start form names it: anyone who may start the process may call it from there.
    status, body = call(api, "lookup", "carol", process_key="p", input={"customer": "C-1"})
    assert (status, body) == (200, {"result": {"name": "found C-1"}})
    status, instance = api.post(
        "/api/process-definitions/p/start", "carol", json={"variables": {"customer": "C"}}
    )
    [task] = instance["tasks"]
    # The review's form names it too, but the review is the clerks' task: not carol's to fill.
    status, body = call(api, "lookup", "carol", task_id=task["id"])
    assert status == 403 and f"task {task['id']} is not open for carol" in body["error"]["message"]
    assert call(api, "lookup", "bob", task_id=task["id"])[0] == 200
    # A form that does not name the microflow lets nobody call it.
    status, body = call(api, "for_clerks", "carol", task_id=task["id"])
    assert status == 403
    api.post(f"/api/tasks/{task['id']}/complete", "bob", json={"variables": {"customer": "C"}})
    assert call(api, "lookup", "bob", task_id=task["id"])[0] == 403  # done: the form is gone
