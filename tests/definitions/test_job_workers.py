"""Zeebe job workers on every element with a `zeebe:taskDefinition`, and the task headers they read."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.microflows import call_context
from engine.workers import Worker

from ..builders import flow, model

JOB = (
    '<bpmn:extensionElements><zeebe:taskDefinition type="notify" retries="1"/>'
    '<zeebe:taskHeaders><zeebe:header key="channel" value="email"/>'
    '<zeebe:header key="template" value="reminder"/></zeebe:taskHeaders></bpmn:extensionElements>'
)
MESSAGE = '<bpmn:message id="m" name="reminder"/>'


def with_message(xml: bytes) -> bytes:
    return xml.replace(b"</bpmn:process>", f"</bpmn:process>{MESSAGE}".encode())


ELEMENTS = {
    "sendTask": f'<bpmn:sendTask id="t">{JOB}</bpmn:sendTask>',
    "scriptTask": f'<bpmn:scriptTask id="t">{JOB}</bpmn:scriptTask>',
    "businessRuleTask": f'<bpmn:businessRuleTask id="t">{JOB}</bpmn:businessRuleTask>',
    "intermediateThrowEvent": (
        f'<bpmn:intermediateThrowEvent id="t">{JOB}<bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:intermediateThrowEvent>"
    ),
}


@pytest.fixture
def notify(microflows: Any) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def run(n: int) -> dict[str, Any]:
        context = call_context()
        assert context is not None
        calls.append({"n": n, "headers": context.headers, "element": context.element_id})
        return {"notified": n + 1}

    microflows("notify", run)
    return calls


@pytest.mark.parametrize("kind", sorted(ELEMENTS))
def test_an_element_with_a_task_definition_calls_its_job_worker(
    engine: Engine, notify: list[dict[str, Any]], kind: str
) -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + ELEMENTS[kind]
        + '<bpmn:endEvent id="e"/>'
        + flow("s", "t")
        + flow("t", "e")
    )
    engine.repository.deploy({"p.bpmn": with_message(model(body))})
    done = engine.runtime.start("p", {"n": 4})
    assert done["status"] == "completed"
    assert done["variables"]["notified"] == 5
    assert notify == [{"n": 4, "headers": {"channel": "email", "template": "reminder"}, "element": "t"}]


def test_a_message_end_event_with_a_task_definition_is_a_job_and_then_ends(
    engine: Engine, notify: list[dict[str, Any]]
) -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:endEvent id="t">{JOB}<bpmn:messageEventDefinition messageRef="m"/></bpmn:endEvent>'
        + flow("s", "t")
    )
    engine.repository.deploy({"p.bpmn": with_message(model(body))})
    done = engine.runtime.start("p", {"n": 1})
    assert done["status"] == "completed"
    assert done["variables"]["notified"] == 2
    assert [c["element"] for c in notify] == ["t"]


def test_an_async_job_worker_gets_the_headers_too(engine: Engine, microflows: Any) -> None:
    seen: list[dict[str, str]] = []

    def run() -> dict[str, Any]:
        context = call_context()
        assert context is not None
        seen.append(context.headers)
        return {}

    microflows("notify", run, mode="async")
    body = (
        '<bpmn:startEvent id="s"/>'
        + ELEMENTS["sendTask"]
        + '<bpmn:endEvent id="e"/>'
        + flow("s", "t")
        + flow("t", "e")
    )
    engine.repository.deploy({"p.bpmn": with_message(model(body))})
    started = engine.runtime.start("p", {})
    assert started["status"] == "waiting"
    Worker(engine, concurrency=1).run_until_idle()
    assert engine.runtime.get(started["id"])["status"] == "completed"
    assert seen == [{"channel": "email", "template": "reminder"}]
