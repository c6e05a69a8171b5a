"""BPMN resource roles of user tasks, read as Camunda 7 reads them: humanPerformer is the assignee,
potentialOwner's `user(x)`, `group(x)` and bare names the candidates (engine.definitions.resource_roles)."""

from __future__ import annotations

import pytest
from lxml import etree

from engine import Engine, InvalidModel
from engine.definitions import resource_roles

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
HEADS = {
    "camunda7": f'xmlns:bpmn="{BPMN}" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
    "bpmn": f'xmlns:bpmn="{BPMN}"',
    "spiff": f'xmlns:bpmn="{BPMN}" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
}


def role(kind: str, text: str) -> str:
    return (
        f"<bpmn:{kind}><bpmn:resourceAssignmentExpression><bpmn:formalExpression>{text}"
        f"</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:{kind}>"
    )


def model(task: str, dialect: str = "camunda7", extra: str = "") -> bytes:
    spiff = (
        "<bpmn:extensionElements><spiffworkflow:instructionsForEndUser>x"
        "</spiffworkflow:instructionsForEndUser></bpmn:extensionElements>"
    )
    body = (
        f'<bpmn:startEvent id="s"/><bpmn:userTask id="t" {extra}>'
        + (spiff if dialect == "spiff" else "")
        + task
        + '</bpmn:userTask><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>'
    )
    return (
        f'<bpmn:definitions {HEADS[dialect]} id="d" targetNamespace="t">'
        f'<bpmn:process id="p" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    ).encode()


def open_task(engine: Engine, xml: bytes, variables: dict[str, object] | None = None) -> dict[str, object]:
    engine.repository.deploy({"p.bpmn": xml})
    started = engine.runtime.start("p", variables or {})
    found: dict[str, object] = engine.tasks.get(started["tasks"][0]["id"])
    return found


def test_potential_owner_entries_split_as_camunda_splits_them() -> None:
    assert resource_roles.comma_separated("user(a), group(b) ,c") == ["user(a)", "group(b)", "c"]
    # A comma inside an expression does not split it.
    assert resource_roles.comma_separated("user(${f(a, b)}), d") == ["user(${f(a, b)})", "d"]
    node = etree.fromstring(
        f'<userTask xmlns="{BPMN}">'
        + role("humanPerformer", " kermit ").replace("bpmn:", "")
        + role("potentialOwner", "user(gonzo), group(sales), accountancy").replace("bpmn:", "")
        + "</userTask>"
    )
    roles = resource_roles.read(node)
    assert roles.assignee == "kermit"
    assert roles.candidate_users == ["gonzo"]
    assert roles.candidate_groups == ["sales", "accountancy"]


def test_human_performer_assigns_and_potential_owner_offers_in_camunda_7(engine: Engine) -> None:
    task = open_task(
        engine, model(role("humanPerformer", "kermit") + role("potentialOwner", "user(gonzo), sales"))
    )
    assert task["assignee"] == "kermit"
    assert task["candidate_users"] == ["gonzo"] and task["candidate_groups"] == ["sales"]


def test_potential_owner_adds_to_the_camunda_candidates(engine: Engine) -> None:
    xml = model(role("potentialOwner", "user(fozzie), group(sales)"), extra='camunda:candidateUsers="kermit"')
    task = open_task(engine, xml)
    assert sorted(task["candidate_users"]) == ["fozzie", "kermit"]  # type: ignore[type-var]
    assert task["candidate_groups"] == ["sales"]


def test_expressions_in_resource_roles_are_evaluated_when_the_task_opens(engine: Engine) -> None:
    xml = model(
        role("humanPerformer", "${boss}") + role("potentialOwner", "user(${reviewer}), group(${team})")
    )
    task = open_task(engine, xml, {"boss": "ada", "reviewer": "bob", "team": "risk"})
    assert task["assignee"] == "ada"
    assert task["candidate_users"] == ["bob"] and task["candidate_groups"] == ["risk"]


def test_plain_bpmn_models_read_resource_roles_and_spiffarena_models_keep_ignoring_them(
    engine: Engine,
) -> None:
    plain = open_task(engine, model(role("potentialOwner", "accountancy"), dialect="bpmn"))
    assert plain["candidate_groups"] == ["accountancy"]
    spiff = open_task(engine, model(role("potentialOwner", "accountancy"), dialect="spiff"))
    assert spiff["candidate_groups"] == [] and spiff["candidate_users"] == []


@pytest.mark.parametrize(
    ("task", "extra", "words"),
    [
        (role("humanPerformer", "gonzo"), 'camunda:assignee="kermit"', "duplicate assignee declaration"),
        (role("humanPerformer", "a") + role("humanPerformer", "b"), "", "one humanPerformer, not several"),
        (role("potentialOwner", "user(kermit"), "", "lacks its closing parenthesis"),
        (role("potentialOwner", "user(${a +})"), "", "resource assignment"),
    ],
)
def test_what_camunda_refuses_is_refused_at_deploy_naming_the_task(
    engine: Engine, task: str, extra: str, words: str
) -> None:
    with pytest.raises(InvalidModel) as refused:
        engine.repository.deploy({"p.bpmn": model(task, extra=extra)})
    assert words in refused.value.message and "'t'" in refused.value.message
