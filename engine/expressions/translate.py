"""Expressions from the editors' dialects, translated into the Python the script engine evaluates.

Camunda 7 models carry JUEL (`${…}`, `#{…}`), Camunda 8 models FEEL (`=…`), Flowbridge's own models Python.
`translate` turns the first two into Python source (parsers in `engine.juel` and `engine.feel`) that uses
only the task's variables, literals, operators, the `_fb_*` helpers in `FUNCTIONS` (which the script engine
must put into its globals) and, for FEEL's `some`/`every`/`for` and list filters, `lambda _fb_scope: …`
bodies the helpers call once per item. The FEEL helpers live here: FEEL turns errors into null, so they
return None for missing variables, wrong types, division by zero and the like rather than raising. Temporal
values are ISO-8601 strings, so they stay JSON-storable and are what SpiffWorkflow's timers parse.
"""

from __future__ import annotations

import itertools
import operator
import re
import sys
from collections.abc import Callable
from decimal import localcontext
from types import FrameType
from typing import Any, NamedTuple

from . import feel, juel
from . import feel_values as values
from .feel_conversions import at_literal
from .feel_functions import BUILTINS
from .juel import MISSING, enclosing_scope, scope_value

_JUEL = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)
_JUEL_MARK = re.compile(r"[$#]\{")
DIALECTS = ("python", "juel", "feel")
"""The dialects `translate` knows."""


class UnsupportedExpression(Exception):
    """An expression outside the subset Flowbridge translates; `.expression` and `.reason`."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"unsupported expression {expression!r}: {reason}")
        self.expression = expression
        self.reason = reason


def dialect_of(text: str, default: str = "python") -> str:
    """'juel' when text holds `${…}`/`#{…}` (also a composite like `Hello ${name}!`), 'feel' when it
    starts with `=` (after whitespace), else `default`."""
    if text.lstrip().startswith("="):
        return "feel"
    return "juel" if _JUEL_MARK.search(text) else default


def translate(text: str, dialect: str | None = None) -> str:
    """Python source for `text` in `dialect` ('python', 'juel', 'feel'; None = dialect_of(text)).

    Python is returned stripped once it compiles. Raises UnsupportedExpression naming the problem for a
    syntax error or anything outside the subset.
    """
    dialect = dialect or dialect_of(text)
    if dialect not in DIALECTS:
        raise ValueError(f"unknown expression dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    try:
        if dialect == "juel":
            return juel.translate(text)
        if dialect == "feel":
            body = text.lstrip()
            return feel.translate(body[1:] if body.startswith("=") else body)
        source = text.strip()
        compile(source, "<expression>", "eval")
        return source
    except feel.Refusal as exc:
        raise UnsupportedExpression(text, str(exc)) from None
    except SyntaxError as exc:
        raise UnsupportedExpression(text, f"not a Python expression ({exc.msg})") from None
    except ValueError as exc:  # compile() refuses null bytes with ValueError before Python 3.12
        raise UnsupportedExpression(text, f"not a Python expression ({exc})") from None
    except (RecursionError, MemoryError):
        raise UnsupportedExpression(text, "the expression is nested too deeply") from None


def is_expression(value: str | None) -> bool:
    """True when `value` is a JUEL (`${…}`, `#{…}`, also within text) or FEEL (`=…`) expression."""
    return value is not None and dialect_of(value, "") != ""


def literal_or_expression(text: str) -> str:
    """Python source for a mapping value: the expression itself, or the literal quoted."""
    return to_python(text) if is_expression(text) else repr(text)


def to_python(value: str) -> str:
    """The Python source of a JUEL or FEEL expression (see `translate`); anything else unchanged."""
    return translate(value) if is_expression(value) else value


def name_of(value: str | None) -> str | None:
    """The bare name a `${name}` / `#{name}` expression refers to, as Camunda 7 delegates use."""
    if value is None:
        return None
    match = _JUEL.match(value)
    stripped = value.lstrip()
    if match:
        body = match.group("body")
    elif stripped.startswith("="):
        body = stripped[1:]
    else:
        body = value
    body = body.strip()
    return body if re.fullmatch(r"[A-Za-z_][\w.\-]*", body) else None


# ----------------------------------------------------------------------------------------------------
# FEEL's runtime helpers.


def _fb_var(name: str) -> Any:
    # The caller's frame is the evaluated expression, whose locals are the task's variables.
    value = scope_value(sys._getframe(1), name)
    return None if value is MISSING else value


def _fb_defined(name: str, *keys: str) -> bool:
    value = scope_value(sys._getframe(1), name)
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return value is not MISSING


def _items(value: Any) -> list[Any]:
    # FEEL treats a single value where a list is expected as a list of that one value.
    return value if isinstance(value, list) else [value]


def _each(frame: FrameType, items: Any, name: str, body: Callable[[Any], Any]) -> list[Any]:
    outer = enclosing_scope(frame)
    return [body(outer.new_child({name: item})) for item in _items(items)]


def _fb_some(items: Any, name: str, body: Callable[[Any], Any]) -> bool | None:
    return None if items is None else _fb_or(False, *_each(sys._getframe(1), items, name, body))


def _fb_every(items: Any, name: str, body: Callable[[Any], Any]) -> bool | None:
    return None if items is None else _fb_and(True, *_each(sys._getframe(1), items, name, body))


def _fb_for(body: Callable[[Any], Any], *sources: Any) -> list[Any] | None:
    """`for a in as, b in bs return body`: one result per combination, the last list varying fastest.

    `sources` are pairs of a name and its list; `partial` is the list of results so far, as in FEEL.
    """
    outer = enclosing_scope(sys._getframe(1))
    names, lists = sources[::2], sources[1::2]
    if any(listed is None for listed in lists):
        return None
    results: list[Any] = []
    for combination in itertools.product(*(_items(listed) for listed in lists)):
        bound = dict(zip(names, combination, strict=True))
        results.append(body(outer.new_child({"partial": list(results), **bound})))
    return results


def _fb_filter(items: Any, body: Callable[[Any], Any]) -> list[Any] | None:
    if items is None:
        return None
    outer = enclosing_scope(sys._getframe(1))

    # Inside a filter, `item` is the list item and a context item's entries are names too.
    def keep(item: Any) -> bool:
        entries = item if isinstance(item, dict) else {}
        return body(outer.new_child(entries).new_child({"item": item})) is True

    return [item for item in _items(items) if keep(item)]


def _fb_function(body: Callable[[Any], Any], *names: str) -> Callable[..., Any]:
    """A FEEL `function(a, b) body`, seeing the names where it was written (used by `sort()`)."""
    outer = enclosing_scope(sys._getframe(1))

    def invoke(*args: Any) -> Any:
        if len(args) != len(names):
            raise TypeError(f"the function takes {len(names)} argument(s)")
        return body(outer.new_child(dict(zip(names, args, strict=True))))

    return invoke


def _fb_context(*entries: Any) -> dict[str, Any]:
    """A context whose entries refer to earlier ones, `{a: 1, b: a + 1}`: key, value-body pairs."""
    scope = enclosing_scope(sys._getframe(1)).new_child({})
    built: dict[str, Any] = {}
    for key, body in zip(entries[::2], entries[1::2], strict=True):
        built[key] = scope.maps[0][key] = body(scope)
    return built


def _fb_span(first: Any, last: Any) -> list[int] | None:
    if type(first) is not int or type(last) is not int or abs(last - first) > 100_000:
        return None
    return list(range(first, last + 1) if first <= last else range(first, last - 1, -1))


def _fb_path(base: Any, key: str) -> Any:
    if isinstance(base, dict):
        return base.get(key)
    if isinstance(base, list):
        return [_fb_path(item, key) for item in base]
    return values.property_of(base, key)


def _fb_index(base: Any, index: Any) -> Any:
    if isinstance(index, bool):
        return (base if isinstance(base, list) else [base]) if index else []
    if not isinstance(base, list) or not values.is_number(index) or not float(index).is_integer():
        return None
    position = int(index)
    if 0 < position <= len(base):
        return base[position - 1]
    return base[position] if 0 < -position <= len(base) else None


_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _fb_cmp(a: Any, op: str, b: Any) -> bool | None:
    if op in ("=", "!="):
        equal = values.equal(a, b)
        return equal if equal is None or op == "=" else not equal
    keys = values.order_key(a, b)
    try:
        return None if keys is None else bool(_ORDER[op](*keys))
    except TypeError:
        return None


def _fb_and(*operands: Any) -> bool | None:
    if any(value is False for value in operands):
        return False
    return True if all(value is True for value in operands) else None


def _fb_or(*operands: Any) -> bool | None:
    if any(value is True for value in operands):
        return True
    return False if all(value is False for value in operands) else None


def _fb_between(value: Any, low: Any, high: Any) -> bool | None:
    return _fb_and(_fb_cmp(value, ">=", low), _fb_cmp(value, "<=", high))


def _fb_instance(value: Any, type_name: str) -> bool:
    return bool(values.TYPES[type_name](value))


class _Test(NamedTuple):
    op: str
    value: Any


class _Range(NamedTuple):
    low: Any
    high: Any
    low_closed: bool
    high_closed: bool


_fb_test, _fb_range = _Test, _Range


def _fb_in(value: Any, *tests: Any) -> bool:
    for test in tests:
        if isinstance(test, _Range):
            low = _fb_cmp(value, ">=" if test.low_closed else ">", test.low)
            result = _fb_and(low, _fb_cmp(value, "<=" if test.high_closed else "<", test.high))
        elif isinstance(test, _Test):
            result = _fb_cmp(value, test.op, test.value)
        elif isinstance(test, list):
            result = any(values.equal(value, item) is True for item in test)
        else:
            result = values.equal(value, test)
        if result is True:
            return True
    return False


_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def _fb_arith(a: Any, op: str, b: Any) -> Any:
    try:
        if values.is_number(a) and values.is_number(b):
            with localcontext(values.DECIMAL):
                return values.tidy(_ARITH[op](values.dec(a), values.dec(b)))
        if isinstance(a, str) or isinstance(b, str):
            with localcontext(values.DECIMAL):
                result = values.temporal_arith(a, op, b)
            if result is not None or values.temporal(a) or values.temporal(b):
                return result
            return a + b if op == "+" and isinstance(a, str) and isinstance(b, str) else None
    except (ArithmeticError, TypeError, ValueError):
        pass
    return None


def _fb_neg(value: Any) -> Any:
    if values.is_number(value):
        return -value
    found = values.temporal(value)
    if found is None or found.kind != "dur":
        return None
    return values.format_duration(-found.value[0], -found.value[1])


_BUILTINS: dict[str, Callable[..., Any]] = {"@": at_literal, **BUILTINS}
"""FEEL's built-in functions (engine.expressions.feel_functions) and `@"…"` literals, by name."""


def _fb_call(name: str, *args: Any) -> Any:
    function = _BUILTINS[name]
    try:
        with localcontext(values.DECIMAL):
            return function(*args)
    except (ArithmeticError, LookupError, TypeError, ValueError, UnicodeError, re.error):
        return None


def _fb_spread(name: str, *args: Any) -> Any:
    # The last argument holds the values of a repeating parameter that was passed by name.
    if not isinstance(args[-1], list):
        return None
    return _fb_call(name, *args[:-1], *args[-1])


FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{name: value for name, value in globals().items() if name.startswith("_fb_")},
    **juel.FUNCTIONS,
}
"""Runtime helpers the translated source may call, by the names it uses; the script engine puts these
into its globals. All start with `_fb_`, which no variable may (translation refuses such names)."""
