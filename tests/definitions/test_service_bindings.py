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


CAMUNDA7 = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
    '<bpmn:process id="p" isExecutable="true">{}</bpmn:process></bpmn:definitions>'
)


def test_bean_calls_in_assignee_candidates_and_due_date_run_once_as_the_task_is_created(
    engine: Engine, microflows: Any
) -> None:
    calls: list[str] = []

    def manager_of(employee: str) -> str:
        calls.append(employee)
        return f"boss-of-{employee}"

    microflows("ldap.managerOf", manager_of)
    microflows("calendar.inTwoDays", lambda: "2026-12-05T09:00:00+00:00")
    task = (
        '<bpmn:userTask id="t" camunda:assignee="${ldap.managerOf(employee)}" '
        'camunda:candidateGroups="${ldap.managerOf(\'team\')}" camunda:dueDate="${calendar.inTwoDays()}"/>'
    )
    engine.repository.deploy(
        {"p.bpmn": CAMUNDA7.format('<bpmn:startEvent id="s"/>' + task + flow("s", "t")).encode()}
    )
    started = engine.runtime.start("p", {"employee": "ada"})
    shown = engine.tasks.get(started["tasks"][0]["id"])
    assert shown["assignee"] == "boss-of-ada"
    assert shown["candidate_groups"] == ["boss-of-team"]
    assert str(shown["due_at"]).startswith("2026-12-05")
    engine.tasks.get(started["tasks"][0]["id"])
    assert sorted(calls) == ["ada", "team"]  # once each, when the task was created; not on every view


def test_async_after_continues_the_flow_in_a_job(engine: Engine, microflows: Any) -> None:
    """`camunda:asyncAfter`: the step ends after the element; a worker's job runs what follows."""
    from engine.workers import Worker

    microflows("stamp", lambda: {"stamped": True})
    task = '<bpmn:serviceTask id="t" camunda:class="stamp" camunda:asyncAfter="true"/>'
    body = (
        '<bpmn:startEvent id="s"/>' + task + '<bpmn:userTask id="next"/>' + flow("s", "t") + flow("t", "next")
    )
    engine.repository.deploy({"p.bpmn": CAMUNDA7.format(body).encode()})
    started = engine.runtime.start("p", {})
    assert started["status"] == "waiting" and started["tasks"] == []
    assert started["variables"]["stamped"] is True  # the task itself ran in the start's step
    assert [j["microflow"] for j in engine.runtime.get(started["id"])["jobs"]] == ["flowbridge.continue"]
    Worker(engine, concurrency=1).run_until_idle()
    assert [t["element_id"] for t in engine.runtime.get(started["id"])["tasks"]] == ["next"]
