"""Sync microflows in service tasks: the three dialects, inputs and outputs, failures and BpmnError."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import BpmnError, Engine, MicroflowFailed, call_context
from engine.microflows import Microflow, MicroflowRegistry, load_modules

from .conftest import complete, deploy


def add(a: int, b: int) -> int:
    """Adds two numbers."""
    return a + b


@pytest.mark.parametrize("key", ["service_spiff", "service_camunda7", "service_zeebe"])
def test_each_dialect_calls_the_microflow_with_mapped_inputs(engine: Engine, microflows, key: str) -> None:
    microflows("add", add)
    deploy(engine, f"{key}.bpmn")
    inst = engine.runtime.start(key, {"x": 2, "y": 40})
    assert inst["variables"]["sum"] == 42
    assert complete(engine, inst, "show")["status"] == "completed"


def test_camunda_delegate_expression_gets_all_variables_and_merges_a_dict(engine: Engine, microflows) -> None:
    seen = {}

    def merge_flags(**variables):
        seen.update(variables)
        return {"flagged": True, "count": len(variables)}

    microflows("merge_flags", merge_flags)
    deploy(engine, "service_camunda7_expr.bpmn")
    inst = engine.runtime.start("service_camunda7_expr", {"a": 1, "b": "two"})
    assert seen == {"a": 1, "b": "two"}
    assert inst["variables"]["flagged"] is True
    assert inst["variables"]["count"] == 2


def test_a_raising_microflow_rolls_the_step_back_and_names_task_and_microflow(
    engine: Engine, microflows
) -> None:
    calls = []

    def add_or_fail(a: int, b: int) -> int:
        calls.append((a, b))
        if calls[-1] == (0, 0):
            raise RuntimeError("backend down")
        return a + b

    microflows("add", add_or_fail)
    deploy(engine, "service_spiff.bpmn")
    with pytest.raises(MicroflowFailed) as err:
        engine.runtime.start("service_spiff", {"x": 0, "y": 0})
    assert "add" in err.value.message and "backend down" in err.value.message
    assert err.value.details["task"]
    assert engine.runtime.list()["total"] == 0  # the start saved nothing


def test_a_failure_in_a_later_step_leaves_the_saved_state_untouched(engine: Engine, microflows) -> None:
    microflows("add", add)
    deploy(engine, "loop.bpmn")
    inst = engine.runtime.start("loop", {"limit": 3})
    before = engine.runtime.get(inst["id"])
    history_before = engine.history.events(inst["id"])
    with pytest.raises(Exception, match="not JSON"):
        engine.tasks.complete(inst["tasks"][0]["id"], {"bad": {1, 2}})  # type: ignore[dict-item]
    assert engine.runtime.get(inst["id"]) == before
    assert engine.history.events(inst["id"]) == history_before


def test_bpmn_error_routes_to_the_error_boundary_event(engine: Engine, microflows) -> None:
    def risky(**variables):
        if variables.get("reject"):
            raise BpmnError("REJECTED", "too risky", {"reason": "score"})
        return {"ok": True}

    microflows("risky", risky)
    deploy(engine, "service_error.bpmn")
    rejected = engine.runtime.start("service_error", {"reject": True})
    assert [t["element_id"] for t in rejected["tasks"]] == ["handle_rejection"]
    assert rejected["variables"]["error_code"] == "REJECTED"
    assert rejected["variables"]["reason"] == "score"
    accepted = engine.runtime.start("service_error", {"reject": False})
    assert [t["element_id"] for t in accepted["tasks"]] == ["accepted"]
    assert complete(engine, rejected, "handle_rejection")["status"] == "completed"


def test_an_uncaught_bpmn_error_fails_the_step(engine: Engine, microflows) -> None:
    def risky(**variables):
        raise BpmnError("OTHER_CODE", "nobody catches this")

    microflows("risky", risky)
    deploy(engine, "service_error.bpmn")
    with pytest.raises(MicroflowFailed, match="OTHER_CODE"):
        engine.runtime.start("service_error")
    assert engine.runtime.list()["total"] == 0


def test_an_unregistered_microflow_is_named(engine: Engine) -> None:
    deploy(engine, "service_spiff.bpmn")
    with pytest.raises(MicroflowFailed, match="'add', which is not registered"):
        engine.runtime.start("service_spiff", {"x": 1, "y": 2})


def test_a_microflow_result_that_is_not_json_is_refused(engine: Engine, microflows) -> None:
    microflows("add", lambda a, b: {a, b})
    deploy(engine, "service_spiff.bpmn")
    with pytest.raises(Exception, match=r"result of microflow 'add'.*not JSON"):
        engine.runtime.start("service_spiff", {"x": 1, "y": 2})
    assert engine.runtime.list()["total"] == 0


def test_a_microflow_sees_its_call_context(engine: Engine, microflows) -> None:
    contexts = []

    def add_ctx(a: int, b: int) -> int:
        contexts.append(call_context())
        return a + b

    microflows("add", add_ctx)
    deploy(engine, "service_spiff.bpmn")
    inst = engine.runtime.start("service_spiff", {"x": 1, "y": 2})
    ctx = contexts[0]
    assert ctx.instance_id == inst["id"] and ctx.microflow == "add"
    assert ctx.idempotency_key.startswith(inst["id"]) and ctx.element_id
    assert call_context() is None


def test_a_microflow_is_a_plain_function_testable_without_the_engine() -> None:
    registry = MicroflowRegistry()
    registry.register(Microflow.wrap("add", add))
    flow = registry.get("add")
    assert add(1, 2) == 3
    assert flow.input_names == ("a", "b") and flow.required == ("a", "b")
    assert flow.bind({"a": 1, "b": 2, "unrelated": 3}) == {"a": 1, "b": 2}
    with pytest.raises(Exception, match="needs input 'b'"):
        flow.bind({"a": 1})
    assert flow.description == "Adds two numbers."


def test_microflow_files_beside_the_models_are_loaded(tmp_path: Path) -> None:
    (tmp_path / "side_flows.py").write_text(
        "from engine import microflow\n\n@microflow('side_flow_test')\ndef f(x: int) -> int:\n    return x\n"
    )
    from engine import REGISTRY

    try:
        loaded = load_modules([], tmp_path)
        assert "flowbridge_models.side_flows" in loaded
        assert "side_flow_test" in REGISTRY
    finally:
        REGISTRY.unregister("side_flow_test")
