"""What each editor writes runs, or is refused at deploy time naming the element and the reason."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from engine import Engine, InvalidInput, InvalidModel
from engine.definitions.dialects import dialect_of
from engine.errors import FormInvalid

from ..builders import NAMESPACES, flow, model
from ..conftest import complete


def start(engine: Engine, xml: bytes, key: str = "p", **variables: Any) -> dict[str, Any]:
    engine.repository.deploy({f"{key}.bpmn": xml})
    return engine.runtime.start(key, variables)


GATEWAY = (
    '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="g_small"/>'
    '<bpmn:userTask id="big"/><bpmn:userTask id="small"/>'
    + flow("s", "g")
    + flow("g", "big", "{condition}")
    + flow("g", "small")
    + '<bpmn:endEvent id="e"/>'
    + flow("big", "e")
    + flow("small", "e")
)


def gateway(condition: str) -> str:
    return GATEWAY.replace("{condition}", condition)


@pytest.mark.parametrize("prefix", ["bpmn", "bpmn2", "semantic", "model", ""])
def test_every_prefix_for_the_bpmn_namespace_works(engine: Engine, prefix: str) -> None:
    instance = start(engine, model(gateway("amount &gt; 1000"), prefix=prefix), amount=5000)
    assert [t["element_id"] for t in instance["tasks"]] == ["big"]


@pytest.mark.parametrize(
    "condition",
    [
        "${amount &gt; 1000 &amp;&amp; approved}",
        "#{amount gt 1000 and approved}",
        "=amount &gt; 1000 and approved",
        "=amount &gt; 1000 and not(approved = false)",
        "amount &gt; 1000 and approved",
    ],
)
def test_conditions_in_juel_feel_and_python_choose_the_same_path(engine: Engine, condition: str) -> None:
    big = start(engine, model(gateway(condition)), amount=5000, approved=True)
    small = engine.runtime.start("p", {"amount": 5000, "approved": False})
    assert [t["element_id"] for t in big["tasks"]] == ["big"]
    assert [t["element_id"] for t in small["tasks"]] == ["small"]


def test_a_feel_condition_on_a_missing_variable_is_false_not_an_error(engine: Engine) -> None:
    instance = start(engine, model(gateway("=amount &gt; 1000")))
    assert [t["element_id"] for t in instance["tasks"]] == ["small"]


@pytest.mark.parametrize(
    ("condition", "named"),
    [
        ("${invoiceService.check(amount)}", "method call"),
        ('=fancy function(amount, "x")', "fancy function"),
        ("amount &gt;", "not a Python expression"),
    ],
)
def test_an_expression_outside_the_subset_is_refused_at_deploy_time(
    engine: Engine, condition: str, named: str
) -> None:
    with pytest.raises(InvalidModel) as refused:
        engine.repository.deploy({"p.bpmn": model(gateway(condition))})
    message = refused.value.message
    assert message.startswith("p.bpmn:1: sequenceFlow 'g_big': condition ")
    assert named in message and "is not supported" in message


def test_a_script_in_another_language_is_refused_by_name(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:scriptTask id="groovy" scriptFormat="groovy">'
        "<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>" + flow("s", "groovy")
    )
    with pytest.raises(InvalidModel, match=r"scriptTask 'groovy': script task is written in groovy"):
        engine.repository.deploy({"p.bpmn": model(body)})


def test_a_zeebe_feel_script_task_stores_its_result(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:scriptTask id="sum"><bpmn:extensionElements>'
        '<zeebe:script expression="=sum(items) * 2" resultVariable="total"/></bpmn:extensionElements>'
        '</bpmn:scriptTask><bpmn:endEvent id="e"/>' + flow("s", "sum") + flow("sum", "e")
    )
    assert start(engine, model(body), items=[1, 2, 3])["variables"]["total"] == 12


def test_timer_values_in_every_dialect_wait_then_fire(engine: Engine) -> None:
    values = ["PT0S", '=duration("PT0S")', "${'PT0S'}", '"PT0S"']
    for index, value in enumerate(values):
        key = f"timer{index}"
        body = (
            '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
            f"<bpmn:timeDuration>{value}</bpmn:timeDuration></bpmn:timerEventDefinition>"
            '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>' + flow("s", "wait") + flow("wait", "e")
        )
        instance = start(engine, model(body, key=key), key=key)
        assert instance["status"] == "completed", (value, instance)


def test_an_empty_timer_is_refused_by_name(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition/>'
        '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>' + flow("s", "wait") + flow("wait", "e")
    )
    with pytest.raises(InvalidModel, match=r"intermediateCatchEvent 'wait': timer has no time"):
        engine.repository.deploy({"p.bpmn": model(body)})


def test_assignment_expressions_are_evaluated_with_the_variables(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        '<bpmn:userTask id="c7" camunda:assignee="${owner}" camunda:candidateGroups="${team}, auditors"/>'
        '<bpmn:userTask id="c8"><bpmn:extensionElements><zeebe:assignmentDefinition '
        'assignee="=owner + &quot;2&quot;" candidateGroups="=[team, &quot;x&quot;]"/>'
        "</bpmn:extensionElements></bpmn:userTask>"
        '<bpmn:endEvent id="e"/>' + flow("s", "c7") + flow("c7", "c8") + flow("c8", "e")
    )
    first = start(engine, model(body), owner="ada", team="risk")
    task = first["tasks"][0]
    assert (task["assignee"], task["candidate_groups"]) == ("ada", ["risk", "auditors"])
    second = complete(engine, first, "c7")
    task = second["tasks"][0]
    assert (task["assignee"], task["candidate_groups"]) == ("ada2", ["risk", "x"])


def test_lanes_offer_unassigned_tasks_to_the_lane_or_its_owners(engine: Engine) -> None:
    lanes = (
        '<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="clerks"><bpmn:flowNodeRef>t</bpmn:flowNodeRef>'
        "</bpmn:lane></bpmn:laneSet>"
    )
    body = lanes + (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/><bpmn:endEvent id="e"/>'
        + flow("s", "t")
        + flow("t", "e")
    )
    xml = model(body).replace(b"xmlns:camunda", b"xmlns:spiffnone").replace(b"camunda.org/schema/1.0", b"x/1")
    xml = xml.replace(b"xmlns:zeebe", b"xmlns:zeebenone").replace(b"camunda.org/schema/zeebe/1.0", b"x/2")
    by_group = start(engine, xml)["tasks"][0]
    owned = xml.replace(b'sourceRef="s" targetRef="t"', b'sourceRef="s" targetRef="own"').replace(
        b'<bpmn:userTask id="t"/>',
        b'<bpmn:scriptTask id="own"><bpmn:script>lane_owners = {"clerks": ["kim", "lee"]}</bpmn:script>'
        b'</bpmn:scriptTask><bpmn:sequenceFlow id="own_t" sourceRef="own" targetRef="t"/>'
        b'<bpmn:userTask id="t"/>',
    )
    engine.repository.deploy({"p.bpmn": owned})
    by_owner = engine.runtime.start("p", {})["tasks"][0]  # the model's own script names the owners
    assert (by_group["candidate_groups"], by_group["candidate_users"]) == (["clerks"], [])
    assert (by_owner["candidate_groups"], by_owner["candidate_users"]) == ([], ["kim", "lee"])


def test_form_values_are_checked_and_coerced_when_a_task_is_completed(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t"><bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="amount" label="Amount" type="long"><camunda:validation>'
        '<camunda:constraint name="required"/><camunda:constraint name="min" config="1"/>'
        '</camunda:validation></camunda:formField><camunda:formField id="ok" type="boolean"/>'
        "</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
        '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e")
    )
    instance = start(engine, model(body))
    form = instance["tasks"][0]["form"]
    assert [(f["id"], f["type"], f["required"]) for f in form["fields"]] == [
        ("amount", "integer", True),
        ("ok", "boolean", False),
    ]
    with pytest.raises(FormInvalid) as invalid:
        complete(engine, instance, "t", amount=0, ok="maybe")
    assert set(invalid.value.details["fields"]) == {"amount", "ok"}
    assert engine.runtime.get(instance["id"])["status"] == "waiting"
    done = complete(engine, instance, "t", amount="42", ok="true")
    assert done["status"] == "completed"
    assert (done["variables"]["amount"], done["variables"]["ok"]) == (42, True)


def test_an_activity_with_two_plain_outgoing_flows_runs_both(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:task id="a"/><bpmn:userTask id="left"/><bpmn:userTask id="right"/>'
        + flow("s", "a")
        + flow("a", "left")
        + flow("a", "right")
    )
    instance = start(engine, model(body))
    assert sorted(t["element_id"] for t in instance["tasks"]) == ["left", "right"]


def test_a_subprocess_without_start_event_starts_where_nothing_flows_in(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:userTask id="inner"/>'
        '<bpmn:endEvent id="ie"/>' + flow("inner", "ie") + "</bpmn:subProcess>"
        '<bpmn:endEvent id="e"/>' + flow("s", "sub") + flow("sub", "e")
    )
    instance = start(engine, model(body))
    assert [t["element_id"] for t in instance["tasks"]] == ["inner"]
    assert complete(engine, instance, "inner")["status"] == "completed"


def test_camunda7_multi_instance_collection_runs_once_per_item(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="review">'
        '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${reviewers}" '
        'camunda:elementVariable="reviewer"/></bpmn:userTask><bpmn:endEvent id="e"/>'
        + flow("s", "review")
        + flow("review", "e")
    )
    instance = start(engine, model(body), reviewers=["ann", "ben", "cy"])
    assert len(instance["tasks"]) == 3
    assert sorted(t["variables"]["reviewer"] for t in instance["tasks"]) == ["ann", "ben", "cy"]


SPIFF_ONLY = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">'
    '<bpmn:process id="p" isExecutable="true">{}</bpmn:process></bpmn:definitions>'
)
CAMUNDA7_ONLY = SPIFF_ONLY.replace(
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
)


@pytest.mark.parametrize("kind", ["task", "manualTask"])
@pytest.mark.parametrize(
    ("document", "waits"), [(CAMUNDA7_ONLY, False), (SPIFF_ONLY, True)], ids=["camunda7", "spiff"]
)
def test_plain_and_manual_tasks_wait_only_in_spiffarena_models(
    engine: Engine, kind: str, document: str, waits: bool
) -> None:
    body = (
        f'<bpmn:startEvent id="s"/><bpmn:{kind} id="t"/><bpmn:endEvent id="e"/>'
        + flow("s", "t")
        + flow("t", "e")
    )
    started = start(engine, document.format(body).encode())
    if waits:  # SpiffArena: a manual step a person checks off
        assert [t["element_id"] for t in started["tasks"]] == ["t"]
        started = complete(engine, started, "t")
    assert started["status"] == "completed"


PLAIN_TASK = CAMUNDA7_ONLY.format(
    '<bpmn:startEvent id="s"/><bpmn:task id="t"/><bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e")
).encode()


def test_a_deployment_may_choose_the_dialect_its_files_run_as(engine: Engine) -> None:
    detected = engine.repository.deploy({"p.bpmn": PLAIN_TASK})[0]
    assert engine.runtime.start("p", {})["status"] == "completed"  # Camunda 7: the task passes through
    chosen = engine.repository.deploy({"p.bpmn": PLAIN_TASK}, dialect="spiff")[0]
    assert (detected.version, chosen.version, chosen.created) == (1, 2, True)  # same XML, new version
    assert engine.repository.get("p")["dialect"] == "spiff"
    waiting = engine.runtime.start("p", {})
    assert [t["element_id"] for t in waiting["tasks"]] == ["t"]  # SpiffArena: a step a person checks off
    assert complete(engine, waiting, "t")["status"] == "completed"
    assert engine.repository.deploy({"p.bpmn": PLAIN_TASK}, dialect="spiff")[0].created is False
    # Naming the dialect detection finds is the detected deployment again: version 1's checksum.
    again = engine.repository.deploy({"p.bpmn": PLAIN_TASK}, dialect="camunda7")[0]
    assert (again.version, again.created) == (3, True)
    assert engine.repository.get("p")["dialect"] == "camunda7"


def test_an_unknown_dialect_is_refused_naming_the_choices(engine: Engine) -> None:
    with pytest.raises(
        InvalidInput, match=r"unknown dialect 'spiffy': one of camunda7, camunda8, spiff, bpmn"
    ):
        engine.repository.deploy({"p.bpmn": PLAIN_TASK}, dialect="spiffy")
    assert engine.repository.list_latest() == []


@pytest.mark.parametrize(("dialect", "first"), [("camunda7", 0), ("camunda8", 1)])
def test_multi_instance_loop_counter_counts_as_its_engine_does_and_stays_local(
    engine: Engine, dialect: str, first: int
) -> None:
    loop = (
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
        "<bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"
    )
    body = f'<bpmn:startEvent id="s"/><bpmn:userTask id="t">{loop}</bpmn:userTask><bpmn:endEvent id="e"/>'
    body += flow("s", "t") + flow("t", "e")
    document = CAMUNDA7_ONLY if dialect == "camunda7" else None
    xml = document.format(body).encode() if document else model(body)
    started = start(engine, xml)
    seen = engine.tasks.get(started["tasks"][0]["id"])["variables"]
    assert (seen["loopCounter"], seen["nrOfInstances"]) == (first, 2)
    shown = complete(engine, started, "t")
    assert engine.tasks.get(shown["tasks"][0]["id"])["variables"]["loopCounter"] == first + 1
    done = complete(engine, shown, "t")
    assert done["status"] == "completed"
    assert not {"loopCounter", "nrOfInstances", "nrOfCompletedInstances"} & set(done["variables"])


@pytest.mark.parametrize("document", [CAMUNDA7_ONLY, SPIFF_ONLY], ids=["camunda7", "spiff"])
def test_elements_with_ids_spiffworkflow_reserves_run_and_keep_the_ids_drawn(
    engine: Engine, document: str
) -> None:
    # SpiffWorkflow names specs of its own 'Start', 'End' and '<process>.EndJoin'.
    body = (
        '<bpmn:startEvent id="Start"/><bpmn:userTask id="p.EndJoin"/><bpmn:endEvent id="End"/>'
        + flow("Start", "p.EndJoin")
        + flow("p.EndJoin", "End")
    )
    instance = start(engine, document.format(body).encode())
    assert [t["element_id"] for t in instance["tasks"]] == ["p.EndJoin"]
    done = complete(engine, instance, "p.EndJoin")
    assert done["status"] == "completed"
    events = engine.history.events(done["id"])
    completed = [e["element_id"] for e in events if e["kind"] == "activity_completed"]
    assert completed == ["Start", "p.EndJoin", "End"]


def test_a_multi_instance_item_with_a_name_and_no_id_is_the_element_variable(engine: Engine) -> None:
    # Camunda 7 names the element variable by <inputDataItem name="...">.
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="review" camunda:assignee="${reviewer}">'
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>reviewers</bpmn:loopDataInputRef>"
        '<bpmn:inputDataItem name="reviewer"/></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>'
        '<bpmn:endEvent id="e"/>' + flow("s", "review") + flow("review", "e")
    )
    instance = start(engine, CAMUNDA7_ONLY.format(body).encode(), reviewers=["ann", "ben"])
    assert sorted(t["variables"]["reviewer"] for t in instance["tasks"]) == ["ann", "ben"]
    assert sorted(engine.tasks.get(t["id"])["assignee"] for t in instance["tasks"]) == ["ann", "ben"]


MODELER = 'xmlns:modeler="http://camunda.org/schema/modeler/1.0"'


@pytest.mark.parametrize(
    ("declared", "attributes", "body", "expected"),
    [
        # Camunda Modeler declares zeebe: beside camunda:; what the file writes decides.
        (NAMESPACES, "", '<bpmn:userTask id="t" camunda:assignee="ada"/>', "camunda7"),
        (
            NAMESPACES,
            "",
            '<bpmn:userTask id="t"><bpmn:extensionElements><zeebe:assignmentDefinition'
            ' assignee="ada"/></bpmn:extensionElements></bpmn:userTask>',
            "camunda8",
        ),
        # SpiffArena's modeler leaves Camunda Modeler's platform mark behind.
        (
            NAMESPACES + " " + MODELER,
            'modeler:executionPlatform="Camunda Platform"',
            '<bpmn:userTask id="t"><bpmn:extensionElements><spiffworkflow:instructionsForEndUser>x'
            "</spiffworkflow:instructionsForEndUser></bpmn:extensionElements></bpmn:userTask>",
            "spiff",
        ),
        # Nothing written: the execution platform, then the namespaces only declared.
        (
            NAMESPACES + " " + MODELER,
            'modeler:executionPlatform="Camunda Cloud"',
            '<bpmn:task id="t"/>',
            "camunda8",
        ),
        (
            NAMESPACES + " " + MODELER,
            'modeler:executionPlatform="Camunda Platform"',
            '<bpmn:task id="t"/>',
            "camunda7",
        ),
        (NAMESPACES, "", '<bpmn:task id="t"/>', "camunda8"),
        ('xmlns:camunda="http://camunda.org/schema/1.0/bpmn"', "", '<bpmn:task id="t"/>', "camunda7"),
        ("", "", '<bpmn:task id="t"/>', "bpmn"),
    ],
)
def test_the_dialect_is_what_the_file_writes_then_its_platform_then_what_it_declares(
    declared: str, attributes: str, body: str, expected: str
) -> None:
    xml = (
        f'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" {declared} {attributes}'
        f' id="d" targetNamespace="t"><bpmn:process id="p" isExecutable="true">{body}</bpmn:process>'
        "</bpmn:definitions>"
    )
    assert dialect_of(etree.fromstring(xml.encode())) == expected
