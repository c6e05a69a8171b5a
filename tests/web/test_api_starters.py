"""Who may start a process (DESIGN §6a): the model's candidateStarterUsers / candidateStarterGroups,
checked in the engine for the API, the pages and the CLI; an API start passes the start form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import select, text

from engine import Engine
from engine.store.database import Database
from engine.store.models import ProcessDefinition
from engine.store.schema import alembic_config

from ..builders import flow, model
from ..conftest import Api
from .test_pages import Site

BODY = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "t")
    + '<bpmn:userTask id="t"/>'
    + flow("t", "e")
    + '<bpmn:endEvent id="e"/>'
)
FORM = (
    '<bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>'
    '<camunda:formField id="amount" label="Amount" type="long"><camunda:validation>'
    '<camunda:constraint name="required"/><camunda:constraint name="min" config="1"/>'
    "</camunda:validation></camunda:formField></camunda:formData></bpmn:extensionElements></bpmn:startEvent>"
    + flow("s", "t")
    + '<bpmn:userTask id="t"/>'
    + flow("t", "e")
    + '<bpmn:endEvent id="e"/>'
)


def restricted(attributes: str = 'camunda:candidateStarterGroups="managers"', extensions: str = "") -> bytes:
    xml = model(extensions + BODY, key="orders")
    return xml.replace(b'<bpmn:process id="orders" ', f'<bpmn:process id="orders" {attributes} '.encode())


@pytest.mark.parametrize(
    ("attributes", "extensions"),
    [
        ('camunda:candidateStarterGroups="managers"', ""),
        (
            "",
            '<bpmn:extensionElements><zeebe:properties><zeebe:property name="candidateStarterGroups" '
            'value="managers"/></zeebe:properties></bpmn:extensionElements>',
        ),
    ],
    ids=["camunda7-attribute", "zeebe-property"],
)
def test_only_the_models_starters_and_administrators_may_start(
    api: Api, attributes: str, extensions: str
) -> None:
    assert api.deploy(("orders.bpmn", restricted(attributes, extensions)))[0] == 201
    status, body = api.post("/api/process-definitions/orders/start", "bob", json={})
    assert (
        status == 403
        and "bob may not start process 'orders': it is started by group managers" in body["error"]["message"]
    )
    assert api.post("/api/process-definitions/orders/start", "carol", json={})[0] == 201  # a manager
    assert api.post("/api/process-definitions/orders/start", "ada", json={})[0] == 201  # an administrator
    [definition] = api.get("/api/process-definitions", "bob")[1]
    assert definition["starters"] == {"users": [], "groups": ["managers"]}


def test_a_named_starter_may_start(api: Api) -> None:
    api.deploy(("orders.bpmn", restricted('camunda:candidateStarterUsers="bob, dora"')))
    assert api.post("/api/process-definitions/orders/start", "bob", json={})[0] == 201
    assert api.post("/api/process-definitions/orders/start", "carol", json={})[0] == 403


def test_an_api_start_passes_the_start_form(api: Api) -> None:
    api.deploy(("p.bpmn", model(FORM)))
    status, body = api.post("/api/process-definitions/p/start", "bob", json={"variables": {}})
    assert status == 422 and "amount" in body["error"]["details"]["fields"]
    status, body = api.post("/api/process-definitions/p/start", "bob", json={"variables": {"amount": 0}})
    assert status == 422 and "amount" in body["error"]["details"]["fields"]
    status, body = api.post(
        "/api/process-definitions/p/start", "bob", json={"variables": {"amount": "42", "x": 1}}
    )
    assert status == 201 and body["variables"] == {"amount": 42, "x": 1}  # coerced; other variables pass


def test_the_pages_offer_and_start_only_what_the_user_may_start(engine: Engine) -> None:
    site = Site(engine)
    site.deploy(("orders.bpmn", restricted()), ("hello.bpmn", model(BODY, key="hello")))
    bob = site.browser("bob")
    listing = bob.get("/processes").get_data(as_text=True)
    assert "/processes/hello/start" in listing and "/processes/orders/start" not in listing
    assert bob.get("/processes/orders/start").status_code == 403
    assert bob.post("/processes/orders/start", {}).status_code == 403
    carol = site.browser("carol")
    assert "/processes/orders/start" in carol.get("/processes").get_data(as_text=True)


def test_the_upgrade_reads_the_starters_of_definitions_deployed_before(database_url: str) -> None:
    db = Database(database_url)
    try:
        config = alembic_config(db)
        command.upgrade(config, "0009")
        table = ProcessDefinition.__table__
        row = {
            "key": "orders",
            "version": 1,
            "source_name": "orders.bpmn",
            "source_xml": restricted().decode(),
            "checksum": "x",
            "spec": "{}",
            "dialect": "camunda7",
            "deployed_at": datetime.now(UTC),
        }
        with db.engine.begin() as conn:  # the table as it was at 0009, without `starters`
            conn.execute(
                text(
                    "INSERT INTO process_definitions (key, version, source_name, source_xml, checksum, "
                    "spec, dialect, deployed_at) VALUES (:key, :version, :source_name, :source_xml, "
                    ":checksum, :spec, :dialect, :deployed_at)"
                ),
                row,
            )
        command.upgrade(config, "head")
        with db.engine.connect() as conn:
            [starters] = conn.execute(select(table.c.starters)).scalars().all()
        assert starters == {"users": [], "groups": ["managers"]}
    finally:
        db.dispose()
