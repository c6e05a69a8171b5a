"""Scripts of Camunda 7 (and Flowable) models run as Camunda runs them: Python with `execution`
bound and the script's own names never stored (engine.expressions.execution), JUEL where no
scriptFormat is given, and a source that is an expression taken from it."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, StepFailed

HEADS = {
    "camunda7": 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
    "flowable": 'xmlns:flowable="http://flowable.org/bpmn"',
    "bpmn": "",
}


def run(
    engine: Engine,
    script: str,
    dialect: str = "camunda7",
    variables: dict[str, Any] | None = None,
    attributes: str = 'scriptFormat="python"',
    business_key: str | None = None,
) -> dict[str, Any]:
    """Deploy a process whose script task `t` runs `script`, start it; the instance (waiting at `w`)."""
    body = (
        f'<startEvent id="s"/><scriptTask id="t" {attributes}>'
        f"<script><![CDATA[{script}]]></script></scriptTask>"
        '<userTask id="w"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        '<sequenceFlow id="f2" sourceRef="t" targetRef="w"/>'
    )
    xml = (
        f'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" {HEADS[dialect]} id="d" '
        f'targetNamespace="t"><process id="p" isExecutable="true">{body}</process></definitions>'
    )
    engine.repository.deploy({"p.bpmn": xml.encode()})
    started: dict[str, Any] = engine.runtime.start("p", variables or {}, business_key=business_key)
    return started


@pytest.mark.parametrize("dialect", ["camunda7", "flowable"])
def test_only_set_variable_stores_a_variable(engine: Engine, dialect: str) -> None:
    script = (
        "own = amount * 2\n"
        "execution.setVariable('doubled', own)\n"
        "execution.setVariable('had', [execution.hasVariable('amount'), execution.hasVariable('nope')])\n"
        "execution.setVariable('read', execution.getVariable('doubled'))\n"
        "execution.setVariable('names', sorted(execution.getVariables()))"
    )
    variables = run(engine, script, dialect, {"amount": 21})["variables"]
    assert variables["doubled"] == 42 and variables["read"] == 42
    assert variables["had"] == [True, False]
    assert variables["names"] == ["amount", "doubled", "had", "read"]
    assert "own" not in variables


def test_a_name_set_through_execution_reads_back_until_the_script_assigns_its_own(engine: Engine) -> None:
    script = (
        "execution.setVariable('foo', 'a')\n"
        "first = foo\n"
        "foo = 'b'\n"
        "execution.setVariable('seen', [first, foo, execution.getVariable('foo')])"
    )
    variables = run(engine, script)["variables"]
    assert variables["seen"] == ["a", "b", "a"] and variables["foo"] == "a"


def test_execution_shows_the_instance_and_the_activity(engine: Engine) -> None:
    script = (
        "execution.setVariable('key', execution.processBusinessKey)\n"
        "execution.setVariable('where', execution.getActivityId())\n"
        "execution.setVariable('same', execution.getProcessInstanceId() == execution.processInstanceId)"
    )
    variables = run(engine, script, business_key="order-7")["variables"]
    assert variables == {"key": "order-7", "where": "t", "same": True}


def test_set_variable_refuses_what_is_not_json(engine: Engine) -> None:
    with pytest.raises(StepFailed) as failed:
        run(engine, "execution.setVariable('when', set())")
    assert "variable 'when' is not JSON" in failed.value.message


def test_plain_bpmn_scripts_keep_storing_their_names(engine: Engine) -> None:
    assert run(engine, "own = 1", dialect="bpmn")["variables"] == {"own": 1}


def test_a_script_without_script_format_is_juel_with_its_result_variable(engine: Engine) -> None:
    attributes = 'camunda:resultVariable="total"'
    started = run(engine, "${amount + 1}", variables={"amount": 1}, attributes=attributes)
    assert started["variables"]["total"] == 2 and [t["element_id"] for t in started["tasks"]] == ["w"]
    juel = run(engine, "#{execution.setVariable('flag', amount > 0)}", variables={"amount": 1}, attributes="")
    assert juel["variables"]["flag"] is True


def test_a_script_without_script_format_that_is_no_juel_runs_as_spiffworkflow_runs_it(engine: Engine) -> None:
    # Camunda would evaluate it as literal text; SpiffWorkflow's models drawn in Camunda Modeler mean Python.
    assert run(engine, "x = 1", attributes="")["variables"] == {"x": 1}


def test_a_python_source_that_is_an_expression_comes_from_it(engine: Engine) -> None:
    variables = run(engine, "${source}", variables={"source": "execution.setVariable('foo', 'bar')"})[
        "variables"
    ]
    assert variables["foo"] == "bar"
    with pytest.raises(StepFailed) as failed:
        run(engine, "${source}", variables={"source": 42})
    assert "not text" in failed.value.message
