"""Variables are JSON: refused where they enter, with nothing half-saved."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine import Engine, VariablesNotJson
from engine.variables import check_variables

from ..conftest import MODELS, deploy


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
