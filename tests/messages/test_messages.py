"""Messages: correlation to catch events, receive tasks, boundary events and event-based gateways;
message start events; Zeebe, Camunda 7 and SpiffArena correlation; thrown messages; message ids."""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select

from engine import Engine, InvalidInput, InvalidModel, NotFound, VariablesNotJson
from engine.cli import main
from engine.definitions import parse_files
from engine.messages import matches
from engine.messages.waits import KEYS
from engine.store import UnitOfWork
from engine.store.models import DeliveredMessage, Job, MessageSubscription
from engine.workers import Worker

from ..builders import flow, model


def message(name: str = "order_paid", key: str | None = None, id_: str = "M") -> str:
    """A `bpmn:message`; `key`: its Zeebe subscription correlationKey."""
    extension = (
        f'<bpmn:extensionElements><zeebe:subscription correlationKey="{html.escape(key)}"/>'
        "</bpmn:extensionElements>"
        if key
        else ""
    )
    return f'<bpmn:message id="{id_}" name="{name}">{extension}</bpmn:message>'


def with_messages(xml: bytes, *messages: str) -> bytes:
    """Put root elements (messages, correlation properties) before the process."""
    return xml.replace(b"<bpmn:process ", "".join(messages).encode() + b"<bpmn:process ", 1)


def catch(element: str = "c", ref: str = "M") -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="{element}">'
        f'<bpmn:messageEventDefinition messageRef="{ref}"/></bpmn:intermediateCatchEvent>'
    )


CATCH = (
    '<bpmn:startEvent id="s"/>'
    + catch()
    + '<bpmn:userTask id="after"/><bpmn:endEvent id="e"/>'
    + flow("s", "c")
    + flow("c", "after")
    + flow("after", "e")
)


def deploy(engine: Engine, body: str, *messages: str, key: str = "p") -> None:
    engine.repository.deploy(
        {f"{key}.bpmn": with_messages(model(body, key=key), *(messages or (message(),)))}
    )


def tasks_of(engine: Engine, instance_id: str) -> list[str]:
    return [t["element_id"] for t in engine.runtime.get(instance_id)["tasks"]]


def received(engine: Engine, instance_id: str) -> list[dict[str, Any]]:
    return [e for e in engine.history.events(instance_id) if e["kind"] == "message_received"]


def subscriptions(engine: Engine) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    with UnitOfWork(engine.db) as uow:
        rows = uow.session.scalars(select(MessageSubscription).order_by(MessageSubscription.id)).all()
        return [(r.instance_id, r.name, r.element_id, r.correlation) for r in rows]


@pytest.fixture
def zeebe_keys() -> None:
    """Deployments keep Zeebe correlation keys on the task specs (engine.parsing does it)."""
    probe = with_messages(model(CATCH), message(key="=orderId"))
    [parsed] = parse_files({"p.bpmn": probe})
    assert KEYS in parsed.spec.task_specs["c"].extensions


# -- where messages are caught ---------------------------------------------------------------------


def test_an_intermediate_catch_event_receives_the_message_and_its_variables(engine: Engine) -> None:
    deploy(engine, CATCH)
    started = engine.runtime.start("p", {"orderId": 7, "paid": False})
    assert started["status"] == "waiting"
    [wait] = started["waiting"]
    assert (wait["kind"], wait["name"], wait["element_id"], wait["correlation"]) == (
        "event",
        "order_paid",
        "c",
        {},
    )
    assert subscriptions(engine) == [(started["id"], "order_paid", "c", {})]

    outcome = engine.messages.correlate("order_paid", {"orderId": 7}, {"paid": True, "amount": 12.5})

    assert outcome == {"delivered_to": [started["id"]], "started": []}
    instance = engine.runtime.get(started["id"])
    assert instance["variables"] == {"orderId": 7, "paid": True, "amount": 12.5}
    assert [t["element_id"] for t in instance["tasks"]] == ["after"]
    assert [w["kind"] for w in instance["waiting"]] == ["user_task"]
    [event] = received(engine, started["id"])
    assert (event["element_id"], event["data"]["name"], event["data"]["variables"]) == (
        "c",
        "order_paid",
        {"paid": True, "amount": 12.5},
    )
    assert subscriptions(engine) == []


def test_a_receive_task_receives_the_message(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:receiveTask id="r" messageRef="M"/>'
        '<bpmn:userTask id="after"/><bpmn:endEvent id="e"/>'
        + flow("s", "r")
        + flow("r", "after")
        + flow("after", "e")
    )
    deploy(engine, body)
    started = engine.runtime.start("p")
    assert [(w["name"], w["element_id"]) for w in started["waiting"]] == [("order_paid", "r")]
    assert engine.messages.correlate("order_paid", variables={"ok": 1})["delivered_to"] == [started["id"]]
    assert tasks_of(engine, started["id"]) == ["after"]
    assert engine.runtime.get(started["id"])["variables"] == {"ok": 1}


def test_an_interrupting_boundary_message_event_cancels_the_task(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="work"/>'
        '<bpmn:boundaryEvent id="b" attachedToRef="work"><bpmn:messageEventDefinition messageRef="M"/>'
        '</bpmn:boundaryEvent><bpmn:userTask id="cancelled"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + flow("s", "work")
        + flow("work", "e1")
        + flow("b", "cancelled")
        + flow("cancelled", "e2")
    )
    deploy(engine, body, message("order_cancelled"))
    started = engine.runtime.start("p", {"orderId": 3})
    [work] = started["tasks"]
    assert [(w["kind"], w.get("name")) for w in started["waiting"]] == [
        ("user_task", None),
        ("event", "order_cancelled"),
    ]

    engine.messages.correlate("order_cancelled", {"orderId": 3}, {"reason": "customer"})

    instance = engine.runtime.get(started["id"])
    assert [t["element_id"] for t in instance["tasks"]] == ["cancelled"]
    assert instance["variables"]["reason"] == "customer"
    assert engine.tasks.get(work["id"])["status"] == "cancelled"
    assert subscriptions(engine) == []


def test_an_event_based_gateway_takes_the_message_path_and_drops_the_timer(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>'
        + catch("paid")
        + '<bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        '<bpmn:userTask id="ship"/><bpmn:userTask id="remind"/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + flow("s", "g")
        + flow("g", "paid")
        + flow("g", "late")
        + flow("paid", "ship")
        + flow("late", "remind")
        + flow("ship", "e1")
        + flow("remind", "e2")
    )
    deploy(engine, body)
    started = engine.runtime.start("p", {"orderId": 1})
    assert ("order_paid", "g") in [(w["name"], w.get("element_id")) for w in started["waiting"]]
    with UnitOfWork(engine.db) as uow:
        [timer] = uow.session.scalars(select(Job).where(Job.instance_id == started["id"])).all()

    assert engine.messages.correlate("order_paid", {"orderId": 1}, {"paid": True})["delivered_to"] == [
        started["id"]
    ]

    instance = engine.runtime.get(started["id"])
    assert [t["element_id"] for t in instance["tasks"]] == ["ship"]
    assert instance["variables"]["paid"] is True
    assert engine.jobs.get(timer.id)["status"] == "cancelled"


def test_a_message_start_event_starts_the_latest_version(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>'
        '<bpmn:userTask id="handle"/><bpmn:endEvent id="e"/>' + flow("s", "handle") + flow("handle", "e")
    )
    deploy(engine, body, message("order_placed"), key="orders")
    deploy(
        engine, body.replace('id="handle"', 'id="handle" name="v2"'), message("order_placed"), key="orders"
    )

    outcome = engine.messages.correlate(
        "order_placed", {"business_key": "ord-9"}, {"orderId": 9, "items": ["a", "b"]}
    )

    assert outcome["delivered_to"] == []
    [instance_id] = outcome["started"]
    instance = engine.runtime.get(instance_id)
    assert (instance["key"], instance["version"], instance["business_key"]) == ("orders", 2, "ord-9")
    assert instance["variables"] == {"orderId": 9, "items": ["a", "b"]}
    assert [t["element_id"] for t in instance["tasks"]] == ["handle"]
    assert len(received(engine, instance_id)) == 1
    assert subscriptions(engine) == []
    # A second message starts a second instance: none waits at a catch for it.
    assert len(engine.messages.correlate("order_placed")["started"]) == 1


# -- correlation -----------------------------------------------------------------------------------


def test_a_zeebe_correlation_key_reaches_only_the_matching_instance(engine: Engine, zeebe_keys: None) -> None:
    deploy(engine, CATCH, message(key="=orderId"))
    first = engine.runtime.start("p", {"orderId": 1})
    second = engine.runtime.start("p", {"orderId": 2})
    assert [w["correlation"] for w in first["waiting"]] == [{"key": 1}]
    assert sorted(s[3]["key"] for s in subscriptions(engine)) == [1, 2]

    # Zeebe's keys are strings: "2" reaches the instance whose key evaluated to 2.
    assert engine.messages.correlate("order_paid", {"key": "2"}) == {
        "delivered_to": [second["id"]],
        "started": [],
    }
    assert tasks_of(engine, second["id"]) == ["after"]
    assert tasks_of(engine, first["id"]) == []
    with pytest.raises(NotFound):
        engine.messages.correlate("order_paid", {"key": 2})
    # Correlating on the variable works too.
    assert engine.messages.correlate("order_paid", {"orderId": 1})["delivered_to"] == [first["id"]]


def test_a_zeebe_correlation_key_is_fixed_when_the_wait_begins(engine: Engine, zeebe_keys: None) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        + catch()
        + '<bpmn:userTask id="edit"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + flow("s", "fork")
        + flow("fork", "c")
        + flow("fork", "edit")
        + flow("c", "e1")
        + flow("edit", "e2")
    )
    deploy(engine, body, message(key='="ord-" + string(orderId)'))
    started = engine.runtime.start("p", {"orderId": 5})
    [edit] = started["tasks"]
    engine.tasks.complete(edit["id"], {"orderId": 6})
    assert engine.messages.correlate("order_paid", {"key": "ord-5"})["delivered_to"] == [started["id"]]


def test_a_correlation_key_outside_the_feel_subset_is_refused_at_deploy(
    engine: Engine, zeebe_keys: None
) -> None:
    with pytest.raises(InvalidModel, match="message 'order_paid': correlationKey '=orderId \\+'"):
        deploy(engine, CATCH, message(key="=orderId +"))


def test_camunda_7_correlates_on_process_variables_and_the_business_key(engine: Engine) -> None:
    deploy(engine, CATCH)
    ada = engine.runtime.start("p", {"customer": "ada", "region": "eu"}, business_key="A-1")
    bob = engine.runtime.start("p", {"customer": "bob", "region": "eu"}, business_key="B-1")

    with pytest.raises(
        NotFound, match=r"no instance waits for message 'order_paid' with \{'customer': 'eve'\}"
    ):
        engine.messages.correlate("order_paid", {"customer": "eve"})
    assert engine.messages.correlate("order_paid", {"customer": "bob", "region": "eu"})["delivered_to"] == [
        bob["id"]
    ]
    assert engine.messages.correlate("order_paid", {"business_key": "A-1"})["delivered_to"] == [ada["id"]]


def test_every_waiting_instance_that_matches_receives_the_message(engine: Engine) -> None:
    deploy(engine, CATCH)
    ids = [engine.runtime.start("p", {"region": "eu"})["id"] for _ in range(3)]
    other = engine.runtime.start("p", {"region": "us"})
    outcome = engine.messages.correlate("order_paid", {"region": "eu"})
    assert sorted(outcome["delivered_to"]) == sorted(ids)
    assert tasks_of(engine, other["id"]) == []


CONCURRENT = (
    '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
    + catch("c1")
    + catch("c2")
    + '<bpmn:parallelGateway id="join"/><bpmn:userTask id="after"/>'
    + flow("s", "fork")
    + flow("fork", "c1")
    + flow("fork", "c2")
    + flow("c1", "join")
    + flow("c2", "join")
    + flow("join", "after")
)


@pytest.mark.parametrize("dialect", ["camunda7", "camunda8"])
def test_one_correlation_reaches_one_wait_of_an_instance(engine: Engine, dialect: str) -> None:
    engine.repository.deploy({"p.bpmn": with_messages(model(CONCURRENT), message())}, dialect=dialect)
    started = engine.runtime.start("p", {})
    engine.messages.correlate("order_paid")
    assert [e["element_id"] for e in received(engine, started["id"])] == ["c1"]  # the oldest wait
    assert tasks_of(engine, started["id"]) == []
    engine.messages.correlate("order_paid")
    assert [e["element_id"] for e in received(engine, started["id"])] == ["c1", "c2"]
    assert tasks_of(engine, started["id"]) == ["after"]


def test_in_spiffarena_models_every_matching_wait_catches_it(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": with_messages(model(CONCURRENT), message())}, dialect="spiff")
    started = engine.runtime.start("p", {})
    engine.messages.correlate("order_paid")
    assert sorted(e["element_id"] for e in received(engine, started["id"])) == ["c1", "c2"]
    assert tasks_of(engine, started["id"]) == ["after"]


def test_spiffarena_correlation_properties_and_message_variable(engine: Engine) -> None:
    deploy(engine, SPIFF_RECEIVER, *spiff_root("recv"), key="recv")
    first = engine.runtime.start("recv", {"order_id": 1})
    second = engine.runtime.start("recv", {"order_id": 2})
    assert [w["correlation"] for w in first["waiting"]] == [{"order_id": 1}]

    assert engine.messages.correlate("order_paid", {"order_id": 2}, {"amount": 5})["delivered_to"] == [
        second["id"]
    ]
    # SpiffArena puts the message's payload into the catch event's message variable.
    assert engine.runtime.get(second["id"])["variables"] == {
        "order_id": 2,
        "payment": {"order_id": 2, "amount": 5},
    }
    assert tasks_of(engine, first["id"]) == []


def test_the_matching_rule() -> None:
    assert matches({}, {"key": 1}, {}, None)
    assert matches({"key": "7"}, {"key": 7}, {}, None)
    assert not matches({"key": 7}, {"key": 8}, {"key": 7}, None)  # the subscription's value decides
    assert matches({"orderId": 7}, {}, {"orderId": 7}, None)
    assert not matches({"orderId": 7}, {}, {}, None)
    assert not matches({"flag": 1}, {}, {"flag": True}, None)
    assert matches({"business_key": "B"}, {}, {}, "B")


# -- messages thrown inside an instance ------------------------------------------------------------

SENDER = (
    '<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="pay">'
    '<bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateThrowEvent>'
    '<bpmn:endEvent id="e"/>' + flow("s", "pay") + flow("pay", "e")
)


def test_a_thrown_message_reaches_the_instance_that_waits_for_it(engine: Engine, zeebe_keys: None) -> None:
    deploy(engine, CATCH, message(key="=orderId"), key="receiver")
    deploy(engine, SENDER, message(key="=orderId"), key="sender")
    one = engine.runtime.start("receiver", {"orderId": 1})
    two = engine.runtime.start("receiver", {"orderId": 2})

    sender = engine.runtime.start("sender", {"orderId": 2, "shipped": True})

    assert sender["status"] == "completed"
    with UnitOfWork(engine.db) as uow:
        [job] = uow.session.scalars(select(Job).where(Job.kind == "message")).all()
    assert (job.instance_id, job.element_id, job.payload["name"], job.payload["correlation"]) == (
        sender["id"],
        "pay",
        "order_paid",
        {"key": 2},
    )
    assert Worker(engine, concurrency=1).run_until_idle() == 1
    assert engine.jobs.get(job.id)["status"] == "done"
    assert engine.jobs.get(job.id)["result"] == {"delivered_to": [two["id"]], "started": []}
    assert tasks_of(engine, two["id"]) == ["after"]
    assert engine.runtime.get(two["id"])["variables"] == {"orderId": 2, "shipped": True}
    assert tasks_of(engine, one["id"]) == []
    assert "message_thrown" in [e["kind"] for e in engine.history.events(sender["id"])]


def test_a_spiffarena_message_thrown_with_its_payload(engine: Engine) -> None:
    deploy(engine, SPIFF_RECEIVER, *spiff_root("recv"), key="recv")
    deploy(engine, SPIFF_SENDER, *spiff_root("send"), key="send")
    waiting = engine.runtime.start("recv", {"order_id": 4})
    engine.runtime.start("send", {"order_id": 4})
    Worker(engine, concurrency=1).run_until_idle()
    assert engine.runtime.get(waiting["id"])["variables"]["payment"] == {"order_id": 4, "amount": 10}


def test_a_thrown_message_nobody_waits_for_fails_its_job(engine: Engine) -> None:
    deploy(engine, SENDER, key="sender")
    sender = engine.runtime.start("sender", {"orderId": 2})
    Worker(engine, concurrency=1).run_until_idle()
    with UnitOfWork(engine.db) as uow:
        [job] = uow.session.scalars(select(Job).where(Job.kind == "message")).all()
    assert job.status == "failed"
    assert "no instance waits for message 'order_paid'" in (job.error or "")
    [event] = [e for e in engine.history.events(sender["id"]) if e["kind"] == "message_not_delivered"]
    assert event["data"]["error"] == job.error
    assert engine.runtime.get(sender["id"])["status"] == "completed"


def test_a_thrown_message_is_turned_into_a_job_once(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="pay">'
        '<bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateThrowEvent>'
        '<bpmn:userTask id="one"/><bpmn:userTask id="two"/><bpmn:endEvent id="e"/>'
        + flow("s", "pay")
        + flow("pay", "one")
        + flow("one", "two")
        + flow("two", "e")
    )
    deploy(engine, body, key="sender")
    sender = engine.runtime.start("sender")
    engine.tasks.complete(sender["tasks"][0]["id"])  # a later step restores the saved state
    with UnitOfWork(engine.db) as uow:
        assert len(uow.session.scalars(select(Job).where(Job.kind == "message")).all()) == 1


# -- message ids and refusals ----------------------------------------------------------------------


def test_a_message_id_makes_a_repeat_harmless(engine: Engine) -> None:
    deploy(engine, CATCH)
    first_waiting = engine.runtime.start("p", {"n": 1})
    first = engine.messages.correlate("order_paid", message_id="pay-1")
    assert first == {"delivered_to": [first_waiting["id"]], "started": []}
    later = engine.runtime.start("p", {"n": 2})

    assert engine.messages.correlate("order_paid", message_id="pay-1") == first
    assert tasks_of(engine, later["id"]) == []
    assert len(received(engine, first_waiting["id"])) == 1
    assert received(engine, first_waiting["id"])[0]["data"]["message_id"] == "pay-1"
    # Another id is another message.
    assert engine.messages.correlate("order_paid", message_id="pay-2")["delivered_to"] == [later["id"]]


def test_a_repeat_of_an_interrupted_delivery_goes_on_where_it_stopped(engine: Engine) -> None:
    deploy(engine, CATCH)
    reached = engine.runtime.start("p", business_key="R")
    missed = engine.runtime.start("p", business_key="M")
    # As if a delivery with id "x" had reached `reached` (in its own step) and the process had died.
    engine.messages.correlate("order_paid", {"business_key": "R"})
    store_outcome(engine, "x", {"delivered_to": [reached["id"]], "started": [], "complete": False})

    assert engine.messages.correlate("order_paid", message_id="x") == {
        "delivered_to": [reached["id"], missed["id"]],
        "started": [],
    }
    assert len(received(engine, reached["id"])) == 1
    assert tasks_of(engine, missed["id"]) == ["after"]


def store_outcome(engine: Engine, message_id: str, outcome: dict[str, Any]) -> None:
    with UnitOfWork(engine.db, write=True) as uow:
        uow.connection.execute(
            insert(DeliveredMessage.__table__),  # type: ignore[arg-type]
            {
                "message_id": message_id,
                "name": "order_paid",
                "outcome": outcome,
                "delivered_at": datetime.now(UTC),
            },
        )
        uow.commit()


def test_a_stored_outcome_is_returned_without_delivering(engine: Engine) -> None:
    deploy(engine, CATCH)
    waiting = engine.runtime.start("p")
    store_outcome(engine, "old", {"delivered_to": ["gone"], "started": [], "complete": True})
    assert engine.messages.correlate("order_paid", message_id="old") == {
        "delivered_to": ["gone"],
        "started": [],
    }
    assert tasks_of(engine, waiting["id"]) == []


def concurrently(*calls: Any) -> list[Any]:
    """Run the calls in threads released together; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:  # handed back to the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_the_same_message_id_delivered_concurrently_arrives_once(engine: Engine) -> None:
    deploy(engine, CATCH)
    waiting = engine.runtime.start("p")
    first, second = concurrently(
        lambda: engine.messages.correlate("order_paid", message_id="dup"),
        lambda: engine.messages.correlate("order_paid", message_id="dup"),
    )
    assert first == second == {"delivered_to": [waiting["id"]], "started": []}
    assert len(received(engine, waiting["id"])) == 1


def test_concurrent_messages_each_start_their_own_instance(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>'
        '<bpmn:userTask id="handle"/><bpmn:endEvent id="e"/>' + flow("s", "handle") + flow("handle", "e")
    )
    deploy(engine, body, message("order_placed"), key="orders")
    outcomes = concurrently(
        *[lambda n=n: engine.messages.correlate("order_placed", variables={"n": n}) for n in range(3)]
    )
    started = [o["started"] for o in outcomes]
    assert all(len(ids) == 1 for ids in started), outcomes
    ids = [ids[0] for ids in started]
    assert len(set(ids)) == 3
    assert sorted(engine.runtime.get(i)["variables"]["n"] for i in ids) == [0, 1, 2]
    assert all(len(received(engine, i)) == 1 for i in ids)


def test_nobody_waits_is_an_error_not_a_silent_drop(engine: Engine) -> None:
    with pytest.raises(
        NotFound, match="no instance waits for message 'nothing', and no process starts with it"
    ):
        engine.messages.correlate("nothing")
    deploy(engine, CATCH)
    done = engine.runtime.start("p")
    engine.messages.correlate("order_paid")
    with pytest.raises(NotFound, match=r"with \{'orderId': 7\}"):
        engine.messages.correlate("order_paid", {"orderId": 7})
    assert engine.runtime.get(done["id"])["tasks"]


def test_bad_input_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidInput):
        engine.messages.correlate("")
    with pytest.raises(InvalidInput):
        engine.messages.correlate("m", correlation=[1])  # type: ignore[arg-type]
    with pytest.raises(VariablesNotJson):
        engine.messages.correlate("m", variables={"when": datetime.now(UTC)})
    with pytest.raises(InvalidInput):
        engine.messages.correlate("m", message_id="")


# -- the command line ------------------------------------------------------------------------------


def ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result


def as_json(result: Any) -> Any:
    return json.loads(ok(result).stdout)


def refused(result: Any, *words: str) -> None:
    """Exit 1 with one `error: ...` line on stderr naming `words`."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and all(word in line for word in words), line


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    model_file = tmp_path / "p.bpmn"
    model_file.write_bytes(with_messages(model(CATCH), message()))

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--db", url, "--models", str(tmp_path), *args])

    ok(run("deploy", str(model_file)))
    yield run


def test_cli_message_delivers_and_refuses(cli: Any) -> None:
    ada = as_json(cli("start", "p", "--var", "customer=ada", "--json"))
    bob = as_json(cli("start", "p", "--var", "customer=bob", "--json"))

    outcome = as_json(
        cli(
            "message",
            "order_paid",
            "--correlate",
            "customer=bob",
            "--var",
            "amount=12",
            "--id",
            "m-1",
            "--json",
        )
    )
    assert outcome == {"delivered_to": [bob["id"]], "started": []}
    assert as_json(cli("show", bob["id"], "--json"))["variables"] == {"customer": "bob", "amount": 12}
    assert ok(cli("message", "order_paid", "--correlate", "customer=bob", "--id", "m-1")).stdout == (
        f"delivered to {bob['id']}\n"
    )
    assert ok(cli("message", "order_paid")).stdout == f"delivered to {ada['id']}\n"
    refused(cli("message", "order_paid", "--correlate", "customer=eve"), "no instance waits", "'eve'")
    refused(cli("message", "order_paid", "--correlate", "customer"), "--correlate expects KEY=VALUE")


# -- SpiffArena models -----------------------------------------------------------------------------


def spiff_root(key: str) -> tuple[str, ...]:
    """A collaboration with correlation key `order` (property `order_id`) and message order_paid."""
    return (
        f'<bpmn:collaboration id="collab"><bpmn:participant id="part" processRef="{key}"/>'
        '<bpmn:correlationKey name="order">'
        "<bpmn:correlationPropertyRef>order_id</bpmn:correlationPropertyRef>"
        "</bpmn:correlationKey></bpmn:collaboration>",
        '<bpmn:message id="order_paid" name="order_paid"/>',
        '<bpmn:correlationProperty id="order_id" name="order_id">'
        '<bpmn:correlationPropertyRetrievalExpression messageRef="order_paid">'
        "<bpmn:formalExpression>order_id</bpmn:formalExpression></bpmn:correlationPropertyRetrievalExpression>"
        "</bpmn:correlationProperty>",
    )


SPIFF_RECEIVER = (
    '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="c">'
    '<bpmn:messageEventDefinition messageRef="order_paid"><bpmn:extensionElements>'
    "<spiffworkflow:messageVariable>payment</spiffworkflow:messageVariable>"
    "<spiffworkflow:processVariableCorrelation><spiffworkflow:propertyId>order_id</spiffworkflow:propertyId>"
    "<spiffworkflow:expression>order_id</spiffworkflow:expression></spiffworkflow:processVariableCorrelation>"
    "</bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>"
    '<bpmn:manualTask id="after"/><bpmn:endEvent id="e"/>'
    + flow("s", "c")
    + flow("c", "after")
    + flow("after", "e")
)
SPIFF_SENDER = (
    '<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="t">'
    '<bpmn:messageEventDefinition messageRef="order_paid"><bpmn:extensionElements>'
    '<spiffworkflow:messagePayload>{"order_id": order_id, "amount": 10}</spiffworkflow:messagePayload>'
    "</bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateThrowEvent>"
    '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e")
)
