"""JUEL's built-ins and objects as real Camunda 7 models use them (issue 14, point 7): `now()` and
`dateTime()` with Joda's methods, `execution` and `task`, Java's string, list and map methods, EL's
operators and coercions; dates stay ISO 8601 text, so variables, timers and due dates take them.

Cases marked "Camunda 7" are ported from the Camunda 7 engine's tests (camunda/camunda-bpm-platform,
Apache License 2.0):
- engine/src/test/java/org/camunda/bpm/engine/test/bpmn/el/ExpressionManagerTest.java
  (testMethodExpressions with its model ExpressionManagerTest.testMethodExpressions.bpmn20.xml,
  testJuelExpressionWithNonPublicClass, shouldCompareWithBigDecimal),
- engine/src/test/resources/org/camunda/bpm/engine/test/bpmn/tasklistener/TaskListenerTest.bpmn20.xml
  and .../cmmn/listener/CaseExecutionListenerTest.testFieldInjectionByClass.cmmn (substring),
- engine/src/test/java/org/camunda/bpm/engine/test/api/task/TaskQueryExpressionTest.java and
  .../api/filter/FilterTaskQueryTest.java (`now()`, `dateTime().plusMonths(2)`, `minusYears(1)`,
  `minusSeconds(10)`, `withMillis(0)`),
- engine/src/test/resources/org/camunda/bpm/engine/test/bpmn/callactivity/
  CallActivity.testSubProcessBusinessKeyInput.bpmn20.xml (`#{execution.processBusinessKey}`),
- engine/src/test/java/org/camunda/bpm/engine/test/bpmn/usertask/TaskDueDateExtensionsTest.java
  (testDueDateStringExtension: a due date given as ISO text in a variable),
- engine/src/test/java/org/camunda/bpm/engine/test/bpmn/event/timer/IntermediateTimerEventTest.java
  (testExpressionRecalculateCurrentDateBased: `${duration}` as a timer's duration).
"""

from __future__ import annotations

import ast
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine import Engine, InvalidModel
from engine.definitions.dialects import camunda7
from engine.expressions import (
    FUNCTIONS,
    FlowbridgeScriptEngine,
    UnsupportedExpression,
    juel_objects,
    translate,
)
from engine.expressions.sandbox import SandboxedEnvironment
from engine.microflows import MicroflowRegistry
from engine.runtime.projections import CLAIM
from engine.store.models import parse_moment
from engine.variables import check_json

from ..builders import flow, model

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)  # a Monday
"""The time `now()` and `dateTime()` read while the `clock` fixture holds SpiffWorkflow's clock."""


@pytest.fixture
def clock() -> Iterator[datetime]:
    """SpiffWorkflow's clock (which JUEL's `now()` reads, as Camunda 7's reads ClockUtil) held at NOW."""

    class _Held(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return NOW.astimezone(tz) if tz else NOW.replace(tzinfo=None)

    real = spiff_timer.datetime
    spiff_timer.datetime = _Held  # type: ignore[misc]
    try:
        yield NOW
    finally:
        spiff_timer.datetime = real  # type: ignore[misc]


def evaluate(text: str, variables: dict[str, Any] | None = None) -> Any:
    """The value of `text`, the same sandboxed and in SpiffWorkflow's plain environment."""
    source = translate(text)
    sandboxed = SandboxedEnvironment(FUNCTIONS).evaluate(source, dict(variables or {}))
    plain = TaskDataEnvironment(FUNCTIONS).evaluate(source, dict(variables or {}))
    assert sandboxed == plain, (text, source)
    return sandboxed


DATES = [
    ("${now()}", {}, "2026-01-05T09:30:00.000Z"),
    ("${dateTime()}", {}, "2026-01-05T09:30:00.000Z"),
    ("${dateTime().plusDays(3)}", {}, "2026-01-08T09:30:00.000Z"),
    ("${dateTime().plusWeeks(2)}", {}, "2026-01-19T09:30:00.000Z"),
    ("${dateTime().plusMonths(1)}", {}, "2026-02-05T09:30:00.000Z"),
    ("${dateTime().plusYears(1)}", {}, "2027-01-05T09:30:00.000Z"),
    ("${dateTime().plusHours(15)}", {}, "2026-01-06T00:30:00.000Z"),
    ("${dateTime().plusMinutes(45)}", {}, "2026-01-05T10:15:00.000Z"),
    ("${dateTime().plusSeconds(90)}", {}, "2026-01-05T09:31:30.000Z"),
    ("${dateTime().plusMillis(5)}", {}, "2026-01-05T09:30:00.005Z"),
    ("${dateTime().minusDays(5)}", {}, "2025-12-31T09:30:00.000Z"),
    ("${dateTime().minusWeeks(1)}", {}, "2025-12-29T09:30:00.000Z"),
    ("${dateTime().minusMonths(2)}", {}, "2025-11-05T09:30:00.000Z"),
    ("${dateTime().minusYears(1)}", {}, "2025-01-05T09:30:00.000Z"),
    ("${dateTime().minusHours(10)}", {}, "2026-01-04T23:30:00.000Z"),
    ("${dateTime().minusMinutes(30)}", {}, "2026-01-05T09:00:00.000Z"),
    ("${dateTime().minusSeconds(10)}", {}, "2026-01-05T09:29:50.000Z"),  # Camunda 7: TaskQueryExpressionTest
    ("${dateTime().plusDays(n)}", {"n": "2"}, "2026-01-07T09:30:00.000Z"),
    ("${dateTime().plusDays(1).plusHours(2).toDate()}", {}, "2026-01-06T11:30:00.000Z"),
    ("${d.plusMonths(1)}", {"d": "2024-01-31"}, "2024-02-29"),
    ("${d.plusDays(1)}", {"d": "2026-03-01T10:00:00+02:00"}, "2026-03-02T10:00:00.000+02:00"),
    ("${d.plusHours(1)}", {"d": "2026-03-01"}, "2026-03-01T01:00:00.000Z"),
    ("${dateTime().toDate()}", {}, "2026-01-05T09:30:00.000Z"),
    ("${dateTime().toString()}", {}, "2026-01-05T09:30:00.000Z"),
    ("${dateTime().toString('dd.MM.yyyy HH:mm')}", {}, "05.01.2026 09:30"),
    ('${dateTime().toString("EEE, d MMM yy, h:mm a")}', {}, "Mon, 5 Jan 26, 9:30 AM"),
    ("${d.toString(\"yyyy-MM-dd'T'HH:mmZZ\")}", {"d": "2026-03-01T10:00:00+02:00"}, "2026-03-01T10:00+02:00"),
    ("${dateTime().toLocalDate()}", {}, "2026-01-05"),
    ("${dateTime().withTimeAtStartOfDay()}", {}, "2026-01-05T00:00:00.000Z"),
    ("${dateTime().withMillis(0)}", {}, "1970-01-01T00:00:00.000Z"),  # Camunda 7: FilterTaskQueryTest
    ("${now().getTime()}", {}, int(NOW.timestamp()) * 1000),
    ("${dateTime().getYear()}-${dateTime().getMonthOfYear()}-${dateTime().getDayOfMonth()}", {}, "2026-1-5"),
    ("${dateTime().getDayOfWeek()} ${dateTime().getHourOfDay()}", {}, "1 9"),
    ("${dateTime().isBefore(dateTime().plusDays(1))}", {}, True),
    ("${dateTime().isAfter(due)}", {"due": "2025-12-24"}, True),
    ("${dateTime().isEqual(now())}", {}, True),
    ("${due.isBeforeNow()}", {"due": "2025-12-24T00:00:00Z"}, True),
    ("${due.isAfterNow()}", {"due": "2025-12-24T00:00:00Z"}, False),
    # Camunda 7 (TaskQueryExpressionTest): created now is before `plusMonths(2)`, after `minusYears(1)`.
    ("${created.before(dateTime().plusMonths(2))}", {"created": "2026-01-05T09:30:00Z"}, True),
    ("${created.after(dateTime().minusYears(1))}", {"created": "2026-01-05T09:30:00Z"}, True),
    # 08:00Z: before now as dates, though after it as text.
    ("${due < now()}", {"due": "2026-01-05T10:00:00+02:00"}, True),
    ("${due >= now()}", {"due": "2026-01-05T10:00:00+02:00"}, False),
    ("${a.compareTo(b)}", {"a": "2026-01-05", "b": "2026-01-05T00:00:00Z"}, 0),
    ("Due on ${dateTime().plusDays(1).toString('yyyy-MM-dd')}.", {}, "Due on 2026-01-06."),
]


@pytest.mark.parametrize(("text", "variables", "expected"), DATES)
def test_dates(clock: datetime, text: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate(text, variables) == expected


def test_now_reads_the_real_clock_without_the_fixture() -> None:
    value = evaluate("${now()}")
    assert abs(datetime.fromisoformat(value) - datetime.now(UTC)) < timedelta(seconds=5)


STRINGS = [
    ("${aString.substring(3,7)}", {"aString": "abcdefgh"}, "defg"),  # Camunda 7: ExpressionManagerTest
    ("${'Activiti'.substring(0,3)}", {}, "Act"),  # Camunda 7: TaskListenerTest.bpmn20.xml
    ("${'camunda'.substring(3,7)}", {}, "unda"),  # Camunda 7: CaseExecutionListenerTest
    ("${s.substring(2)}", {"s": "abcdefgh"}, "cdefgh"),
    ("${s.indexOf('d')} ${s.indexOf('z')} ${s.indexOf('a', 1)}", {"s": "abcabc"}, "-1 -1 3"),
    ("${s.lastIndexOf('b')}", {"s": "abcabc"}, 4),
    ("${s.length()}", {"s": "abc"}, 3),
    ("${s.contains('bc') && s.startsWith('a') && s.endsWith('c')}", {"s": "abc"}, True),
    ("${s.toUpperCase()}${s.toLowerCase()}", {"s": "aB"}, "ABab"),
    ("[${s.trim()}]", {"s": " \t x y \n"}, "[x y]"),
    ("${s.equals('abc')} ${s.equals(5)} ${s.equalsIgnoreCase('ABC')}", {"s": "abc"}, "true false true"),
    ("${s.replace('-', '/')}", {"s": "2026-01-05"}, "2026/01/05"),
    ("${s.split(',')}", {"s": "a,b,,c,,"}, ["a", "b", "", "c"]),
    ("${s.split(',').size()} ${s.split(',').get(1)}", {"s": "a,b"}, "2 b"),
    (r"${s.split('\\d+')}", {"s": "a1b22c"}, ["a", "b", "c"]),
    ("${s.split(',')}", {"s": ""}, [""]),
    (r"${s.matches('[A-Z]{2}-\\d+')} ${s.matches('AB')}", {"s": "AB-12"}, "true false"),
    ("${s.isEmpty()} ${t.isEmpty()} ${b.isBlank()}", {"s": "", "t": "x", "b": "  "}, "true false true"),
    ("${s.charAt(1)}${s.concat('!')}", {"s": "ab"}, "bab!"),
    ("${name.length() > 2 ? name.substring(0, 2) : name}", {"name": "Annabel"}, "An"),
    ("${n.toString()}${flag.toString()}", {"n": 7, "flag": True}, "7true"),
]


@pytest.mark.parametrize(("text", "variables", "expected"), STRINGS)
def test_string_methods(text: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate(text, variables) == expected


COLLECTIONS = [
    ("${list.contains('foo')}", {"list": ["foo", "bar"]}, True),  # Camunda 7: ExpressionManagerTest
    ("${!list.contains('foo')}", {"list": ["foo", "bar"]}, False),
    (
        "${list.size()} ${list.get(1)} ${list.isEmpty()} ${list.indexOf('bar')}",
        {"list": ["a", "bar"]},
        "2 bar false 1",
    ),
    (
        "${m.containsKey('k')} ${m.containsValue(1)} ${m.get('k')} ${m.size()}",
        {"m": {"k": 1}},
        "true true 1 1",
    ),
    ("${m.isEmpty()}", {"m": {}}, True),
    (
        "${total.compareTo(myValue) >= 0}",
        {"total": 123, "myValue": 0},
        True,
    ),  # Camunda 7: shouldCompareWithBigDecimal
    ("${total.compareTo(myValue) < 0}", {"total": 123, "myValue": 0}, False),
]


@pytest.mark.parametrize(("text", "variables", "expected"), COLLECTIONS)
def test_list_and_map_methods(text: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate(text, variables) == expected


OPERATORS = [
    ("${7 div 2} ${7 / 2}", {}, "3.5 3.5"),  # EL's `div` is `/`: a double, not integer division
    ("${7 mod 3} ${-7 mod 3} ${7.5 mod 2} ${7 % -3}", {}, "1 -1 1.5 1"),
    ("${x == '5'} ${'5' == 5.0} ${x != '6'} ${x eq '5'}", {"x": 5}, "true true true true"),
    (
        "${empty a} ${empty b} ${empty c} ${empty d}",
        {"a": None, "b": "", "c": [], "d": {}},
        "true true true true",
    ),
    ("${not empty a} ${!empty b}", {"a": "x", "b": [1]}, "true true"),
    ("${a > 1 ? (a > 5 ? 'big' : 'mid') : 'small'}", {"a": 3}, "mid"),
    ("${flag ? 'yes' : 'no'}", {"flag": "true"}, "yes"),
    ("Hello ${nobody}!", {"nobody": None}, "Hello !"),
    ("${x + 1}", {"x": "41"}, 42),
]


@pytest.mark.parametrize(("text", "variables", "expected"), OPERATORS)
def test_operators_and_coercions(text: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate(text, variables) == expected


def _task(**data: Any) -> Any:
    """A task as the script engine sees one: its element, its data and its id."""
    spec = SimpleNamespace(bpmn_id="review", bpmn_name="Review order", extensions={})
    return SimpleNamespace(id=uuid.uuid4(), task_spec=spec, data=data, internal_data={})


def _engine(business_key: str | None = "order-7") -> FlowbridgeScriptEngine:
    return FlowbridgeScriptEngine(MicroflowRegistry(), "instance-1", business_key=business_key)


EXECUTION = [
    ("${execution.processInstanceId}", "instance-1"),
    ("${execution.getProcessInstanceId()}", "instance-1"),
    ("#{execution.processBusinessKey}", "order-7"),  # Camunda 7: CallActivity.testSubProcessBusinessKeyInput
    ("${execution.getProcessBusinessKey()} ${execution.businessKey}", "order-7 order-7"),
    ("${execution.processBusinessKey.startsWith('order')}", True),
    (
        "${execution.currentActivityId} ${execution.activityId} ${execution.getCurrentActivityId()}",
        "review " * 2 + "review",
    ),
    ("${execution.currentActivityName}", "Review order"),
    ("${execution.getVariable(\"amount\")} ${execution.getVariableLocal('amount')}", "5 5"),
    ("${execution.getVariable('unset')}", None),
    ("${execution.hasVariable('amount')} ${execution.hasVariableLocal('unset')}", "true false"),
    ("${execution.getVariable(which)}", 5),
    ("${execution.getVariable(hidden)}", None),  # '_' names are Flowbridge's own: never read as variables
]


@pytest.mark.parametrize(("text", "expected"), EXECUTION)
def test_execution(text: str, expected: Any) -> None:
    task = _task(amount=5, which="amount", hidden="_fb_el_now")
    assert _engine().evaluate(task, translate(text)) == expected


def test_execution_without_a_business_key_is_null() -> None:
    assert _engine(None).evaluate(_task(), translate("${empty execution.processBusinessKey}")) is True


def test_execution_outside_an_instance_is_an_error() -> None:
    with pytest.raises(LookupError, match=r"execution\.processInstanceId is known only while"):
        evaluate("${execution.processInstanceId}")


def test_task_outside_a_user_task_is_the_variable_task() -> None:
    assert _engine().evaluate(_task(task={"name": "mine"}), translate("${task.name}")) == "mine"
    with pytest.raises(NameError, match="name 'task' is not defined"):
        evaluate("${task.name}")


def test_the_claim_key_is_the_runtimes() -> None:
    assert juel_objects.CLAIM == CLAIM


REFUSED = [
    ("${bean.doSomething()}", "method call 'bean.doSomething()' is not supported"),
    ("${s.replaceAll('a', 'b')}", "method call 's.replaceAll('a', 'b')' is not supported"),
    ("${execution.removeVariable('a')}", "'execution.removeVariable('a')' is not supported"),
    ("${execution}", "the Camunda 7 'execution' object itself is not available"),
    ("${execution.id}", "'execution.id' is not available; it offers processInstanceId"),
    ("${execution.getVariable(1)}", "'getVariable()' takes a variable name"),
    ("${execution.getVariable('_fb_x')}", "starts with '_'"),
    ("${execution.getProcessInstanceId(1)}", "takes 0 argument(s)"),
    ("${task.delete()}", "method call 'task.delete()' is not supported"),
    ("${now(1)}", "'now()' takes no arguments"),
    ("${today()}", "function call 'today()' is not supported"),
    ("${fn:upper(x)}", "function call 'fn:upper()'"),
    ("${dateTime().plusDays()}", "'plusDays()' takes 1 argument(s)"),
    ("${s.substring()}", "'substring()' takes 1 or 2 argument(s)"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused_at_translation(text: str, reason: str) -> None:
    with pytest.raises(UnsupportedExpression) as caught:
        translate(text)
    assert reason in caught.value.reason


RUN_TIME_ERRORS = [
    ("${d.plusDays(1)}", {"d": "soon"}, TypeError, "'plusDays()' needs a date"),
    ("${d.isBefore(x)}", {"d": "2026-01-01", "x": True}, TypeError, "'isBefore()' needs a date"),
    ("${s.substring(5)}", {"s": "abc"}, IndexError, "out of range"),
    ("${s.charAt(3)}", {"s": "abc"}, IndexError, "out of range"),
    ("${now().toString('yyyy Q')}", {}, ValueError, "pattern letter 'Q'"),
    ("${now().plusDays('x')}", {}, TypeError, "needs a whole number"),
    ("${n.length()}", {"n": 3}, TypeError, "needs a string"),
    ("${execution.getVariable(n)}", {"n": 3}, TypeError, "variable name must be a string"),
]


@pytest.mark.parametrize(("text", "variables", "error", "match"), RUN_TIME_ERRORS)
def test_run_time_errors(text: str, variables: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=re.escape(match)):
        evaluate(text, variables)


def test_dates_are_json_and_what_timers_and_due_dates_read(clock: datetime) -> None:
    value = evaluate("${dateTime().plusHours(1).toDate()}")
    check_json({"due": value}, "a date")
    assert json.loads(json.dumps(value)) == value
    assert TimerEventDefinition.parse_time_or_duration(value) == NOW + timedelta(hours=1)
    assert parse_moment(value) == NOW + timedelta(hours=1)
    assert parse_moment(evaluate("${dateTime().plusDays(1).toLocalDate()}")) == datetime(
        2026, 1, 6, tzinfo=UTC
    )


@pytest.mark.parametrize("text", [case[0] for case in DATES + STRINGS + COLLECTIONS + OPERATORS + EXECUTION])
def test_generated_source_calls_only_helpers(text: str) -> None:
    for node in ast.walk(ast.parse(translate(text), mode="eval")):
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS, text
        assert not isinstance(node, ast.Attribute), text


def test_a_bean_call_in_a_service_task_stays_a_microflow_call_with_translated_arguments() -> None:
    node = SimpleNamespace(
        get=lambda name, default=None: {
            "{http://camunda.org/schema/1.0/bpmn}expression": (
                "${mailer.send(execution.processBusinessKey, dateTime().plusDays(1))}"
            )
        }.get(name, default),
        findall=lambda path: [],
    )
    binding = camunda7.service_binding(node)
    assert binding is not None and binding["name"] == "mailer.send"
    assert binding["args"] == [
        translate("${execution.processBusinessKey}"),
        translate("${dateTime().plusDays(1)}"),
    ]


# ---- in a running instance ----


def _start(engine: Engine, body: str, **variables: Any) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": model(body)})
    return engine.runtime.start("p", variables)


def test_a_user_task_sees_task_and_execution_and_gets_a_due_date(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        '<bpmn:userTask id="review" name="Review" camunda:assignee="${task.name.toLowerCase()}"'
        ' camunda:dueDate="${dateTime().plusDays(2).toDate()}">'
        "<bpmn:extensionElements><camunda:inputOutput>"
        '<camunda:inputParameter name="taskId">${task.id}</camunda:inputParameter>'
        '<camunda:inputParameter name="where">${execution.currentActivityId}</camunda:inputParameter>'
        '<camunda:inputParameter name="instance">${execution.processInstanceId}</camunda:inputParameter>'
        '<camunda:inputParameter name="followUp">${dateTime().plusWeeks(1)}</camunda:inputParameter>'
        "</camunda:inputOutput></bpmn:extensionElements></bpmn:userTask>"
        '<bpmn:endEvent id="e"/>' + flow("s", "review") + flow("review", "e")
    )
    instance = _start(engine, body)
    task = instance["tasks"][0]
    assert task["assignee"] == "review"
    assert task["variables"]["taskId"] == task["id"]
    assert task["variables"]["where"] == "review"
    assert task["variables"]["instance"] == instance["id"]
    follow_up = parse_moment(task["variables"]["followUp"])
    due = parse_moment(task["due_at"])
    assert follow_up is not None and due is not None
    assert abs(due - datetime.now(UTC) - timedelta(days=2)) < timedelta(minutes=5)
    assert abs(follow_up - datetime.now(UTC) - timedelta(weeks=1)) < timedelta(minutes=5)


def test_a_due_date_from_a_variable(engine: Engine) -> None:
    # Camunda 7: TaskDueDateExtensionsTest.testDueDateStringExtension.
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t" camunda:dueDate="${dateVariable}"/>'
        '<bpmn:endEvent id="e"/>' + flow("s", "t") + flow("t", "e")
    )
    task = _start(engine, body, dateVariable="1986-07-06T12:10:00")["tasks"][0]
    assert parse_moment(task["due_at"]) == datetime(1986, 7, 6, 12, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "value", "variables"),
    [
        ("timeDate", "${dateTime().minusSeconds(1).toDate()}", {}),
        ("timeDate", "${now()}", {}),
        ("timeDuration", "${duration}", {"duration": "PT0S"}),  # Camunda 7: IntermediateTimerEventTest
    ],
)
def test_timers_given_by_juel_dates_fire(
    engine: Engine, kind: str, value: str, variables: dict[str, Any]
) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        f"<bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        '<bpmn:endEvent id="e"/>' + flow("s", "wait") + flow("wait", "e")
    )
    assert _start(engine, body, **variables)["status"] == "completed"


def test_a_timer_a_day_ahead_waits(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        "<bpmn:timeDate>${dateTime().plusDays(1).toDate()}</bpmn:timeDate></bpmn:timerEventDefinition>"
        '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>' + flow("s", "wait") + flow("wait", "e")
    )
    assert _start(engine, body)["status"] == "waiting"


def test_a_condition_on_dates_and_strings_chooses_the_path(engine: Engine) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="g_late"/>'
        '<bpmn:userTask id="early"/><bpmn:userTask id="late"/>'
        + flow("s", "g")
        + flow("g", "early", "${deadline.isAfterNow() &amp;&amp; code.matches('[A-Z]+-\\d+')}")
        + flow("g", "late")
    )
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert _start(engine, body, deadline=tomorrow, code="AB-1")["tasks"][0]["element_id"] == "early"


def test_an_unsupported_method_is_refused_at_deploy_naming_it(engine: Engine) -> None:
    body = '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>' + flow(
        "s", "e", "${orderService.isValid(order)}"
    )
    with pytest.raises(InvalidModel, match=r"method call 'orderService.isValid\(order\)' is not supported"):
        engine.repository.deploy({"p.bpmn": model(body)})


def test_the_business_key_reaches_expressions_in_a_real_run_and_after_a_restore(engine: Engine) -> None:
    """`execution.processBusinessKey` reads the instance's business key, at start and in later steps
    (the engine restores the workflow from the database before each: no cache)."""
    body = (
        '<bpmn:startEvent id="s"/><bpmn:userTask id="a" camunda:assignee="${execution.processBusinessKey}"/>'
        '<bpmn:userTask id="b" camunda:candidateGroups="${execution.getProcessBusinessKey()}"/>'
        '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e"/>'
    )
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
        f'<bpmn:process id="bk" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    )
    engine.repository.deploy({"bk.bpmn": xml.encode()})
    started = engine.runtime.start("bk", {}, business_key="order-42")
    [first] = started["tasks"]
    assert engine.tasks.get(first["id"])["assignee"] == "order-42"
    engine.tasks.complete(first["id"], {})
    [second] = engine.runtime.get(started["id"])["tasks"]
    assert engine.tasks.get(second["id"])["candidate_groups"] == ["order-42"]
