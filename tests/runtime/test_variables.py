"""Variables are JSON: refused where they enter, with nothing half-saved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine import Engine, VariablesNotJson
from engine.errors import InvalidInput, MicroflowFailed
from engine.variables import check_variables

from ..builders import flow, model
from ..conftest import MODELS, complete, deploy

HOLD = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "hold")
    + '<bpmn:userTask id="hold"/>'
    + flow("hold", "e")
    + '<bpmn:endEvent id="e"/>'
)


@pytest.mark.parametrize(
    ("value", "where"),
    [({1, 2}, "set"), (datetime(2026, 1, 1), "datetime"), (float("nan"), "finite"), ({1: "x"}, "keys")],
)
def test_non_json_values_are_named(value, where: str) -> None:
    with pytest.raises(VariablesNotJson, match=where):
        check_variables({"v": {"inner": [value]}})


def test_start_refuses_non_json_variables_and_saves_nothing(engine: Engine) -> None:
    deploy(engine, "script.bpmn")
    with pytest.raises(VariablesNotJson, match="variable 'a'"):
        engine.runtime.start("script", {"a": object(), "b": 1})
    assert engine.runtime.list()["total"] == 0


def test_a_script_that_makes_a_non_json_value_fails_its_step(engine: Engine) -> None:
    xml = (MODELS / "script.bpmn").read_bytes().replace(b"doubled = total * 2", b"doubled = {total}")
    engine.repository.deploy({"script.bpmn": xml})
    with pytest.raises(VariablesNotJson, match="variable 'doubled'"):
        engine.runtime.start("script", {"a": 1, "b": 2})
    assert engine.runtime.list()["total"] == 0


def test_variables_must_be_an_object(engine: Engine) -> None:
    deploy(engine, "script.bpmn")
    with pytest.raises(VariablesNotJson, match="JSON object"):
        engine.runtime.start("script", ["not", "a", "dict"])  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800", "x" * 256])
def test_business_keys_and_message_names_refuse_unstorable_text(engine: Engine, bad: str) -> None:
    from engine.errors import InvalidInput

    deploy(engine, "exclusive.bpmn")
    with pytest.raises(InvalidInput, match="business_key"):
        engine.runtime.start("exclusive", {}, business_key=bad)
    with pytest.raises(InvalidInput, match="message"):
        engine.messages.correlate(bad)
    assert engine.runtime.list()["total"] == 0


@pytest.mark.parametrize("name", ["lane_owners", "_fb_var", "__class__"])
def test_variables_that_steer_the_engine_are_refused_from_outside(engine: Engine, name: str) -> None:
    engine.repository.deploy({"p.bpmn": model(HOLD)})
    with pytest.raises(InvalidInput, match=f"variable '{name}' is the engine's own"):
        engine.runtime.start("p", {name: {"clerks": ["me"]}})
    instance = engine.runtime.start("p", {})
    with pytest.raises(InvalidInput, match=f"variable '{name}' is the engine's own"):
        complete(engine, instance, "hold", **{name: 1})
    with pytest.raises(InvalidInput, match=f"variable '{name}' is the engine's own"):
        engine.signals.broadcast("any", {name: 1})
    with pytest.raises(InvalidInput, match=f"variable '{name}' is the engine's own"):
        engine.messages.correlate("any", variables={name: 1})
    assert engine.runtime.get(instance["id"])["status"] == "waiting"  # nothing reached the instance


def test_a_microflow_result_that_sets_an_engine_variable_fails(engine: Engine, microflows: Any) -> None:
    microflows("make_me_owner", lambda: {"lane_owners": {"approvers": ["mallory"]}})
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "svc")
        + '<bpmn:serviceTask id="svc" camunda:type="external" camunda:topic="make_me_owner"/>'
        + flow("svc", "e")
        + '<bpmn:endEvent id="e"/>'
    )
    engine.repository.deploy({"p.bpmn": model(body)})
    refused = "task 'svc': the result of microflow 'make_me_owner': variable 'lane_owners'"
    with pytest.raises(MicroflowFailed, match=refused):
        engine.runtime.start("p", {})
    assert engine.runtime.list()["total"] == 0  # nothing was saved
