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

import calendar
import decimal
import math
import operator
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Context, Decimal, localcontext
from types import FrameType
from typing import Any, NamedTuple

from . import feel, juel
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

_DECIMAL = Context(prec=34)  # FEEL numbers are IEEE 754 decimal128.


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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _tidy(value: Decimal) -> int | float:
    # FEEL has a single number type: integral results come back as ints, so JSON stays readable.
    if value.adjusted() < 34 and value == value.to_integral_value():
        return int(value)
    result = float(value)
    if math.isinf(result):
        raise OverflowError("number out of range")
    return result


def _dec(value: Any) -> Decimal:
    if not _is_number(value):
        raise TypeError("not a number")
    return value if isinstance(value, Decimal) else Decimal(repr(value))


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


def _fb_for(items: Any, name: str, body: Callable[[Any], Any]) -> list[Any] | None:
    return None if items is None else _each(sys._getframe(1), items, name, body)


def _fb_filter(items: Any, body: Callable[[Any], Any]) -> list[Any] | None:
    if items is None:
        return None
    outer = enclosing_scope(sys._getframe(1))

    # Inside a filter, `item` is the list item and a context item's entries are names too.
    def keep(item: Any) -> bool:
        entries = item if isinstance(item, dict) else {}
        return body(outer.new_child(entries).new_child({"item": item})) is True

    return [item for item in _items(items) if keep(item)]


def _fb_span(first: Any, last: Any) -> list[int] | None:
    if type(first) is not int or type(last) is not int or abs(last - first) > 100_000:
        return None
    return list(range(first, last + 1) if first <= last else range(first, last - 1, -1))


_TEMPORAL_PROPERTIES = ("year", "month", "day", "weekday", "hour", "minute", "second")


def _fb_path(base: Any, key: str) -> Any:
    if isinstance(base, dict):
        return base.get(key)
    if isinstance(base, list):
        return [_fb_path(item, key) for item in base]
    found = _temporal(base)
    if found is None or found[0] not in ("date", "dt") or key not in _TEMPORAL_PROPERTIES:
        return None
    return found[1].isoweekday() if key == "weekday" else getattr(found[1], key, None)


def _fb_index(base: Any, index: Any) -> Any:
    if isinstance(index, bool):
        return (base if isinstance(base, list) else [base]) if index else []
    if not isinstance(base, list) or not _is_number(index) or not float(index).is_integer():
        return None
    position = int(index)
    if 0 < position <= len(base):
        return base[position - 1]
    return base[position] if 0 < -position <= len(base) else None


def _equal(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, str) and isinstance(b, str):
        ta, tb = _temporal(a), _temporal(b)
        return ta[1] == tb[1] if ta and tb and ta[0] == tb[0] else a == b
    if type(a) is type(b):
        return bool(a == b)
    return None


def _order_key(a: Any, b: Any) -> tuple[Any, Any] | None:
    if _is_number(a) and _is_number(b):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        ta, tb = _temporal(a), _temporal(b)
        if ta and tb and ta[0] == tb[0]:
            return (ta[1], tb[1]) if ta[0] != "dur" else _duration_keys(ta[1], tb[1])
        return a, b
    return None


def _duration_keys(a: tuple[int, timedelta], b: tuple[int, timedelta]) -> tuple[Any, Any] | None:
    # Months and days have no fixed ratio: only durations of the same kind compare.
    if not a[1] and not b[1]:
        return a[0], b[0]
    return (a[1], b[1]) if not a[0] and not b[0] else None


_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _fb_cmp(a: Any, op: str, b: Any) -> bool | None:
    if op in ("=", "!="):
        equal = _equal(a, b)
        return equal if equal is None or op == "=" else not equal
    keys = _order_key(a, b)
    try:
        return None if keys is None else bool(_ORDER[op](*keys))
    except TypeError:
        return None


def _fb_and(*values: Any) -> bool | None:
    if any(value is False for value in values):
        return False
    return True if all(value is True for value in values) else None


def _fb_or(*values: Any) -> bool | None:
    if any(value is True for value in values):
        return True
    return False if all(value is False for value in values) else None


def _fb_between(value: Any, low: Any, high: Any) -> bool | None:
    return _fb_and(_fb_cmp(value, ">=", low), _fb_cmp(value, "<=", high))


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
            result = any(_equal(value, item) is True for item in test)
        else:
            result = _equal(value, test)
        if result is True:
            return True
    return False


_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def _fb_arith(a: Any, op: str, b: Any) -> Any:
    try:
        if _is_number(a) and _is_number(b):
            with localcontext(_DECIMAL):
                return _tidy(_ARITH[op](_dec(a), _dec(b)))
        if isinstance(a, str) and isinstance(b, str):
            result = _temporal_arith(a, op, b)
            if result is not MISSING:
                return result
            return a + b if op == "+" else None
    except (ArithmeticError, TypeError, ValueError):
        pass
    return None


def _fb_neg(value: Any) -> Any:
    return -value if _is_number(value) else None


# ---- temporal values, all ISO-8601 strings ----

_DURATION = re.compile(
    r"(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_duration(text: str) -> tuple[int, timedelta] | None:
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    sign, years, months, weeks, days, hours, minutes, seconds = match.groups()
    if weeks and (years or months or days):
        return None
    total_months = int(years or 0) * 12 + int(months or 0)
    delta = timedelta(
        weeks=int(weeks or 0),
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=float(seconds or 0),
    )
    return (-total_months, -delta) if sign else (total_months, delta)


def _temporal(value: Any) -> tuple[str, Any] | None:
    """('dur', (months, timedelta)), ('date', date) or ('dt', datetime) for an ISO string, else None."""
    if not isinstance(value, str) or len(value) < 3:
        return None
    try:
        if value[0] in "P-":
            duration = _parse_duration(value)
            return None if duration is None else ("dur", duration)
        if _DATE.fullmatch(value):
            return "date", date.fromisoformat(value)
        if _DATE.match(value) and value[10:11] == "T":
            return "dt", datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        pass
    return None


def _iso(value: datetime | time, timespec: str = "auto") -> str:
    text = value.isoformat(timespec=timespec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _format_duration(months: int, delta: timedelta) -> str:
    if months * delta.total_seconds() < 0:
        raise ValueError("a duration cannot mix signs")
    sign = "-" if months < 0 or delta < timedelta(0) else ""
    months, delta = abs(months), abs(delta)
    years, months = divmod(months, 12)
    text = "P" + (f"{years}Y" if years else "") + (f"{months}M" if months else "")
    text += f"{delta.days}D" if delta.days else ""
    hours, rest = divmod(delta.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    second_text = f"{seconds + delta.microseconds / 1e6:f}".rstrip("0").rstrip(".")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    clock += f"{second_text}S" if seconds or delta.microseconds else ""
    text += f"T{clock}" if clock else ""
    return sign + (text if text != "P" else "PT0S")


def _add_months(value: Any, months: int) -> Any:
    years, month = divmod(value.month - 1 + months, 12)
    year = value.year + years
    return value.replace(
        year=year, month=month + 1, day=min(value.day, calendar.monthrange(year, month + 1)[1])
    )


def _temporal_arith(a: str, op: str, b: str) -> Any:
    ta, tb = _temporal(a), _temporal(b)
    if ta is None or tb is None:
        return MISSING
    if op == "+" and ta[0] == "dur" and tb[0] != "dur":
        ta, tb = tb, ta
    (kind, left), (other, right) = ta, tb
    if other == "dur" and op in ("+", "-"):
        months, delta = right if op == "+" else (-right[0], -right[1])
        if kind == "dur":
            return _format_duration(left[0] + months, left[1] + delta)
        if kind == "date":
            return (datetime.combine(_add_months(left, months), time()) + delta).date().isoformat()
        return _iso(_add_months(left, months) + delta)
    if op == "-" and kind == other and kind in ("date", "dt"):
        return _format_duration(0, left - right)
    return None


def _date(value: Any, month: Any = None, day: Any = None) -> str:
    if month is not None:
        return date(int(_dec(value)), int(_dec(month)), int(_dec(day))).isoformat()
    found = _temporal(value)
    if found is None or found[0] not in ("date", "dt"):
        raise ValueError("not a date")
    return found[1].isoformat() if found[0] == "date" else found[1].date().isoformat()


def _time(value: Any, minute: Any = None, second: Any = None) -> str:
    if minute is not None:
        return time(int(_dec(value)), int(_dec(minute)), int(_dec(second))).isoformat()
    found = _temporal(value)
    if found is not None and found[0] == "dt":
        return _iso(found[1].timetz())
    return _iso(time.fromisoformat(value))


def _date_and_time(value: Any, clock: Any = None) -> str:
    if clock is not None:
        return _iso(datetime.combine(date.fromisoformat(_date(value)), time.fromisoformat(_time(clock))))
    found = _temporal(value)
    if found is None or found[0] not in ("date", "dt"):
        raise ValueError("not a date and time")
    return _iso(found[1] if found[0] == "dt" else datetime.combine(found[1], time()))


def _duration(value: Any) -> str:
    if not isinstance(value, str) or _parse_duration(value.strip()) is None:
        raise ValueError("not an ISO-8601 duration")
    return value.strip()


def _cycle(first: Any, second: Any = None) -> str:
    repetitions, duration = ("", first) if second is None else (int(_dec(first)), second)
    return f"R{repetitions}/{_duration(duration)}"


def _at_literal(value: str) -> str:
    if value.lstrip("-").startswith("P"):
        return _duration(value)
    if "T" in value:
        return _date_and_time(value)
    return _date(value) if _DATE.fullmatch(value) else _time(value)


# ---- FEEL's built-in functions ----


def _s(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _numbers(args: tuple[Any, ...]) -> list[Any]:
    items = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
    if not items:
        raise ValueError("empty list")
    return items


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_tidy(_dec(value))) if _is_number(value) else str(value)


def _number(value: Any) -> int | float:
    number = _dec(value) if _is_number(value) else Decimal(_s(value).strip())
    if not number.is_finite():
        raise ValueError("not a finite number")
    return _tidy(number)


def _substring(text: Any, start: Any, length: Any = None) -> str:
    text, first = _s(text), int(_dec(start))
    index = first - 1 if first > 0 else max(len(text) + first, 0)
    return text[index:] if length is None else text[index : index + int(_dec(length))]


def _rounding(mode: str) -> Callable[..., int | float]:
    def rounded(value: Any, scale: Any = 0) -> int | float:
        exponent = Decimal(1).scaleb(-int(_dec(scale)))
        return _tidy(_dec(value).quantize(exponent, rounding=mode))

    return rounded


_BUILTINS: dict[str, Callable[..., Any]] = {
    "@": _at_literal,
    "not": lambda value: (not value) if isinstance(value, bool) else None,
    "string": _string,
    "number": _number,
    "string length": lambda text: len(_s(text)),
    "upper case": lambda text: _s(text).upper(),
    "lower case": lambda text: _s(text).lower(),
    "contains": lambda text, part: _s(part) in _s(text),
    "starts with": lambda text, part: _s(text).startswith(_s(part)),
    "ends with": lambda text, part: _s(text).endswith(_s(part)),
    "substring": _substring,
    "substring before": lambda text, part: _s(text).partition(_s(part))[0] if part in text else "",
    "substring after": lambda text, part: _s(text).partition(_s(part))[2],
    "count": lambda items: len(_list(items)),
    "sum": lambda *args: _tidy(sum((_dec(n) for n in _numbers(args)), Decimal(0))),
    "mean": lambda *args: _tidy(sum(map(_dec, _numbers(args)), Decimal(0)) / len(_numbers(args))),
    "min": lambda *args: min(_numbers(args)),
    "max": lambda *args: max(_numbers(args)),
    "list contains": lambda items, item: any(_equal(x, item) is True for x in _list(items)),
    "append": lambda items, *more: [*_list(items), *more],
    "concatenate": lambda *lists: [item for items in lists for item in _list(items)],
    "reverse": lambda items: _list(items)[::-1],
    "abs": lambda value: _tidy(abs(_dec(value))),
    "floor": _rounding(decimal.ROUND_FLOOR),
    "ceiling": _rounding(decimal.ROUND_CEILING),
    "decimal": _rounding(decimal.ROUND_HALF_EVEN),
    "round half up": _rounding(decimal.ROUND_HALF_UP),
    "round half down": _rounding(decimal.ROUND_HALF_DOWN),
    "round up": _rounding(decimal.ROUND_UP),
    "round down": _rounding(decimal.ROUND_DOWN),
    "now": lambda: _iso(datetime.now(UTC), "milliseconds"),
    "today": lambda: datetime.now(UTC).date().isoformat(),
    "date": _date,
    "time": _time,
    "date and time": _date_and_time,
    "duration": _duration,
    "cycle": _cycle,
    "string join": lambda items, separator="": _s(separator).join(
        _s(i) for i in _list(items) if i is not None
    ),
}


def _fb_call(name: str, *args: Any) -> Any:
    function = _BUILTINS[name]
    try:
        with localcontext(_DECIMAL):
            return function(*args)
    except (ArithmeticError, LookupError, TypeError, ValueError, OverflowError):
        return None


FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{name: value for name, value in globals().items() if name.startswith("_fb_")},
    **juel.FUNCTIONS,
}
"""Runtime helpers the translated source may call, by the names it uses; the script engine puts these
into its globals. All start with `_fb_`, which no variable may (translation refuses such names)."""
