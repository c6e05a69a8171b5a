"""The JUEL and FEEL translators: translated source evaluated as SpiffWorkflow evaluates it."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.expressions import (
    FUNCTIONS,
    UnsupportedExpression,
    dialect_of,
    feel,
    is_expression,
    name_of,
    to_python,
    translate,
)
from engine.expressions.translate import _BUILTINS


def evaluate(text: str, variables: dict[str, Any] | None = None) -> Any:
    """The value of `text`, checked to be the same without builtins and in SpiffWorkflow's environment."""
    source = translate(text)
    bare = eval(source, {"__builtins__": {}, **FUNCTIONS}, dict(variables or {}))
    spiff = TaskDataEnvironment(FUNCTIONS).evaluate(source, dict(variables or {}))
    # The clock may tick between the two evaluations.
    assert bare == spiff or "now()" in text, (text, source)
    return spiff


ORDER = {"amount": 2000, "approved": True, "name": "Ann", "a": {"b": "x"}, "items": [1, 2, 3]}

JUEL = [
    ("${amount > 1000 && approved}", ORDER, True),
    ("${amount > 1000 && approved}", {"amount": 500, "approved": True}, False),
    ("${amount gt 1000 and not approved}", ORDER, False),
    ("#{not empty name}", ORDER, True),
    ("#{empty name}", {"name": ""}, True),
    ("${empty items}", {"items": []}, True),
    ("${empty a}", {"a": None}, True),
    ("${a.b eq 'x'}", ORDER, True),
    ("${a['b'] == \"x\"}", ORDER, True),
    ("${a.missing == null}", ORDER, True),
    ("${items[0] + items[2]}", ORDER, 4),
    ("${items[7]}", ORDER, None),
    ("${x div 2}", {"x": 5}, 2.5),
    ("${x / 4 * 2}", {"x": 6}, 3.0),
    ("${x % 3} ${x mod 3} ${-x % 3}", {"x": 7}, "1 1 -1"),
    ("${-x + 1}", {"x": 3}, -2),
    ("${x + 1}", {"x": None}, 1),
    ("${x + 1}", {"x": "41"}, 42),
    ("${x < 3}", {"x": None}, False),
    ("${x == 5}", {"x": "5"}, True),
    ("${flag == true}", {"flag": "true"}, True),
    ("${x != 'a' || y}", {"x": "a", "y": False}, False),
    ("${!flag}", {"flag": None}, True),
    ("${x >= 1 and x le 2}", {"x": 2}, True),
    ("${x > 1 ? 'big' : 'small'}", {"x": 1}, "small"),
    ("${(1 + 2) * 3}", {}, 9),
    ("${1.5e1}", {}, 15.0),
    (r"""${'it\'s' == "it's"}""", {}, True),
    ("${true}", {}, True),
    ("${null}", {}, None),
    ("  ${approved}  ", ORDER, True),
    ("Hello ${name}!", ORDER, "Hello Ann!"),
    ("${name} has ${amount} (${approved}, ${nothing})", {**ORDER, "nothing": None}, "Ann has 2000 (true, )"),
    (r"costs \${price}", {}, "costs ${price}"),
    ("${'a}b'}", {}, "a}b"),
    ("${execution.getVariable('amount')}", ORDER, 2000),
    ("${execution.getVariable('unset')}", {}, None),
    ("${execution.hasVariable('unset')}", {}, False),
    ("${items.size() == 3 && !items.isEmpty()}", ORDER, True),
    ("${items.contains(2)}", ORDER, True),
    ("${name.startsWith('A') && name.endsWith('n')}", ORDER, True),
    ("${name.toUpperCase()}${name.toLowerCase()}${name.length()}", ORDER, "ANNann3"),
    ("${name.contains('nn')}", ORDER, True),
    ("${a.containsKey('b') && a.get('b').equals('x')}", ORDER, True),
    ("${id}", {"id": 7}, 7),
    ("${type == 'rush'}", {"type": "rush"}, True),
    ("${größe > 1}", {"größe": 2}, True),
]


@pytest.mark.parametrize(("text", "variables", "expected"), JUEL)
def test_juel(text: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate(text, variables) == expected


FEEL = [
    ("=amount > 1000", ORDER, True),
    ("=amount > 1000", {"amount": 5}, False),
    ("=amount > 1000 and not(approved)", ORDER, False),
    ("=amount > 1000 and not(approved)", {"amount": 2000, "approved": False}, True),
    ('=customer.address.city = "Berlin"', {"customer": {"address": {"city": "Berlin"}}}, True),
    ('=customer.address.city = "Berlin"', {"customer": {}}, False),
    ('=customer.address.city = "Berlin"', {}, False),
    ("=customer.address.city", {"customer": None}, None),
    ("=missing > 3", {}, None),
    ("=missing = null", {}, True),
    ("=missing != null", {}, False),
    ("=missing + 1", {}, None),
    ("=missing > 3 or true", {}, True),
    ("=missing > 3 and false", {}, False),
    ("=not(missing)", {}, None),
    ('=if x > 1 then "big" else "small"', {"x": 2}, "big"),
    ('=if x > 1 then "big" else "small"', {}, "small"),
    ("=[1,2,3][1]", {}, 1),
    ("=[1,2,3][-1]", {}, 3),
    ("=[1,2,3][4]", {}, None),
    ("=items[2]", ORDER, 2),
    ("=orders.amount", {"orders": [{"amount": 1}, {"amount": 2}]}, [1, 2]),
    ("=1 + 2 * 3 - 4 / 2", {}, 5),
    ("=10 / 4", {}, 2.5),
    ("=0.1 + 0.2", {}, 0.3),
    ("=2 ** 10", {}, 1024),
    ("=-x", {"x": 3}, -3),
    ("=1 / 0", {}, None),
    ("=2 ** 100000000", {}, None),
    ('="a" + "b"', {}, "ab"),
    ('="a" + 1', {}, None),
    ('="say \\"hi\\"\\n"', {}, 'say "hi"\n'),
    ("=x between 1 and 10", {"x": 5}, True),
    ("=x between 1 and 10", {"x": 11}, False),
    ("=x in [1..10]", {"x": 10}, True),
    ("=x in [1..10)", {"x": 10}, False),
    ("=x in (1..10]", {"x": 1}, False),
    ("=x in (1, 2, 3)", {"x": 3}, True),
    ('=x in ("a", "b")', {"x": "c"}, False),
    ("=x in [1, 2]", {"x": 2}, True),
    ("=x in > 3", {"x": 4}, True),
    ("=x in xs", {"x": 2, "xs": [1, 2]}, True),
    ("=x >= 1 and x <= 2 and x != 3", {"x": 2}, True),
    ("=true or missing", {}, True),
    ("=null", {}, None),
    ('={a: 1, "b c": [1, 2.5], d: {e: x}}', {"x": True}, {"a": 1, "b c": [1, 2.5], "d": {"e": True}}),
    ("=[]", {}, []),
    ("=result.total", {"result": {"total": 3}}, 3),
    ("=class", {"class": "A"}, "A"),
    ("=größe > 1", {"größe": 2}, True),
    ('=Vacation Approval = "Manual"', {"Vacation Approval": "Manual"}, True),
    ("=person.first name", {"person": {"first name": "Ann"}}, "Ann"),
    ('=string join(["a", null, "b"], ", ") + string join(["c"])', {}, "a, bc"),
    ("=// a comment\n x /* another */ + 1", {"x": 1}, 2),
    ("=string(x) + string(y) + string(z)", {"x": 1.0, "y": True, "z": "s"}, "1trues"),
    ("=string(missing)", {}, None),
    ('=number("12.50") + number(" 3 ")', {}, 15.5),
    ('=number("abc")', {}, None),
    ("=string length(name)", ORDER, 3),
    ("=string length(missing)", {}, None),
    ("=upper case(name) + lower case(name)", ORDER, "ANNann"),
    ('=contains(name, "nn") and starts with(name, "A") and ends with(name, "n")', ORDER, True),
    ('=substring("foobar", 3) + substring("foobar", -2, 1) + substring("foobar", 1, 3)', {}, "obarafoo"),
    ('=substring before("foo@bar", "@") + substring after("foo@bar", "@")', {}, "foobar"),
    ("=count(items) + sum(items) + min(items) + max(items)", ORDER, 3 + 6 + 1 + 3),
    ("=sum(1, 2.5) + mean([1, 2])", {}, 5),
    ("=min([])", {}, None),
    ("=list contains(items, 2) and not(list contains(items, 5))", ORDER, True),
    ("=append([1], 2, 3) + [4]", {}, None),
    ("=count(append([1], 2, 3)) + count(concatenate([1], [2, 3])) + reverse([1, 2])[1]", {}, 8),
    ("=is defined(a.b) and not(is defined(a.c)) and not(is defined(zz))", ORDER, True),
    ("=is defined(v)", {"v": None}, True),
    ("=abs(-2) + floor(1.5) + ceiling(1.2)", {}, 5),
    ("=round half up(2.345, 2) + round half down(2.345, 2)", {}, 4.69),
    ("=round up(1.1, 0) + round down(1.9, 0)", {}, 3),
    ("=decimal(2.5, 0) + decimal(1 / 3, 2)", {}, 2.33),
    ('=duration("PT5M")', {}, "PT5M"),
    ('=duration("5 minutes")', {}, None),
    ('=date and time("2026-01-01T10:00:00Z")', {}, "2026-01-01T10:00:00Z"),
    ('=date and time("2026-01-01T10:00:00+00:00")', {}, "2026-01-01T10:00:00Z"),
    ('=date and time(date("2026-03-04"), time("05:06:07"))', {}, "2026-03-04T05:06:07"),
    ('=date("2026-01-31T10:00:00Z")', {}, "2026-01-31"),
    ("=date(2026, 2, 3)", {}, "2026-02-03"),
    ('=time("10:30:00Z")', {}, "10:30:00Z"),
    ('=@"2026-01-01"', {}, "2026-01-01"),
    ('=@"P1D"', {}, "P1D"),
    ('=date and time("2026-01-31T10:00:00Z") + duration("P1M")', {}, "2026-02-28T10:00:00Z"),
    ('=date and time("2026-01-01T10:00:00Z") - duration("PT30M")', {}, "2026-01-01T09:30:00Z"),
    ('=date("2026-01-01") + duration("P1D")', {}, "2026-01-02"),
    ('=date("2026-03-01") - date("2026-02-01")', {}, "P28D"),
    ('=duration("PT1H") + duration("PT30M")', {}, "PT1H30M"),
    ('=date and time("2026-01-01T10:00:00Z") < date and time("2026-01-01T11:00:00+00:00")', {}, True),
    ('=date and time("2026-01-01T12:00:00+02:00") = date and time("2026-01-01T10:00:00Z")', {}, True),
    ('=duration("PT90M") > duration("PT1H")', {}, True),
    ('=date("2026-01-01").year + date("2026-01-01").weekday', {}, 2030),
    ('=cycle(duration("PT1H"))', {}, "R/PT1H"),
    ('=cycle(3, duration("PT1H"))', {}, "R3/PT1H"),
    ('=some risk in riskLevels satisfies risk = "red"', {"riskLevels": ["green", "red"]}, True),
    ('=some risk in riskLevels satisfies risk = "red"', {"riskLevels": ["green"]}, False),
    ("=some x in missing satisfies x > 1", {}, None),
    ("=every x in xs satisfies x > limit", {"xs": [5, 6], "limit": 4}, True),
    ("=every x in [] satisfies x > 1", {}, True),
    ("=some x in xs, y in ys satisfies x + y = 10", {"xs": [1, 2], "ys": [8, 9]}, True),
    (
        "=some x in xs satisfies some y in x.kids satisfies y = k",
        {"xs": [{"kids": [1]}, {"kids": [3]}], "k": 3},
        True,
    ),
    ("=for x in xs return x * k", {"xs": [1, 2], "k": 3}, [3, 6]),
    ("=for i in 1..3 return i * i", {}, [1, 4, 9]),
    ("=for i in 3..1 return i", {}, [3, 2, 1]),
    ("=xs[item > 2]", {"xs": [1, 2, 3, 4]}, [3, 4]),
    ("=count(xs[item > 2]) = 2", {"xs": [1, 2, 3, 4]}, True),
    (
        "=orders[amount > limit].id",
        {"orders": [{"id": 1, "amount": 5}, {"id": 2, "amount": 50}], "limit": 10},
        [2],
    ),
]


@pytest.mark.parametrize(("text", "variables", "expected"), FEEL)
def test_feel(text: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate(text, variables) == expected


def test_feel_now_and_today_are_utc_iso_strings() -> None:
    now = datetime.fromisoformat(evaluate("=now()"))
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
    assert evaluate("=today()") == datetime.now(UTC).date().isoformat()
    assert evaluate("=now() > today()") is not None


def test_a_missing_juel_variable_raises_as_in_camunda_7() -> None:
    with pytest.raises(NameError, match="amount"):
        evaluate("${amount > 1000}")
    # Not silently Python's built-in `id`.
    with pytest.raises(NameError, match="'id'"):
        evaluate("${id}")


def test_juel_errors_are_errors() -> None:
    with pytest.raises(TypeError, match="cannot read property 'b' of int"):
        evaluate("${a.b}", {"a": 3})
    with pytest.raises(TypeError, match="coerce"):
        evaluate("${a + 1}", {"a": "x"})
    with pytest.raises(TypeError, match="on null"):
        evaluate("${a.size()}", {"a": None})


PYTHON = [("amount > 1000", "amount > 1000"), ("  a + b\n", "a + b"), ("x if y else z", "x if y else z")]


@pytest.mark.parametrize(("text", "expected"), PYTHON)
def test_python_passes_through(text: str, expected: str) -> None:
    assert translate(text) == expected
    assert translate(text, "python") == expected


REFUSED = [
    ("${bean.doSomething()}", "method call 'bean.doSomething()' is not supported"),
    ("${myBean.method(execution)}", "method call 'myBean.method(execution)'"),
    ("${today()}", "function call 'today()'"),
    ("${fn:upper(name)}", "function call 'fn:upper()'"),
    ("${execution.id}", "'execution.id' is not available"),
    ("${execution.removeVariable('a')}", "execution.removeVariable('a')"),
    ("${execution.setVariable('a')}", "'setVariable()' takes 2 argument(s)"),
    ("${execution.setVariable('_fb', 1)}", "starts with '_'"),
    ("${x -> x + 1}", "lambda"),
    ("${a = 1}", "assignment"),
    ("${a; b}", "';'"),
    ("${a += 'b'}", "'+='"),
    ("${a instanceof b}", "instanceof"),
    ("${[1, 2]}", "collection literals"),
    ("${(a + b}", "expected ')'"),
    ("${a + b)}", "unexpected ')'"),
    ("${a", "unterminated '${'"),
    ("${'a}", "unterminated string"),
    ("${}", "empty expression"),
    ("${__class__}", "'__class__' starts with '_'"),
    ("${_fb_var}", "starts with '_'"),
    ("${class}", "'class' is a Python keyword"),
    ("${a$b}", "not a Python identifier"),
    ("${\ufb01x}", "not a Python identifier"),
    ("${x.size(1)}", "'size()' takes 0 argument(s)"),
    ("${a @ b}", "unexpected character '@'"),
    ("=some 1 in xs satisfies true", "expected a variable name after 'some'"),
    ("=every _x in xs satisfies _x", "expected a variable name after 'every'"),
    ("=some x in xs", "expected 'satisfies'"),
    ("=function(x) x + 1", "function definitions"),
    ("=(a + b", "expected ')'"),
    ("=a + b)", "unexpected ')'"),
    ("=[1, 2", "expected ','"),
    ("=", "empty expression"),
    ("=__class__", "'__class__' starts with '_'"),
    ("=a.__class__ + _x", "'_x' starts with '_'"),
    ("=foo(1)", "function 'foo()' is not supported"),
    ("=substring(x)", "'substring()' does not take 1 argument(s)"),
    ("=a == b", "'==' is not FEEL"),
    ("=not x", "not(x)"),
    ("='single'", "double quotes"),
    ('="open', "unterminated string"),
    ('="\\q"', "unknown escape"),
    ("=[1..3]", "ranges are only supported after 'in'"),
    ("=is defined(1 + 2)", "'is defined()' takes one variable"),
    ("=x(1)", "function 'x()'"),
    ("=a < b < c", "unexpected '<'"),
    ("a >", "not a Python expression"),
    ("", "not a Python expression"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused(text: str, reason: str) -> None:
    with pytest.raises(UnsupportedExpression) as caught:
        translate(text)
    assert caught.value.expression == text
    assert reason in caught.value.reason
    assert repr(text) in str(caught.value)


def test_deep_nesting_is_refused_not_crashed() -> None:
    with pytest.raises(UnsupportedExpression, match="nested too deeply"):
        translate("=" + "(" * 5000 + "1" + ")" * 5000)


def test_to_python_refuses_like_translate() -> None:
    with pytest.raises(UnsupportedExpression):
        to_python("${bean.call()}")


_ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Call,
    ast.List,
    ast.Dict,
    ast.BinOp,
    ast.BoolOp,
    ast.UnaryOp,
    ast.IfExp,
    ast.Compare,
    ast.operator,
    ast.boolop,
    ast.unaryop,
    ast.cmpop,
    ast.Lambda,
    ast.arguments,
    ast.arg,
)


@pytest.mark.parametrize("text", [case[0] for case in JUEL + FEEL])
def test_generated_source_uses_only_variables_literals_operators_and_helpers(text: str) -> None:
    tree = ast.parse(translate(text), mode="eval")
    for node in ast.walk(tree):
        assert isinstance(node, _ALLOWED_NODES), (text, ast.dump(node))
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS, text
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            assert node.id in FUNCTIONS, text
        if isinstance(node, ast.arguments):
            assert [arg.arg for arg in node.args] == ["_fb_scope"] and not node.defaults, text


def test_functions_are_prefixed_and_cover_every_feel_builtin() -> None:
    assert FUNCTIONS and all(name.startswith("_fb_") and callable(f) for name, f in FUNCTIONS.items())
    assert set(feel.SIGNATURES) <= set(_BUILTINS)


TIMER_VALUES = [
    ('=duration("PT1S")', "duration"),
    ('="PT1S"', "duration"),
    ("${'PT1S'}", "duration"),
    ('=@"PT1S"', "duration"),
    ('=date and time("2026-01-01T10:00:00Z")', "date"),
    ("=now()", "date"),
    ('=date and time("2026-01-01T10:00:00Z") + duration("PT1H")', "date"),
    ("${'2026-01-01T10:00:00Z'}", "date"),
    ('="R3/PT1H"', "cycle"),
    ('=cycle(3, duration("PT1H"))', "cycle"),
    ('=cycle(duration("PT10S"))', "cycle"),
]


@pytest.mark.parametrize(("text", "kind"), TIMER_VALUES)
def test_timer_values_are_what_spiffworkflow_timers_accept(text: str, kind: str) -> None:
    value = evaluate(text)
    if kind == "duration":
        parsed = TimerEventDefinition.parse_iso_duration(value)
        assert TimerEventDefinition.get_timedelta_from_start(parsed) == timedelta(seconds=1)
    elif kind == "date":
        assert TimerEventDefinition.parse_time_or_duration(value).tzinfo is not None
    else:
        cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(value)
        assert duration.total_seconds() in (3600, 10) and cycles in (3, -1) and start.tzinfo is not None


def test_dialect_of() -> None:
    assert dialect_of("${a}") == "juel"
    assert dialect_of("#{a}") == "juel"
    assert dialect_of("Hello ${name}!") == "juel"
    assert dialect_of("  =a") == "feel"
    assert dialect_of("a > 1") == "python"
    assert dialect_of("a > 1", default="feel") == "feel"
    assert dialect_of("$a {b}") == "python"


def test_translate_with_an_explicit_dialect() -> None:
    assert evaluate_source(translate("x > 1", "feel"), {"x": 2}) is True
    assert translate("plain", "juel") == "'plain'"
    with pytest.raises(ValueError, match="unknown expression dialect"):
        translate("x", "spel")


def evaluate_source(source: str, variables: dict[str, Any]) -> Any:
    return TaskDataEnvironment(FUNCTIONS).evaluate(source, dict(variables))


def test_is_expression_to_python_and_name_of() -> None:
    assert is_expression("${a}") and is_expression("=a") and is_expression("Hi ${a}")
    assert not is_expression("alice") and not is_expression(None) and not is_expression("")
    assert to_python("alice") == "alice"
    assert to_python("${a}") == "a"
    assert to_python("=a") == "_fb_var('a')"
    assert name_of("${myDelegate}") == "myDelegate"
    assert name_of("#{my.delegate}") == "my.delegate"
    assert name_of("${bean.call()}") is None
    assert name_of("=worker") == "worker"
    assert name_of(None) is None


def test_unsupported_expression_carries_expression_and_reason() -> None:
    error = UnsupportedExpression("${x}", "because")
    assert (error.expression, error.reason) == ("${x}", "because")
    assert re.search(r"'\$\{x\}'.*because", str(error))
