"""The order example of bpmn/, drawn once in each editor's dialect, runs the same way in every one.

bpmn/order_camunda7.bpmn (Camunda Modeler, Camunda 7), bpmn/order_camunda8.bpmn with its linked
forms (Camunda Modeler, Camunda 8) and bpmn/order_spiff.bpmn with its JSON-schema forms
(SpiffArena) model one flow: "Enter order" (group sales) → microflow price_order → "Needs
approval?" on total > 1000 → "Approve order" (group sales_managers) → a PT1S cooling-off timer →
end; small orders go straight to the end.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from engine import REGISTRY, Engine
from engine.microflows import Microflow

from ..conftest import EXAMPLES

DIALECTS: dict[str, tuple[str, list[str]]] = {
    "camunda7": ("order_camunda7", ["order_camunda7.bpmn"]),
    "camunda8": (
        "order_camunda8",
        ["order_camunda8.bpmn", "order_camunda8_enter.form", "order_camunda8_approve.form"],
    ),
    "spiff": (
        "order_spiff",
        [
            "order_spiff.bpmn",
            "order_spiff_enter-schema.json",
            "order_spiff_enter-uischema.json",
            "order_spiff_approve-schema.json",
            "order_spiff_approve-uischema.json",
        ],
    ),
}

MICROFLOW_MODULE = "flowbridge_models.order_microflows"
"""The name `load_modules` gives bpmn/order_microflows.py when it loads the models folder."""


@pytest.fixture
def price_order() -> Iterator[None]:
    """Register bpmn/order_microflows.py's `price_order`, and leave the registry as it was."""
    previous = REGISTRY.get("price_order") if "price_order" in REGISTRY else None
    imported_here = MICROFLOW_MODULE not in sys.modules
    if imported_here:
        spec = importlib.util.spec_from_file_location(MICROFLOW_MODULE, EXAMPLES / "order_microflows.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[MICROFLOW_MODULE] = module
        spec.loader.exec_module(module)  # its @microflow decorator registers price_order
    module = sys.modules[MICROFLOW_MODULE]
    if "price_order" not in REGISTRY:
        REGISTRY.register(Microflow.wrap("price_order", module.price_order))
    yield
    REGISTRY.unregister("price_order")
    if previous is not None:
        REGISTRY.register(previous)
    if imported_here:
        # A later load of the models folder imports the file again, so it registers again.
        sys.modules.pop(MICROFLOW_MODULE, None)


def deploy_dialect(engine: Engine, dialect: str) -> str:
    """Deploy every file of one dialect's model together; return the process key."""
    key, names = DIALECTS[dialect]
    deployed = engine.repository.deploy({name: (EXAMPLES / name).read_bytes() for name in names})
    assert [d.key for d in deployed] == [key]
    return key


def open_task(instance: dict[str, Any], element_id: str) -> dict[str, Any]:
    """The instance's only open task, which must be the one at `element_id`."""
    tasks = instance["tasks"]
    assert [t["element_id"] for t in tasks] == [element_id], f"open tasks: {tasks}"
    return tasks[0]


def form_fields(task: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The task's form fields by id, in form order."""
    form = task["form"]
    assert form is not None, f"task '{task['element_id']}' has no form"
    return {f["id"]: f for f in form["fields"]}


def completed_elements(engine: Engine, instance_id: str) -> list[str]:
    return [e["element_id"] for e in engine.history.events(instance_id) if e["kind"] == "activity_completed"]


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_a_large_order_is_approved_and_cools_off_before_it_ends(
    engine: Engine, price_order: None, dialect: str
) -> None:
    key = deploy_dialect(engine, dialect)
    started = engine.runtime.start(key)
    assert started["status"] == "waiting"

    enter = open_task(started, "enter_order")
    assert enter["name"] == "Enter order"
    assert enter["candidate_groups"] == ["sales"]
    offered = engine.tasks.list(candidate_group="sales", instance_id=started["id"])
    assert [t["id"] for t in offered["items"]] == [enter["id"]]
    assert enter["form"] is not None and enter["form"]["source"] == dialect
    fields = form_fields(enter)
    assert {f: (v["type"], v["required"], v["validation"]) for f, v in fields.items()} == {
        "customer": ("string", True, {}),
        "amount": ("integer", True, {"min": 1}),
        "express": ("boolean", False, {}),
    }
    assert list(fields) == ["customer", "amount", "express"]

    priced = engine.tasks.complete(enter["id"], {"customer": "Ada", "amount": 1500, "express": True})
    assert priced["status"] == "waiting"
    assert priced["variables"]["total"] == 1525  # 1500 plus the express surcharge
    assert priced["variables"]["needs_approval"] is True
    approve = open_task(priced, "approve_order")
    assert approve["name"] == "Approve order"
    assert approve["candidate_groups"] == ["sales_managers"]
    assert [(f, v["type"]) for f, v in form_fields(approve).items()] == [("approved", "boolean")]

    cooling = engine.tasks.complete(approve["id"], {"approved": True})
    assert cooling["status"] == "waiting"
    assert cooling["tasks"] == []
    assert [(w["kind"], w["name"]) for w in cooling["waiting"]] == [("event", "Cooling-off")]

    time.sleep(1.1)
    done = engine.runtime.fire_timers(started["id"])
    assert done["status"] == "completed"
    assert done["variables"]["total"] == 1525
    assert done["variables"]["approved"] is True
    assert done["variables"]["customer"] == "Ada"

    completed = completed_elements(engine, started["id"])
    path = ("enter_order", "price_order_task", "needs_approval", "approve_order", "cooling_off", "end")
    for element in path:
        assert element in completed, f"{element} not completed; history: {completed}"
    assert completed.index("price_order_task") < completed.index("approve_order")


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_a_small_order_ends_right_after_it_is_entered(
    engine: Engine, price_order: None, dialect: str
) -> None:
    key = deploy_dialect(engine, dialect)
    started = engine.runtime.start(key)
    enter = open_task(started, "enter_order")

    done = engine.tasks.complete(enter["id"], {"customer": "Bob", "amount": 10, "express": False})
    assert done["status"] == "completed"
    assert done["tasks"] == [] and done["waiting"] == []
    assert done["variables"]["total"] == 10
    assert done["variables"]["needs_approval"] is False
    assert "approved" not in done["variables"]

    completed = completed_elements(engine, started["id"])
    assert "price_order_task" in completed and "end" in completed
    assert "approve_order" not in completed and "cooling_off" not in completed
