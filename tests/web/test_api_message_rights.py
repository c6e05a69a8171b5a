"""Who may send a message or a signal (DESIGN §6a): an administrator, a member of the integrations
group, or someone who takes part in every instance it reaches (they started it, or have or had a
task in it); one that starts a process needs the right to start it."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine

from ..builders import flow, model
from ..conftest import Api

WAITS = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "fork")
    + '<bpmn:parallelGateway id="fork"/>'
    + flow("fork", "paid")
    + '<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m"/>'
    + "</bpmn:intermediateCatchEvent>"
    + flow("paid", "pe")
    + '<bpmn:endEvent id="pe"/>'
    + flow("fork", "alarm")
    + '<bpmn:intermediateCatchEvent id="alarm"><bpmn:signalEventDefinition signalRef="a"/>'
    + "</bpmn:intermediateCatchEvent>"
    + flow("alarm", "ae")
    + '<bpmn:endEvent id="ae"/>'
)
ROOT = '<bpmn:message id="m" name="payment_received"/><bpmn:signal id="a" name="alarm"/>'


@pytest.fixture
def order(api: Api) -> dict[str, Any]:
    """An instance carol started, waiting for message payment_received and signal alarm."""
    xml = model(WAITS, key="order").replace(b"</bpmn:definitions>", ROOT.encode() + b"</bpmn:definitions>")
    assert api.deploy(("order.bpmn", xml))[0] == 201
    status, instance = api.post("/api/process-definitions/order/start", "carol", json={})
    assert status == 201
    return instance


@pytest.mark.parametrize(
    ("path", "body"), [("/api/messages", {"name": "payment_received"}), ("/api/signals", {"name": "alarm"})]
)
def test_a_user_may_not_send_to_an_instance_they_take_no_part_in(
    api: Api, order: dict[str, Any], path: str, body: dict[str, Any]
) -> None:
    status, answer = api.post(path, "bob", json=body)
    assert status == 403 and "bob may not send" in answer["error"]["message"]
    assert "take no part in" in answer["error"]["message"]
    assert api.get(f"/api/process-instances/{order['id']}")[1]["status"] == "waiting"  # nothing reached it


@pytest.mark.parametrize(
    ("path", "body"), [("/api/messages", {"name": "payment_received"}), ("/api/signals", {"name": "alarm"})]
)
def test_its_starter_an_administrator_and_the_integrations_group_may(
    api: Api, engine: Engine, order: dict[str, Any], path: str, body: dict[str, Any]
) -> None:
    assert api.post(path, "carol", json=body)[1]["delivered_to"] == [order["id"]]  # she started it
    api.post("/api/process-definitions/order/start", "carol", json={})
    assert len(api.post(path, "ada", json=body)[1]["delivered_to"]) == 1  # an administrator
    api.post("/api/process-definitions/order/start", "carol", json={})
    engine.accounts.create_user("payments", None, groups=["integrations"])
    token, _view = engine.accounts.create_token("payments")
    answer = api.client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and len(answer.get_json()["delivered_to"]) == 1


def test_a_message_that_starts_a_process_needs_the_right_to_start_it(api: Api) -> None:
    body = (
        '<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>'
        + flow("s", "t")
        + '<bpmn:userTask id="t"/>'
        + flow("t", "e")
        + '<bpmn:endEvent id="e"/>'
    )
    xml = model(body, key="orders").replace(b"</bpmn:definitions>", ROOT.encode() + b"</bpmn:definitions>")
    xml = xml.replace(
        b'<bpmn:process id="orders" ', b'<bpmn:process id="orders" camunda:candidateStarterGroups="managers" '
    )
    api.deploy(("orders.bpmn", xml))
    status, answer = api.post("/api/messages", "bob", json={"name": "payment_received"})
    assert status == 403 and "bob may not start process 'orders'" in answer["error"]["message"]
    assert api.post("/api/messages", "carol", json={"name": "payment_received"})[0] == 200
