"""Input and output mappings on every kind of element: `zeebe:ioMapping` and `camunda:inputOutput`."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, InvalidModel

from ..builders import flow, model
from ..conftest import complete

ZEEBE_IO = "<bpmn:extensionElements><zeebe:ioMapping>{}</zeebe:ioMapping></bpmn:extensionElements>"
CAMUNDA_IO = "<bpmn:extensionElements><camunda:inputOutput>{}</camunda:inputOutput></bpmn:extensionElements>"


def zin(target: str, source: str) -> str:
    return f'<zeebe:input source="{source}" target="{target}"/>'


def zout(target: str, source: str) -> str:
    return f'<zeebe:output source="{source}" target="{target}"/>'


def one_task(task: str, key: str = "p") -> bytes:
    """start → `task` (its XML, id "t") → end."""
    return model(
        '<bpmn:startEvent id="s"/>' + task + '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e"), key
    )


def start(engine: Engine, xml: bytes, **variables: Any) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": xml})
    return engine.runtime.start("p", variables)


def task_variables(engine: Engine, instance: dict[str, Any], element: str) -> dict[str, Any]:
    [task] = [t for t in engine.runtime.get(instance["id"])["tasks"] if t["element_id"] == element]
    variables: dict[str, Any] = engine.tasks.get(task["id"])["variables"]
    return variables


def test_zeebe_user_task_inputs_are_local_and_only_outputs_propagate(engine: Engine) -> None:
    io = ZEEBE_IO.format(zin("doubled", "=x * 2") + zin("x", "=100") + zout("result", "=doubled + answer"))
    instance = start(engine, one_task(f'<bpmn:userTask id="t">{io}</bpmn:userTask>'), x=1)
    # The task sees its inputs, in order (the second input shadows x); the process does not.
    seen = task_variables(engine, instance, "t")
    assert (seen["doubled"], seen["x"]) == (2, 100)
    assert engine.runtime.get(instance["id"])["variables"] == {"x": 1}
    done = complete(engine, engine.runtime.get(instance["id"]), "t", answer=40)
    # Zeebe: with outputs, what the task produced (answer) stays local; only `result` propagates.
    assert done["status"] == "completed"
    assert done["variables"] == {"x": 1, "result": 42}


def test_zeebe_without_outputs_the_completion_variables_propagate_but_the_inputs_do_not(
    engine: Engine,
) -> None:
    io = ZEEBE_IO.format(zin("local", "=x + 1"))
    instance = start(engine, one_task(f'<bpmn:userTask id="t">{io}</bpmn:userTask>'), x=1)
    done = complete(engine, engine.runtime.get(instance["id"]), "t", answer=40)
    assert done["variables"] == {"x": 1, "answer": 40}


def test_camunda7_user_task_outputs_add_to_the_completion_variables(engine: Engine) -> None:
    params = (
        '<camunda:inputParameter name="local">${x + 1}</camunda:inputParameter>'
        '<camunda:outputParameter name="result">${local + answer}</camunda:outputParameter>'
    )
    instance = start(
        engine, one_task(f'<bpmn:userTask id="t">{CAMUNDA_IO.format(params)}</bpmn:userTask>'), x=1
    )
    assert task_variables(engine, instance, "t")["local"] == 2
    done = complete(engine, engine.runtime.get(instance["id"]), "t", answer=40)
    # Camunda 7 sets a completion's variables on the process instance; the input stays local.
    assert done["variables"] == {"x": 1, "answer": 40, "result": 42}


def test_zeebe_subprocess_inputs_reach_its_tasks_and_its_outputs_map_back(engine: Engine) -> None:
    io = ZEEBE_IO.format(zin("items", "=[1, 2, 3]") + zout("total", "=sum(items)"))
    body = (
        f'<bpmn:subProcess id="t">{io}<bpmn:startEvent id="ss"/><bpmn:userTask id="inner"/>'
        '<bpmn:endEvent id="se"/>' + flow("ss", "inner") + flow("inner", "se") + "</bpmn:subProcess>"
    )
    instance = start(engine, one_task(body))
    assert task_variables(engine, instance, "inner")["items"] == [1, 2, 3]
    done = complete(engine, engine.runtime.get(instance["id"]), "inner")
    assert done["variables"] == {"total": 6}


def test_dotted_targets_write_into_nested_contexts(engine: Engine) -> None:
    io = ZEEBE_IO.format(zout("order.total", "=price * 2") + zout("order.meta.by", "=&quot;ada&quot;"))
    instance = start(
        engine, one_task(f'<bpmn:manualTask id="t">{io}</bpmn:manualTask>'), price=5, order={"id": 7}
    )
    shown = engine.runtime.get(instance["id"])
    if shown["tasks"]:
        shown = complete(engine, shown, "t")
    assert shown["variables"]["order"] == {"id": 7, "total": 10, "meta": {"by": "ada"}}


def test_a_message_catch_event_maps_its_message(engine: Engine) -> None:
    io = ZEEBE_IO.format(zout("paid", "=amount"))
    body = (
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:intermediateCatchEvent id="t">{io}<bpmn:messageEventDefinition messageRef="m"/>'
        '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e")
    )
    xml = model(body).replace(b"</bpmn:process>", b'</bpmn:process><bpmn:message id="m" name="paid"/>')
    instance = start(engine, xml)
    engine.messages.correlate("paid", None, {"amount": 12, "note": "x"})
    shown = engine.runtime.get(instance["id"])
    assert shown["status"] == "completed"
    assert shown["variables"] == {"paid": 12}


def test_camunda7_lists_maps_and_python_scripts(engine: Engine) -> None:
    params = (
        '<camunda:inputParameter name="names"><camunda:list><camunda:value>ada</camunda:value>'
        "<camunda:value>${who}</camunda:value></camunda:list></camunda:inputParameter>"
        '<camunda:inputParameter name="limits"><camunda:map><camunda:entry key="low">${1}</camunda:entry>'
        '<camunda:entry key="high">9</camunda:entry></camunda:map></camunda:inputParameter>'
        '<camunda:inputParameter name="empty"/>'
        '<camunda:inputParameter name="sum"><camunda:script scriptFormat="python">a = 2\na * 21'
        "</camunda:script></camunda:inputParameter>"
    )
    instance = start(
        engine, one_task(f'<bpmn:userTask id="t">{CAMUNDA_IO.format(params)}</bpmn:userTask>'), who="bob"
    )
    seen = task_variables(engine, instance, "t")
    assert seen["names"] == ["ada", "bob"]
    assert seen["limits"] == {"low": 1, "high": "9"}
    assert seen["empty"] is None
    assert seen["sum"] == 42
    assert "a" not in seen  # the script's own names stay in the script


def test_camunda7_map_keys_may_be_expressions_evaluated_in_the_order_of_their_text(engine: Engine) -> None:
    # Camunda 7 keeps the entries in a TreeMap of the keys' text: "${second}" comes before "b", so
    # where `second` is "b" the literal key's value wins, whatever the document's order.
    params = (
        '<camunda:inputParameter name="picked"><camunda:map>'
        '<camunda:entry key="${first}">potato</camunda:entry><camunda:entry key="b">tomato</camunda:entry>'
        '<camunda:entry key="${second}">avocado</camunda:entry></camunda:map></camunda:inputParameter>'
    )
    task = f'<bpmn:userTask id="t">{CAMUNDA_IO.format(params)}</bpmn:userTask>'
    instance = start(engine, one_task(task), first="a", second="b")
    assert task_variables(engine, instance, "t")["picked"] == {"a": "potato", "b": "tomato"}


@pytest.mark.parametrize("language", ["javascript", "groovy"])
def test_scripts_in_other_languages_are_refused_at_deploy_by_element_and_language(
    engine: Engine, language: str
) -> None:
    params = (
        f'<camunda:inputParameter name="v"><camunda:script scriptFormat="{language}">1 + 1</camunda:script>'
        "</camunda:inputParameter>"
    )
    with pytest.raises(InvalidModel) as refused:
        engine.repository.deploy(
            {"p.bpmn": one_task(f'<bpmn:userTask id="t">{CAMUNDA_IO.format(params)}</bpmn:userTask>')}
        )
    assert "userTask 't'" in refused.value.message
    assert f"a {language} script" in refused.value.message


def test_multi_instance_inputs_apply_to_each_instance(engine: Engine) -> None:
    io = ZEEBE_IO.format(zin("label", "=&quot;item &quot; + string(item)") + zout("last", "=label"))
    loop = (
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements>'
        '<zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/>'
        "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>"
    )
    instance = start(engine, one_task(f'<bpmn:userTask id="t">{io}{loop}</bpmn:userTask>'), items=[1, 2])
    assert task_variables(engine, instance, "t")["label"] == "item 1"
    shown = complete(engine, engine.runtime.get(instance["id"]), "t")
    assert task_variables(engine, instance, "t")["label"] == "item 2"
    shown = complete(engine, shown, "t")
    assert shown["status"] == "completed"
    assert shown["variables"]["last"] == "item 2"
    assert "label" not in shown["variables"]


def test_camunda_mappings_on_an_event_subprocess_are_refused_at_deploy(engine: Engine) -> None:
    # As Camunda 7 refuses them ("unsupported for element type 'subProcess' with triggeredByEvent").
    mapping = CAMUNDA_IO.format('<camunda:inputParameter name="x">1</camunda:inputParameter>')
    handler = (
        f'<bpmn:subProcess id="on_error" triggeredByEvent="true">{mapping}'
        '<bpmn:startEvent id="hs"><bpmn:errorEventDefinition/></bpmn:startEvent>'
        '<bpmn:endEvent id="he"/>' + flow("hs", "he") + "</bpmn:subProcess>"
    )
    xml = one_task('<bpmn:userTask id="t"/>' + handler)
    camunda7 = xml.replace(b'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" ', b"")
    with pytest.raises(InvalidModel) as refused:
        engine.repository.deploy({"p.bpmn": camunda7})
    why = "subProcess 'on_error': camunda:inputOutput is not supported on an event subprocess"
    assert why in refused.value.message
