"""Camunda 7's field injection (`camunda:field`): the values reach the microflow a service task or a
listener calls as inputs named by the field and as `call_context().fields` (engine.definitions.fields)."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, InvalidModel
from engine.microflows import call_context
from engine.workers import Worker

CAMUNDA = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
    '<bpmn:process id="p" isExecutable="true">{}</bpmn:process></bpmn:definitions>'
)
FIELDS = (
    '<camunda:field name="greeting" stringValue="Hello"/>'
    '<camunda:field name="who"><camunda:expression>${first} ${last}</camunda:expression></camunda:field>'
    '<camunda:field name="fixed"><camunda:string>${not evaluated}</camunda:string></camunda:field>'
)


def deploy(engine: Engine, task: str) -> None:
    body = (
        '<bpmn:startEvent id="s"/>' + task + '<bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>'
    )
    engine.repository.deploy({"p.bpmn": CAMUNDA.format(body).encode()})


def service(attributes: str, fields: str = FIELDS) -> str:
    extensions = f"<bpmn:extensionElements>{fields}</bpmn:extensionElements>"
    return f'<bpmn:serviceTask id="t" {attributes}>{extensions}</bpmn:serviceTask>'


def greet(greeting: str, who: str, fixed: str, **variables: Any) -> dict[str, Any]:
    context = call_context()
    assert context is not None
    return {
        "said": f"{greeting}, {who}",
        "fixed": fixed,
        "seen": context.fields,
        "first_seen": variables["first"],
    }


VARIABLES = {"first": "Ada", "last": "Lovelace"}


@pytest.mark.parametrize(
    "attributes", ['camunda:class="com.acme.Greeter"', 'camunda:delegateExpression="${Greeter}"']
)
def test_a_delegate_gets_its_fields_over_the_variables(
    engine: Engine, microflows: Any, attributes: str
) -> None:
    microflows("Greeter", greet)
    deploy(engine, service(attributes))
    variables = engine.runtime.start("p", dict(VARIABLES))["variables"]
    assert variables["said"] == "Hello, Ada Lovelace"
    assert variables["fixed"] == "${not evaluated}"  # camunda:string is fixed text, as in Camunda
    assert variables["seen"] == {"greeting": "Hello", "who": "Ada Lovelace", "fixed": "${not evaluated}"}
    assert variables["first_seen"] == "Ada"
    assert "greeting" not in variables  # a field is an input, not a variable


def test_a_field_expression_may_call_a_bean(engine: Engine, microflows: Any) -> None:
    microflows("Echo", lambda text, **_: {"echoed": text})
    microflows("names.upper", lambda name: name.upper())
    fields = '<camunda:field name="text" expression="${names.upper(first)}"/>'
    deploy(engine, service('camunda:class="Echo"', fields))
    assert engine.runtime.start("p", dict(VARIABLES))["variables"]["echoed"] == "ADA"


def test_an_async_delegate_gets_its_fields_in_the_job(engine: Engine, microflows: Any) -> None:
    microflows("Greeter", greet, mode="async")
    deploy(engine, service('camunda:class="Greeter"'))
    started = engine.runtime.start("p", dict(VARIABLES))
    assert started["status"] == "waiting"
    Worker(engine, concurrency=1).run_until_idle()
    variables = engine.runtime.get(started["id"])["variables"]
    assert variables["said"] == "Hello, Ada Lovelace"
    assert variables["seen"]["who"] == "Ada Lovelace"


def test_a_listener_gets_its_fields(engine: Engine, microflows: Any) -> None:
    microflows("Greeter", greet)
    listener = (
        f'<camunda:executionListener event="start" class="Greeter">{FIELDS}</camunda:executionListener>'
    )
    deploy(
        engine, f'<bpmn:task id="t"><bpmn:extensionElements>{listener}</bpmn:extensionElements></bpmn:task>'
    )
    variables = engine.runtime.start("p", dict(VARIABLES))["variables"]
    assert variables["said"] == "Hello, Ada Lovelace"
    assert variables["seen"]["greeting"] == "Hello"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ('<camunda:field name="x"/>', "field 'x' has no value"),
        (
            '<camunda:field name="x" stringValue="a"><camunda:string>b</camunda:string></camunda:field>',
            "both the attribute 'stringValue' and the element 'string'",
        ),
        ('<camunda:field name="x" expression="${a +}"/>', "field 'x'"),
    ],
)
def test_a_field_camunda_refuses_is_refused_at_deploy(engine: Engine, fields: str, words: str) -> None:
    with pytest.raises(InvalidModel) as refused:
        deploy(engine, service('camunda:class="Greeter"', fields))
    assert words in refused.value.message and "'t'" in refused.value.message


@pytest.mark.parametrize(
    "attribute", ['camunda:class="com.acme.Greeter"', 'camunda:delegateExpression="${g}"']
)
def test_a_result_variable_beside_a_delegate_is_refused_as_camunda_refuses_it(
    engine: Engine, attribute: str
) -> None:
    with pytest.raises(InvalidModel) as refused:
        deploy(engine, f'<bpmn:serviceTask id="t" {attribute} camunda:resultVariable="r"/>')
    assert "camunda:resultVariable is not supported" in refused.value.message
    assert "serviceTask 't'" in refused.value.message
