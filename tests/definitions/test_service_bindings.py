"""How Camunda 7 and Flowable service tasks name their microflow (issue 14 point 5): a class by its
full or simple name, a delegate expression by its bean, a method expression by `bean.method` with
its arguments in order and its value in `camunda:resultVariable`."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.definitions.dialects.camunda7 import split_arguments
from engine.errors import StepFailed

from ..builders import flow, model


def _service(attributes: str) -> bytes:
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "work")
        + f'<bpmn:serviceTask id="work" {attributes}/>'
        + flow("work", "e")
        + '<bpmn:endEvent id="e"/>'
    )
    return model(body)


def _run(engine: Engine, attributes: str, **variables: Any) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": _service(attributes)})
    return engine.runtime.start("p", variables)


def test_a_class_is_found_by_its_full_name_first(engine: Engine, microflows: Any) -> None:
    microflows("com.acme.SendReminderDelegate", lambda: {"sent_by": "full"})
    microflows("SendReminderDelegate", lambda: {"sent_by": "simple"})
    done = _run(engine, 'camunda:class="com.acme.SendReminderDelegate"')
    assert done["variables"]["sent_by"] == "full"


def test_a_class_falls_back_to_its_simple_name(engine: Engine, microflows: Any) -> None:
    microflows("SendReminderDelegate", lambda: {"sent_by": "simple"})
    done = _run(engine, 'camunda:class="com.acme.SendReminderDelegate"')
    assert done["variables"]["sent_by"] == "simple"


def test_an_unregistered_class_fails_naming_both_names(engine: Engine) -> None:
    with pytest.raises(StepFailed) as failed:
        _run(engine, 'camunda:class="com.acme.Missing"')
    assert "'com.acme.Missing' (nor 'Missing')" in failed.value.message


def test_a_delegate_expression_names_its_bean(engine: Engine, microflows: Any) -> None:
    microflows("reminderBean", lambda: {"reminded": True})
    assert _run(engine, 'camunda:delegateExpression="${reminderBean}"')["variables"]["reminded"] is True


def test_a_method_expression_calls_bean_method_with_its_arguments_in_order(
    engine: Engine, microflows: Any
) -> None:
    def quote(amount: int, currency: str, rush: bool = False) -> dict[str, Any]:
        return {"text": f"{amount} {currency}", "rush": rush}

    microflows("pricing.quote", quote)
    expression = "${pricing.quote(order.amount * 2, 'EUR, net', true)}"
    done = _run(
        engine, f'camunda:expression="{expression}" camunda:resultVariable="offer"', order={"amount": 21}
    )
    assert done["variables"]["offer"] == {"text": "42 EUR, net", "rush": True}
    assert "text" not in done["variables"]  # the value goes to the result variable only


def test_a_method_expression_without_a_result_variable_keeps_no_value(
    engine: Engine, microflows: Any
) -> None:
    microflows("audit.log", lambda message: {"logged": message})
    done = _run(engine, "camunda:expression=\"${audit.log('started')}\"")
    assert done["status"] == "completed" and "logged" not in done["variables"]


def test_too_many_arguments_fail_naming_the_parameters(engine: Engine, microflows: Any) -> None:
    microflows("audit.log", lambda message: None)
    with pytest.raises(StepFailed, match=r"with 2 arguments; it takes 1 \(message\)"):
        _run(engine, "camunda:expression=\"${audit.log('a', 'b')}\"")


def test_flowable_class_names_the_microflow_the_same_way(engine: Engine, microflows: Any) -> None:
    microflows("NotifyDelegate", lambda: {"notified": True})
    xml = _service('flowable:class="org.example.NotifyDelegate"').replace(
        b'id="d" targetNamespace="t"', b'id="d" targetNamespace="t" xmlns:flowable="http://flowable.org/bpmn"'
    )
    engine.repository.deploy({"p.bpmn": xml})
    assert engine.runtime.start("p", {})["variables"]["notified"] is True


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a, b", ["a", "b"]),
        ("f(a, b), 'x,y', [1, 2]", ["f(a, b)", "'x,y'", "[1, 2]"]),
        ('"a\\"", b', ['"a\\""', "b"]),
        ("", []),
    ],
)
def test_arguments_split_at_top_level_commas(text: str, parts: list[str]) -> None:
    assert split_arguments(text) == parts
