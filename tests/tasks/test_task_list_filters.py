"""The task list's scopes, filters, search and sorts, the process of each row, and the variables
a row shows (the model's `listVariables`, else the form's first fields)."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.errors import InvalidInput

from ..builders import flow, model

CAMUNDA_FORM = (
    "<bpmn:extensionElements>"
    '<camunda:properties><camunda:property name="listVariables" value="customer, order.total"/>'
    "</camunda:properties><camunda:formData>"
    '<camunda:formField id="customer" label="Customer" type="string"/>'
    '<camunda:formField id="note" label="Note" type="string"/>'
    "</camunda:formData></bpmn:extensionElements>"
)


def process(key: str, name: str, task: str, attributes: str = "", inner: str = "") -> bytes:
    """A process `key` called `name` that waits on one user task `task`."""
    body = (
        f'<bpmn:startEvent id="s"/><bpmn:userTask id="t" name="{task}" {attributes}>{inner}</bpmn:userTask>'
        '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e")
    )
    return model(body, key=key).replace(f'id="{key}"'.encode(), f'id="{key}" name="{name}"'.encode(), 1)


@pytest.fixture
def tasks(engine: Engine) -> dict[str, dict[str, Any]]:
    """Five open tasks, started in this order (so the first is the oldest), by label."""
    engine.repository.deploy(
        {
            "orders.bpmn": process(
                "orders",
                "Order handling",
                "Pack order",
                'camunda:candidateGroups="packers" camunda:dueDate="${due}"',
            ),
            "claims.bpmn": process("claims", "Insurance claim", "Assess claim", 'camunda:assignee="${who}"'),
            "hello.bpmn": process("hello", "Hello", "Say hello"),
        }
    )
    started = {
        "pack-late": engine.runtime.start("orders", {"due": "2026-01-10"}, business_key="ORD-1"),
        "claim-bob": engine.runtime.start("claims", {"who": "bob"}, business_key="CL_7"),
        "hello": engine.runtime.start("hello", {}),
        "pack-soon": engine.runtime.start("orders", {"due": "2026-01-05"}, business_key="ORD-2"),
        "claim-eve": engine.runtime.start("claims", {"who": "eve"}, business_key="CL-8"),
    }
    return {label: instance["tasks"][0] for label, instance in started.items()}


def labels(tasks: dict[str, dict[str, Any]], page: dict[str, Any]) -> list[str]:
    by_id = {task["id"]: label for label, task in tasks.items()}
    return [by_id[item["id"]] for item in page["items"]]


def test_a_users_list_by_scope(engine: Engine, tasks: dict[str, dict[str, Any]]) -> None:
    def listed(scope: str, user: str = "bob", groups: tuple[str, ...] = ("packers",)) -> list[str]:
        page = engine.tasks.list(user=user, groups=[*groups], scope=scope)
        assert page["total"] == len(page["items"])
        return labels(tasks, page)

    assert listed("all") == ["pack-late", "claim-bob", "hello", "pack-soon"]
    assert listed("assigned") == ["claim-bob"]
    assert listed("groups") == ["pack-late", "pack-soon"]
    assert listed("unassigned") == ["pack-late", "hello", "pack-soon"]
    assert listed("groups", groups=()) == []
    # Everyone's list: only "all" and "unassigned" make sense without a user.
    assert labels(tasks, engine.tasks.list(scope="unassigned")) == ["pack-late", "hello", "pack-soon"]
    with pytest.raises(InvalidInput, match="needs a user"):
        engine.tasks.list(scope="groups")
    with pytest.raises(InvalidInput, match="scope must be one of"):
        engine.tasks.list(user="bob", scope="mine")


def test_sorts_in_every_kind_of_list(engine: Engine, tasks: dict[str, dict[str, Any]]) -> None:
    mine: dict[str, Any] = {"user": "bob", "groups": ["packers"]}
    lists: list[dict[str, Any]] = [mine, {}, {"candidate_group": "packers"}]
    for where in lists:
        seen = {
            sort: labels(tasks, engine.tasks.list(**where, sort=sort)) for sort in ("created", "-created")
        }
        assert seen["-created"] == seen["created"][::-1], where
    assert labels(tasks, engine.tasks.list(**mine, sort="-created")) == [
        "pack-soon",
        "hello",
        "claim-bob",
        "pack-late",
    ]
    # Due soonest first, undated last (newest first among them), also when reversed.
    assert labels(tasks, engine.tasks.list(**mine, sort="due")) == [
        "pack-soon",
        "pack-late",
        "hello",
        "claim-bob",
    ]
    assert labels(tasks, engine.tasks.list(**mine, sort="-due")) == [
        "pack-late",
        "pack-soon",
        "hello",
        "claim-bob",
    ]
    assert labels(tasks, engine.tasks.list(sort="name")) == [
        "claim-eve",
        "claim-bob",
        "pack-soon",
        "pack-late",
        "hello",
    ]
    # By process name: Hello, Insurance claim, Order handling.
    assert labels(tasks, engine.tasks.list(**mine, sort="process")) == [
        "hello",
        "claim-bob",
        "pack-soon",
        "pack-late",
    ]
    assert labels(tasks, engine.tasks.list(sort="-process"))[:2] == ["pack-soon", "pack-late"]
    # Paging keeps the order and the total.
    page = engine.tasks.list(**mine, sort="due", limit=2, offset=2)
    assert labels(tasks, page) == ["hello", "claim-bob"] and page["total"] == 4
    with pytest.raises(InvalidInput, match="sort must be one of"):
        engine.tasks.list(sort="--due")


def test_filters_by_process_due_date_and_search(engine: Engine, tasks: dict[str, dict[str, Any]]) -> None:
    mine: dict[str, Any] = {"user": "bob", "groups": ["packers"]}
    wheres: list[dict[str, Any]] = [{}, mine]
    for where in wheres:
        assert labels(tasks, engine.tasks.list(**where, process_key="orders")) == ["pack-late", "pack-soon"]
        assert labels(tasks, engine.tasks.list(**where, due_before="2026-01-06")) == ["pack-soon"]
        assert labels(tasks, engine.tasks.list(**where, due_before="2026-01-10T00:00:01Z")) == [
            "pack-late",
            "pack-soon",
        ]
    # The search reads the task's name, the process's name and key and the business key, ignoring case.
    assert labels(tasks, engine.tasks.list(**mine, search="PACK")) == ["pack-late", "pack-soon"]
    assert labels(tasks, engine.tasks.list(**mine, search="insurance")) == ["claim-bob"]
    assert labels(tasks, engine.tasks.list(search="ord-2")) == ["pack-soon"]
    assert labels(tasks, engine.tasks.list(search="hell")) == ["hello"]
    # LIKE's wildcards are plain characters: "CL_" matches CL_7, not CL-8.
    assert labels(tasks, engine.tasks.list(search="CL_")) == ["claim-bob"]
    assert labels(tasks, engine.tasks.list(search="%")) == []
    assert engine.tasks.list(search="  ")["total"] == 5  # blank: no search
    found = engine.tasks.list(**mine, search="order", scope="groups", due_before="2026-01-06", sort="-due")
    assert labels(tasks, found) == ["pack-soon"] and found["total"] == 1
    with pytest.raises(InvalidInput, match="due_before must be an ISO 8601 date"):
        engine.tasks.list(due_before="next week")


def test_each_row_has_its_process_and_business_key(engine: Engine, tasks: dict[str, dict[str, Any]]) -> None:
    wheres: list[dict[str, Any]] = [{}, {"user": "bob", "groups": ["packers"]}]
    for where in wheres:
        rows = {item["id"]: item for item in engine.tasks.list(**where)["items"]}
        late = rows[tasks["pack-late"]["id"]]
        assert (late["process_key"], late["process_name"], late["business_key"]) == (
            "orders",
            "Order handling",
            "ORD-1",
        )
        assert rows[tasks["hello"]["id"]]["business_key"] is None


def test_count_and_processes(engine: Engine, tasks: dict[str, dict[str, Any]]) -> None:
    assert engine.tasks.count("bob", ["packers"]) == 4
    assert engine.tasks.count("eve") == 2  # her claim and the task open to all
    assert engine.tasks.processes() == [
        {"key": "claims", "name": "Insurance claim"},
        {"key": "hello", "name": "Hello"},
        {"key": "orders", "name": "Order handling"},
    ]


def test_list_variables_from_the_model_property_in_each_dialect(engine: Engine) -> None:
    zeebe = (
        '<bpmn:extensionElements><zeebe:properties><zeebe:property name="listVariables" value="amount"/>'
        "</zeebe:properties></bpmn:extensionElements>"
    )
    spiff = (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="listVariables" value="amount, missing"/>'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )
    engine.repository.deploy(
        {
            "c7.bpmn": process("c7", "Camunda 7", "Check", inner=CAMUNDA_FORM),
            "c8.bpmn": process("c8", "Camunda 8", "Check", inner=zeebe),
            "sp.bpmn": process("sp", "Spiff", "Check", inner=spiff),
        }
    )
    values = {"customer": "Kim", "order": {"total": 12.5}, "amount": 7, "note": "n"}
    for key in ("c7", "c8", "sp"):
        engine.runtime.start(key, values)
    shown = {item["process_key"]: item["list_variables"] for item in engine.tasks.list()["items"]}
    assert shown["c7"] == [
        {"name": "customer", "label": "Customer", "value": "Kim"},
        {"name": "order.total", "label": "order.total", "value": 12.5},
    ]
    assert shown["c8"] == [{"name": "amount", "label": "amount", "value": 7}]
    assert shown["sp"] == [{"name": "amount", "label": "amount", "value": 7}]  # unset ones left out


def test_without_the_property_a_row_shows_the_forms_first_fields_with_a_value(engine: Engine) -> None:
    fields = "".join(
        f'<camunda:formField id="{name}" label="{name.title()}" type="string"/>'
        for name in ("applicant", "empty", "city", "zip", "street")
    )
    form = f"<bpmn:extensionElements><camunda:formData>{fields}</camunda:formData></bpmn:extensionElements>"
    engine.repository.deploy({"f.bpmn": process("f", "Form", "Fill", inner=form)})
    engine.runtime.start("f", {"applicant": "Ada", "empty": "", "city": "Paris", "zip": 75001, "street": "x"})
    [item] = engine.tasks.list()["items"]
    assert item["list_variables"] == [
        {"name": "applicant", "label": "Applicant", "value": "Ada"},
        {"name": "city", "label": "City", "value": "Paris"},
        {"name": "zip", "label": "Zip", "value": 75001},
    ]
    engine.repository.deploy({"h.bpmn": process("h", "Hello", "Say hello")})
    engine.runtime.start("h", {"name": "x"})
    assert engine.tasks.list(process_key="h")["items"][0]["list_variables"] == []
