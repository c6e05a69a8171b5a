"""FEEL's built-in functions, as Camunda 8 (feel-scala) documents them: the table of them by name,
their parameter lists, and the string, list, number, boolean and context functions themselves.

The conversion and temporal built-ins are in `engine.expressions.feel_conversions`, FEEL's value types
in `engine.expressions.feel_values`. Built-ins raise on wrong input; the caller (`_fb_call` in
`engine.expressions.translate`) turns that into null, as FEEL does.
"""

from __future__ import annotations

import base64
import decimal
import functools
import math
import random
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .feel_conversions import CONVERSIONS
from .feel_values import (
    compare,
    context,
    dec,
    equal,
    format_duration,
    integer,
    items,
    temporal,
    text,
    tidy,
)


class AssertionFailed(Exception):
    """`assert()` found its condition unfulfilled: the evaluation fails instead of giving null."""


# ---- arguments ----


def _spread(args: tuple[Any, ...]) -> list[Any]:
    # List functions take one list or the items themselves: `sum([1, 2])` and `sum(1, 2)`.
    return list(args[0]) if len(args) == 1 and isinstance(args[0], list) else list(args)


def _numbers(args: tuple[Any, ...]) -> list[Decimal]:
    found = [dec(item) for item in _spread(args)]
    if not found:
        raise ValueError("empty list")
    return found


def _position(sequence: list[Any], position: Any) -> int:
    # FEEL positions count from 1, negative ones from the end.
    index = integer(position)
    if 0 < index <= len(sequence):
        return index - 1
    if 0 < -index <= len(sequence):
        return len(sequence) + index
    raise IndexError("position out of range")


# ---- strings ----


_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


def _pattern(pattern: Any, flags: Any = None) -> re.Pattern[str]:
    """An XPath regular expression with its flags (`q` takes the pattern literally)."""
    letters, source = text(flags) if flags is not None else "", text(pattern)
    if "q" in letters:
        source = re.escape(source)
    bits = 0
    for letter in letters.replace("q", ""):
        bits |= _FLAGS[letter]
    return re.compile(source, bits)


def _substring(string: Any, start: Any, length: Any = None) -> str:
    value, first = text(string), integer(start)
    index = first - 1 if first > 0 else max(len(value) + first, 0)
    return value[index:] if length is None else value[index : index + integer(length)]


def _replace(value: Any, pattern: Any, replacement: Any, flags: Any = None) -> str:
    # XPath replacements name groups `$1`; `\$` and `\\` are literal.
    template = text(replacement)

    def expand(match: re.Match[str]) -> str:
        def group(found: re.Match[str]) -> str:
            token = found.group()
            return token[1] if token[0] == "\\" else (match.group(int(token[1:])) or "")

        return re.sub(r"\\[$\\]|\$\d", group, template)

    return _pattern(pattern, flags).sub(expand, text(value))


def _string_join(values: Any, delimiter: Any = None, prefix: Any = None, suffix: Any = None) -> str:
    joined = text(delimiter or "").join(text(item) for item in items(values) if item is not None)
    return text(prefix or "") + joined + text(suffix or "")


def _before(value: Any, match: Any) -> str:
    found = text(value).find(text(match))
    return value[:found] if found >= 0 else ""


def _after(value: Any, match: Any) -> str:
    found = text(value).find(text(match))
    return value[found + len(match) :] if found >= 0 else ""


# ---- lists ----


def _distinct(values: list[Any]) -> list[Any]:
    kept: list[Any] = []
    for value in values:
        if not any(equal(value, seen) is True for seen in kept):
            kept.append(value)
    return kept


def _duplicates(values: Any) -> list[Any]:
    listed = items(values)
    counted = [(value, sum(equal(value, other) is True for other in listed)) for value in listed]
    return _distinct([value for value, count in counted if count > 1])


def _flatten(values: Any) -> list[Any]:
    flat: list[Any] = []
    for value in items(values):
        flat.extend(_flatten(value) if isinstance(value, list) else [value])
    return flat


def _extreme(pick: int) -> Callable[..., Any]:
    def extreme(*args: Any) -> Any:
        values = _spread(args)
        if not values:
            raise ValueError("empty list")
        return sorted(values, key=functools.cmp_to_key(compare))[0 if pick < 0 else -1]

    return extreme


def _median(*args: Any) -> int | float:
    values = sorted(_numbers(args))
    middle = len(values) // 2
    return tidy(values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2)


def _stddev(*args: Any) -> int | float:
    values = _numbers(args)
    mean = sum(values, Decimal(0)) / len(values)
    return tidy((sum(((v - mean) ** 2 for v in values), Decimal(0)) / (len(values) - 1)).sqrt())


def _mode(*args: Any) -> list[Any]:
    values = [dec(value) for value in _spread(args)]
    counts = {value: values.count(value) for value in values}
    most = max(counts.values(), default=0)
    return [tidy(value) for value in sorted(counts) if counts[value] == most]


def _all(*args: Any) -> bool | None:
    values = _spread(args)
    if any(value is False for value in values):
        return False
    return True if all(value is True for value in values) else None


def _any(*args: Any) -> bool | None:
    values = _spread(args)
    if any(value is True for value in values):
        return True
    return False if all(value is False for value in values) else None


def _sublist(values: Any, start: Any, length: Any = None) -> list[Any]:
    listed = items(values)
    first = _position(listed, start)
    return listed[first:] if length is None else listed[first : first + integer(length)]


def _insert_before(values: Any, position: Any, new_item: Any) -> list[Any]:
    listed = items(values)
    index = _position(listed, position)
    return [*listed[:index], new_item, *listed[index:]]


def _remove(values: Any, position: Any) -> list[Any]:
    listed = items(values)
    index = _position(listed, position)
    return [*listed[:index], *listed[index + 1 :]]


def _sort(values: Any, precedes: Any) -> list[Any]:
    if not callable(precedes):
        raise TypeError("precedes is not a function")

    def order(a: Any, b: Any) -> int:
        first = precedes(a, b)
        if not isinstance(first, bool):
            raise TypeError("precedes must give a boolean")
        return -1 if first else int(precedes(b, a) is True)

    return sorted(items(values), key=functools.cmp_to_key(order))


def _partition(values: Any, size: Any) -> list[list[Any]]:
    listed, step = items(values), integer(size)
    if step <= 0:
        raise ValueError("size must be greater than zero")
    return [listed[i : i + step] for i in range(0, len(listed), step)]


# ---- numbers ----


def _rounding(mode: str) -> Callable[..., int | float]:
    def rounded(value: Any, scale: Any = 0) -> int | float:
        exponent = Decimal(1).scaleb(-integer(scale))
        return tidy(dec(value).quantize(exponent, rounding=mode))

    return rounded


def _abs(value: Any) -> Any:
    found = temporal(value)
    if found is not None and found.kind == "dur":
        months, delta = found.value
        return format_duration(abs(months), abs(delta))
    return tidy(abs(dec(value)))


def _modulo(dividend: Any, divisor: Any) -> int | float:
    # FEEL's modulo takes the divisor's sign: modulo(-12, 5) = 3.
    a, b = dec(dividend), dec(divisor)
    return tidy(a - b * (a / b).to_integral_value(decimal.ROUND_FLOOR))


def _positive(function: Callable[[Decimal], Decimal], strict: bool) -> Callable[[Any], int | float]:
    def computed(value: Any) -> int | float:
        number = dec(value)
        if number < 0 or (strict and number == 0):
            raise ValueError("out of the function's domain")
        return tidy(function(number))

    return computed


# ---- booleans and contexts ----


def _assert(value: Any, condition: Any, cause: Any = None) -> Any:
    if condition is not True:
        raise AssertionFailed(cause if isinstance(cause, str) else "The condition is not fulfilled")
    return value


def _keys(keys: Any) -> list[str]:
    path = [text(key) for key in (keys if isinstance(keys, list) else [keys])]
    if not path:
        raise ValueError("no keys")
    return path


def _get_value(found: Any, keys: Any) -> Any:
    value: Any = context(found)
    for key in _keys(keys):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _context_put(found: Any, keys: Any, value: Any) -> dict[str, Any]:
    first, *rest = _keys(keys)
    base = context(found)
    if rest:
        inner = base.get(first)
        value = _context_put(inner if isinstance(inner, dict) else {}, rest, value)
    return {**base, first: value}


def _context_merge(*args: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for found in _spread(args):
        merged.update(context(found))
    return merged


def _context_of(entries: Any) -> dict[str, Any]:
    built: dict[str, Any] = {}
    for entry in items(entries):
        if "key" not in context(entry) or "value" not in entry:
            raise ValueError("an entry needs a key and a value")
        built[text(entry["key"])] = entry["value"]
    return built


# ---- the table ----

BUILTINS: dict[str, Callable[..., Any]] = {
    # strings
    "substring": _substring,
    "string length": lambda string: len(text(string)),
    "upper case": lambda string: text(string).upper(),
    "lower case": lambda string: text(string).lower(),
    "substring before": _before,
    "substring after": _after,
    "replace": _replace,
    "contains": lambda string, match: text(match) in text(string),
    "starts with": lambda string, match: text(string).startswith(text(match)),
    "ends with": lambda string, match: text(string).endswith(text(match)),
    "matches": lambda value, pattern, flags=None: _pattern(pattern, flags).search(text(value)) is not None,
    "split": lambda string, delimiter: _pattern(delimiter).split(text(string)),
    "extract": lambda value, pattern: [m.group() for m in _pattern(pattern).finditer(text(value))],
    "trim": lambda string: text(string).strip(),
    "uuid": lambda: str(uuid.uuid4()),
    "to base64": lambda value: base64.b64encode(text(value).encode()).decode(),
    "from base64": lambda value: base64.b64decode(text(value), validate=True).decode(),
    "is blank": lambda string: not text(string).strip(),
    "string join": _string_join,
    # lists
    "list contains": lambda values, element: any(equal(x, element) is True for x in items(values)),
    "count": lambda values: len(items(values)),
    "min": _extreme(-1),
    "max": _extreme(1),
    "sum": lambda *args: tidy(sum(_numbers(args), Decimal(0))),
    "product": lambda *args: tidy(math.prod(_numbers(args), start=Decimal(1))),
    "mean": lambda *args: tidy(sum(_numbers(args), Decimal(0)) / len(_numbers(args))),
    "median": _median,
    "stddev": _stddev,
    "mode": _mode,
    "and": _all,
    "all": _all,
    "or": _any,
    "any": _any,
    "sublist": _sublist,
    "append": lambda values, *more: [*items(values), *more],
    "concatenate": lambda *lists: [item for listed in lists for item in items(listed)],
    "insert before": _insert_before,
    "remove": _remove,
    "reverse": lambda values: items(values)[::-1],
    "index of": lambda values, match: [i + 1 for i, x in enumerate(items(values)) if equal(x, match) is True],
    "union": lambda *lists: _distinct([item for listed in lists for item in items(listed)]),
    "distinct values": lambda values: _distinct(items(values)),
    "duplicate values": _duplicates,
    "flatten": _flatten,
    "sort": _sort,
    "is empty": lambda values: not items(values),
    "partition": _partition,
    # numbers
    "decimal": _rounding(decimal.ROUND_HALF_EVEN),
    "floor": _rounding(decimal.ROUND_FLOOR),
    "ceiling": _rounding(decimal.ROUND_CEILING),
    "round up": _rounding(decimal.ROUND_UP),
    "round down": _rounding(decimal.ROUND_DOWN),
    "round half up": _rounding(decimal.ROUND_HALF_UP),
    "round half down": _rounding(decimal.ROUND_HALF_DOWN),
    "abs": _abs,
    "modulo": _modulo,
    "sqrt": _positive(Decimal.sqrt, strict=False),
    "log": _positive(Decimal.ln, strict=True),
    "exp": lambda number: tidy(dec(number).exp()),
    "odd": lambda number: integer(number) % 2 == 1,
    "even": lambda number: integer(number) % 2 == 0,
    "random number": random.random,
    # booleans
    "not": lambda negand: (not negand) if isinstance(negand, bool) else None,
    "get or else": lambda value, default: default if value is None else value,
    "assert": _assert,
    # contexts
    "get value": _get_value,
    "get entries": lambda found: [{"key": k, "value": v} for k, v in context(found).items()],
    "context put": _context_put,
    "context merge": _context_merge,
    "put": _context_put,
    "put all": _context_merge,
    "context": _context_of,
    **CONVERSIONS,
}
"""FEEL's built-in functions by name; each raises on input it does not take."""

_LIST_OR_ITEMS = {"min", "max", "sum", "product", "mean", "median", "stddev", "mode"}
_LIST_OR_ITEMS |= {"and", "all", "or", "any"}

SIGNATURES: dict[str, tuple[tuple[str, ...], ...]] = {
    "substring": (("string", "start position"), ("string", "start position", "length")),
    "string length": (("string",),),
    "upper case": (("string",),),
    "lower case": (("string",),),
    "substring before": (("string", "match"),),
    "substring after": (("string", "match"),),
    "replace": (("input", "pattern", "replacement"), ("input", "pattern", "replacement", "flags")),
    "contains": (("string", "match"),),
    "starts with": (("string", "match"),),
    "ends with": (("string", "match"),),
    "matches": (("input", "pattern"), ("input", "pattern", "flags")),
    "split": (("string", "delimiter"),),
    "extract": (("input", "pattern"),),
    "trim": (("string",),),
    "uuid": ((),),
    "to base64": (("value",),),
    "from base64": (("value",),),
    "is blank": (("string",),),
    "string join": (
        ("list",),
        ("list", "delimiter"),
        ("list", "delimiter", "prefix", "suffix"),
    ),
    "list contains": (("list", "element"),),
    "count": (("list",),),
    **{name: (("list",),) for name in sorted(_LIST_OR_ITEMS)},
    "sublist": (("list", "start"), ("list", "start", "length")),
    "append": (("list", "items"),),
    "concatenate": (("lists",),),
    "insert before": (("list", "position", "newItem"),),
    "remove": (("list", "position"),),
    "reverse": (("list",),),
    "index of": (("list", "match"),),
    "union": (("lists",),),
    "distinct values": (("list",),),
    "duplicate values": (("list",),),
    "flatten": (("list",),),
    "sort": (("list", "precedes"),),
    "is empty": (("list",),),
    "partition": (("list", "size"),),
    "decimal": (("n", "scale"),),
    "floor": (("n",), ("n", "scale")),
    "ceiling": (("n",), ("n", "scale")),
    **{
        name: (("n",), ("n", "scale"))
        for name in ("round up", "round down", "round half up", "round half down")
    },
    "abs": (("number",), ("n",)),
    "modulo": (("dividend", "divisor"),),
    **{name: (("number",),) for name in ("sqrt", "log", "exp", "odd", "even")},
    "random number": ((),),
    "not": (("negand",),),
    "get or else": (("value", "default"),),
    "assert": (("value", "condition"), ("value", "condition", "cause")),
    "get value": (("m", "key"), ("context", "key"), ("context", "keys")),
    "get entries": (("context",), ("m",)),
    "context put": (("context", "key", "value"), ("context", "keys", "value")),
    "context merge": (("contexts",),),
    "put": (("context", "key", "value"), ("context", "keys", "value")),
    "put all": (("contexts",),),
    "context": (("entries",),),
    "string": (("from",),),
    "number": (
        ("from",),
        ("from", "grouping separator"),
        ("from", "grouping separator", "decimal separator"),
    ),
    "date": (("from",), ("year", "month", "day")),
    "time": (("from",), ("hour", "minute", "second"), ("hour", "minute", "second", "offset")),
    "date and time": (("from",), ("date", "time"), ("from", "timezone")),
    "duration": (("from",),),
    "years and months duration": (("from", "to"),),
    "cycle": (("duration",), ("repetitions", "duration")),
    "to json": (("value",),),
    "from json": (("value",),),
    "now": ((),),
    "today": ((),),
    **{
        name: (("date",),)
        for name in ("day of year", "day of week", "month of year", "week of year", "last day of month")
    },
}
"""Each built-in's parameter lists (one per overload), as named arguments name them."""

VARIADIC = _LIST_OR_ITEMS | {"append", "concatenate", "union", "context merge", "put all"}
"""Built-ins whose last parameter repeats when the arguments are positional: `sum(1, 2, 3)`."""
