"""Process variables (DESIGN §2a) for Camunda, Zeebe and plain BPMN models; SpiffArena's task
data for SpiffArena models."""

from __future__ import annotations

from typing import Any

from engine import Engine

from ..conftest import MODELS, complete, deploy

SPIFF = b'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
CAMUNDA7 = b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'


def as_dialect(name: str, namespace: bytes) -> dict[str, bytes]:
    """A test model with an editor's namespace declared, which makes it that editor's dialect."""
    xml = (
        (MODELS / name)
        .read_bytes()
        .replace(b"<bpmn:definitions ", b"<bpmn:definitions " + namespace + b" ", 1)
    )
    return {name: xml}


def task(instance: dict[str, Any], element_id: str) -> dict[str, Any]:
    [found] = [t for t in instance["tasks"] if t["element_id"] == element_id]
    return found


def test_what_one_branch_writes_the_others_see_at_once(engine: Engine) -> None:
    deploy(engine, "variables_branches.bpmn")
    instance = engine.runtime.start("variables_branches", {"order": 7})
    instance = complete(engine, instance, "a", note="from a")
    # Branch a wrote `note` and its script `from_script`, and now waits at the join: nothing hidden.
    assert task(instance, "b")["variables"] == {"order": 7, "note": "from a", "from_script": "from a!"}
    assert instance["variables"] == {"order": 7, "note": "from a", "from_script": "from a!"}
    engine.messages.correlate("paid", variables={"amount_paid": 12})
    instance = engine.runtime.get(instance["id"])
    assert task(instance, "b")["variables"]["amount_paid"] == 12  # a message's payload, at once
    instance = complete(engine, instance, "b", checked=True)
    assert task(instance, "after")["variables"] == {
        "order": 7,
        "note": "from a",
        "from_script": "from a!",
        "amount_paid": 12,
        "checked": True,
    }
    done = complete(engine, instance, "after")
    assert done["variables"]["checked"] is True and done["variables"]["amount_paid"] == 12


def test_a_camunda_7_model_keeps_process_variables_too(engine: Engine) -> None:
    files = as_dialect("variables_branches.bpmn", CAMUNDA7)
    # Camunda 7 stores no script's own names (autoStoreScriptVariables is off): its scripts set
    # process variables through `execution`.
    files = {
        name: xml.replace(b'from_script = note + "!"', b'execution.setVariable("from_script", note + "!")')
        for name, xml in files.items()
    }
    engine.repository.deploy(files)
    instance = engine.runtime.start("variables_branches", {})
    instance = complete(engine, instance, "a", note="x")
    assert task(instance, "b")["variables"]["from_script"] == "x!"


def test_a_spiffarena_model_keeps_task_data(engine: Engine) -> None:
    engine.repository.deploy(as_dialect("variables_branches.bpmn", SPIFF))
    instance = engine.runtime.start("variables_branches", {"order": 7})
    instance = complete(engine, instance, "a", note="from a")
    # SpiffArena: each branch carries its own copy; the join merges them.
    assert task(instance, "b")["variables"] == {"order": 7}
    engine.messages.correlate("paid", variables={"amount_paid": 12})
    instance = complete(engine, engine.runtime.get(instance["id"]), "b", checked=True)
    merged = task(instance, "after")["variables"]
    assert merged["note"] == "from a" and merged["checked"] is True and merged["amount_paid"] == 12


def test_what_a_subprocess_wrote_survives_a_boundary_event_that_interrupts_it(engine: Engine) -> None:
    deploy(engine, "variables_boundary.bpmn")
    instance = engine.runtime.start("variables_boundary", {})
    assert instance["variables"] == {"progress": "half"}
    engine.messages.correlate("abort")
    instance = engine.runtime.get(instance["id"])
    assert task(instance, "handle_abort")["variables"] == {"progress": "half"}
    assert complete(engine, instance, "handle_abort")["variables"] == {"progress": "half"}


def test_what_an_event_subprocess_wrote_is_in_the_final_variables(engine: Engine) -> None:
    deploy(engine, "esp_message.bpmn")
    instance = engine.runtime.start("esp_message", {})
    engine.messages.correlate("address_changed", variables={"street": "Main St 1"})
    instance = engine.runtime.get(instance["id"])
    assert task(instance, "pack")["variables"] == {"address_noted": True, "street": "Main St 1"}
    done = complete(engine, instance, "pack")
    assert done["variables"] == {"address_noted": True, "street": "Main St 1"}


def test_a_multi_instance_element_variable_is_local_to_its_instance(engine: Engine) -> None:
    deploy(engine, "mi_parallel.bpmn")
    instance = engine.runtime.start("mi_parallel", {"reviewers": ["ann", "ben"]})
    assert sorted(t["variables"]["reviewer"] for t in instance["tasks"]) == ["ann", "ben"]
    assert "reviewer" not in instance["variables"]
    for open_task in instance["tasks"]:
        instance = engine.tasks.complete(open_task["id"], {"decision": open_task["variables"]["reviewer"]})
    assert instance["status"] == "completed"
    assert sorted(instance["variables"]["decisions"]) == ["ann", "ben"]
    assert "reviewer" not in instance["variables"] and "decision" not in instance["variables"]
