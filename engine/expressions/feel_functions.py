"""FEEL's values and built-in functions, as Camunda 8 (feel-scala) documents them.

FEEL has one number type (decimal128), so numbers are computed as `Decimal` and come back as int or
float. Temporal values are ISO-8601 strings, so process variables stay JSON: a string that parses as a
date, time, date and time or duration is that value to comparisons, arithmetic and properties. A
string converted by `time()` or `date and time()` keeps how it was written (seconds, offset or `@zone`),
as Zeebe writes it; computed values show their seconds. Built-ins raise on wrong input; the caller
(`_fb_call` in `engine.expressions.translate`) turns that into null, as FEEL does.
"""

from __future__ import annotations

import base64
import calendar
import decimal
import functools
import json
import math
import random
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Context, Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

DECIMAL = Context(prec=34)
"""FEEL numbers are IEEE 754 decimal128."""


class AssertionFailed(Exception):
    """`assert()` found its condition unfulfilled: the evaluation fails instead of giving null."""


# ---- numbers ----


def is_number(value: Any) -> bool:
    """True for FEEL numbers (Python bools are not)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def tidy(value: Decimal) -> int | float:
    """A computed number as JSON keeps it: integral results as ints, others as floats."""
    if value.adjusted() < 34 and value == value.to_integral_value():
        return int(value)
    result = float(value)
    if math.isinf(result):
        raise OverflowError("number out of range")
    return result


def dec(value: Any) -> Decimal:
    """`value` as a Decimal; TypeError when it is not a number."""
    if not is_number(value):
        raise TypeError("not a number")
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def integer(value: Any) -> int:
    """`value` as an int; ValueError when it has a fraction."""
    number = dec(value)
    if number != number.to_integral_value():
        raise ValueError("not an integer")
    return int(number)


# ---- temporal values ----


class Temporal(NamedTuple):
    """A parsed temporal string: kind 'date', 'time', 'dt' (date and time) or 'dur'.

    `value` is a date, time, datetime or (months, timedelta); `short` says the text had no seconds.
    """

    kind: str
    value: Any
    short: bool = False


_DURATION = re.compile(
    r"(-)?P(?!$)(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?"
    r"(?:T(?=-?\d)(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?"
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CLOCK = re.compile(
    r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:(Z)|([+-]\d{2}:\d{2})|@([A-Za-z][\w/+\-]*))?(?:\[([A-Za-z][\w/+\-]*)\])?"
)


def parse_duration(text: str) -> tuple[int, timedelta] | None:
    """(months, timedelta) for an ISO-8601 duration, else None."""
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


def _zone(match: re.Match[str]) -> Any:
    utc, offset, zone_id, bracketed = match.group(5, 6, 7, 8)
    if zone_id or bracketed:
        return ZoneInfo(zone_id or bracketed)
    if utc:
        return UTC
    if offset:
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if offset[0] == "-" else delta)
    return None


def _parse_clock(text: str) -> tuple[time, bool] | None:
    """(time with its zone, whether seconds were left out) for a FEEL time, else None."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hour, minute, second, fraction = match.group(1, 2, 3, 4)
    micro = int((fraction or "0").ljust(6, "0")[:6])
    clock = time(int(hour), int(minute), int(second or 0), micro, tzinfo=_zone(match))
    return clock, second is None


def temporal(value: Any) -> Temporal | None:
    """The temporal value a string holds, or None for any other value."""
    if not isinstance(value, str) or len(value) < 3:
        return None
    try:
        if value[0] in "P-":
            duration = parse_duration(value)
            return None if duration is None else Temporal("dur", duration)
        if _DATE.fullmatch(value):
            return Temporal("date", date.fromisoformat(value))
        if _DATE.match(value) and value[10:11] == "T":
            parsed = _parse_clock(value[11:])
            if parsed is None:
                return None
            clock, short = parsed
            return Temporal("dt", datetime.combine(date.fromisoformat(value[:10]), clock), short)
        parsed = _parse_clock(value[1:] if value[0] == "T" else value)
        return None if parsed is None else Temporal("time", *parsed)
    except (ValueError, OverflowError, KeyError):  # ZoneInfo raises a KeyError subclass
        return None


def _clock_text(value: time, short: bool) -> str:
    # Java (and so Zeebe) leaves out zero seconds only when the value was written without them.
    text = f"{value.hour:02}:{value.minute:02}"
    if not short or value.second or value.microsecond:
        text += f":{value.second:02}"
        if value.microsecond:
            text += f".{value.microsecond:06}"[: 4 if value.microsecond % 1000 == 0 else 7]
    return text


def _zone_text(zone: Any, offset: timedelta | None) -> str:
    if isinstance(zone, ZoneInfo):
        return "@" + zone.key
    if offset is None:
        return ""
    if not offset:
        return "Z"
    sign, rest = ("-", -offset) if offset < timedelta(0) else ("+", offset)
    hours, seconds = divmod(int(rest.total_seconds()), 3600)
    return f"{sign}{hours:02}:{seconds // 60:02}"


def render(found: Temporal) -> str:
    """The ISO string of a temporal value (FEEL's `@zone` form for a zone id)."""
    kind, value, short = found
    if kind == "date":
        return value.isoformat()
    if kind == "dur":
        return format_duration(*value)
    clock = value if kind == "time" else value.timetz()
    offset = None if isinstance(clock.tzinfo, ZoneInfo) else clock.utcoffset()
    text = _clock_text(clock, short) + _zone_text(clock.tzinfo, offset)
    return text if kind == "time" else f"{value.date().isoformat()}T{text}"


def format_duration(months: int, delta: timedelta) -> str:
    """The ISO string of a duration, days and time as `P1DT2H` (feel-scala's form)."""
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


def add_months(value: Any, months: int) -> Any:
    """A date or datetime `months` later, on the month's last day when the day does not exist."""
    years, month = divmod(value.month - 1 + months, 12)
    year = value.year + years
    return value.replace(
        year=year, month=month + 1, day=min(value.day, calendar.monthrange(year, month + 1)[1])
    )


def _on_a_day(value: time) -> datetime:
    # A zone id's offset depends on the date: a time with one is read on today's date, as feel-scala does.
    return datetime.combine(datetime.now(UTC).date(), value)


def _shift(found: Temporal, months: int, delta: timedelta) -> str:
    kind, value, short = found
    if kind == "date":
        shifted = datetime.combine(add_months(value, months), time()) + delta
        return shifted.date().isoformat()
    if kind == "time":
        if months:
            raise ValueError("a time cannot move by months")
        moved = (_on_a_day(value) + delta).timetz()
        return render(Temporal("time", moved, short))
    return render(Temporal("dt", add_months(value, months) + delta, short))


def _scale_duration(found: Temporal, factor: Decimal) -> str:
    months, delta = found.value
    if months and delta:
        raise ValueError("a mixed duration cannot be scaled")
    if months:
        return format_duration(int((Decimal(months) * factor).to_integral_value(decimal.ROUND_DOWN)), delta)
    micros = Decimal(delta // timedelta(microseconds=1)) * factor
    return format_duration(0, timedelta(microseconds=int(micros)))


def temporal_arith(a: Any, op: str, b: Any) -> Any:
    """`a op b` when one side is a temporal string; None when the operation is undefined for them."""
    ta, tb = temporal(a), temporal(b)
    if ta is not None and tb is None and is_number(b) and ta.kind == "dur":
        if op == "*":
            return _scale_duration(ta, dec(b))
        return _scale_duration(ta, 1 / dec(b)) if op == "/" else None
    if tb is not None and ta is None and is_number(a) and tb.kind == "dur" and op == "*":
        return _scale_duration(tb, dec(a))
    if ta is None or tb is None:
        return None
    if op == "+" and ta.kind == "dur" and tb.kind != "dur":
        ta, tb = tb, ta
    if tb.kind == "dur" and op in ("+", "-"):
        months, delta = tb.value if op == "+" else (-tb.value[0], -tb.value[1])
        if ta.kind == "dur":
            return format_duration(ta.value[0] + months, ta.value[1] + delta)
        return _shift(ta, months, delta)
    if op == "/" and ta.kind == tb.kind == "dur":
        return _duration_ratio(ta.value, tb.value)
    if op == "-" and ta.kind == tb.kind and ta.kind != "dur":
        left, right = ta.value, tb.value
        if ta.kind == "time":
            left, right = _on_a_day(left), _on_a_day(right)
        return format_duration(0, left - right)
    return None


def _duration_ratio(a: tuple[int, timedelta], b: tuple[int, timedelta]) -> int | float:
    if not a[1] and not b[1]:
        return tidy(Decimal(a[0]) / Decimal(b[0]))
    if a[0] or b[0]:
        raise ValueError("durations of different kinds")
    return tidy(Decimal(a[1] // timedelta(microseconds=1)) / Decimal(b[1] // timedelta(microseconds=1)))


# ---- equality and order ----


def equal(a: Any, b: Any) -> bool | None:
    """FEEL's `=`: null only equals null, values of different types give null."""
    if a is None or b is None:
        return a is None and b is None
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, str) and isinstance(b, str):
        ta, tb = temporal(a), temporal(b)
        return ta.value == tb.value if ta and tb and ta.kind == tb.kind else a == b
    if type(a) is type(b):
        return bool(a == b)
    return None


def order_key(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Two values made comparable with `<`, or None when FEEL does not order them."""
    if is_number(a) and is_number(b):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        ta, tb = temporal(a), temporal(b)
        if ta and tb and ta.kind == tb.kind:
            if ta.kind == "time":
                return _on_a_day(ta.value), _on_a_day(tb.value)
            return (ta.value, tb.value) if ta.kind != "dur" else _duration_keys(ta.value, tb.value)
        return a, b
    return None


def _duration_keys(a: tuple[int, timedelta], b: tuple[int, timedelta]) -> tuple[Any, Any] | None:
    # Months and days have no fixed ratio: only durations of the same kind compare.
    if not a[1] and not b[1]:
        return a[0], b[0]
    return (a[1], b[1]) if not a[0] and not b[0] else None


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 as `a` is before, equal to or after `b`; TypeError when they do not compare."""
    keys = order_key(a, b)
    if keys is None:
        raise TypeError("values that do not compare")
    left, right = keys
    return -1 if left < right else int(left > right)


# ---- arguments ----


def text(value: Any) -> str:
    """`value` when it is a string; TypeError otherwise."""
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def items(value: Any) -> list[Any]:
    """`value` when it is a list; TypeError otherwise."""
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def context(value: Any) -> dict[str, Any]:
    """`value` when it is a context; TypeError otherwise."""
    if not isinstance(value, dict):
        raise TypeError("not a context")
    return value


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


# ---- conversions ----


def _quoted(value: Any) -> str:
    # Inside lists and contexts strings keep their quotes, as feel-scala writes them.
    return f'"{value}"' if isinstance(value, str) else string(value) or "null"


def string(value: Any) -> str | None:
    """FEEL's `string()`: lists as `[1, 2]`, contexts as `{a:1, b:2}`."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_quoted(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}:{_quoted(item)}" for key, item in value.items()) + "}"
    return str(tidy(dec(value))) if is_number(value) else str(value)


def _number(value: Any, grouping: Any = None, decimal_separator: Any = None) -> int | float:
    if is_number(value):
        return tidy(dec(value))
    source = text(value).strip()
    if grouping is not None:
        if text(grouping) not in (" ", ",", "."):
            raise ValueError("grouping separator")
        source = source.replace(grouping, "")
    if decimal_separator is not None:
        if text(decimal_separator) not in (",", ".") or decimal_separator == grouping:
            raise ValueError("decimal separator")
        source = source.replace(decimal_separator, ".")
    number = Decimal(source)
    if not number.is_finite():
        raise ValueError("not a finite number")
    return tidy(number)


def _of_kind(value: Any, *kinds: str) -> Temporal:
    found = temporal(value)
    if found is None or found.kind not in kinds:
        raise ValueError(f"not a {' or '.join(kinds)}")
    return found


def _date(value: Any, month: Any = None, day: Any = None) -> str:
    if month is not None:
        return date(integer(value), integer(month), integer(day)).isoformat()
    found = _of_kind(value, "date", "dt")
    return found.value.isoformat() if found.kind == "date" else found.value.date().isoformat()


def _time(value: Any, minute: Any = None, second: Any = None, offset: Any = None) -> str:
    if minute is None:
        found = _of_kind(value, "time", "dt")
        clock = found.value if found.kind == "time" else found.value.timetz()
        return render(Temporal("time", clock, found.short))
    seconds = dec(second)
    whole = int(seconds)
    zone = None
    if offset is not None:
        zone = timezone(_of_kind(offset, "dur").value[1])
    clock = time(integer(value), integer(minute), whole, int((seconds - whole) * 1_000_000), tzinfo=zone)
    return render(Temporal("time", clock))


def _date_and_time(value: Any, other: Any = None) -> str:
    if other is None:
        found = _of_kind(value, "date", "dt")
        if found.kind == "date":
            return render(Temporal("dt", datetime.combine(found.value, time())))
        return render(found)
    day = _of_kind(value, "date", "dt")
    clock = temporal(other)
    if clock is None or clock.kind != "time":
        # `date and time(from, timezone)`: the same instant in another zone.
        moved = day.value.astimezone(UTC if text(other) == "Z" else ZoneInfo(other))
        return render(Temporal("dt", moved, day.short))
    base = day.value if day.kind == "date" else day.value.date()
    return render(Temporal("dt", datetime.combine(base, clock.value), clock.short))


def _duration(value: Any) -> str:
    source = text(value).strip()
    found = parse_duration(source)
    if found is None:
        raise ValueError("not an ISO-8601 duration")
    # A duration is kept as written unless a part of it is negative, as in `PT-5M`.
    return format_duration(*found) if "-" in source[1:] else source


def _years_and_months(start: Any, end: Any) -> str:
    first, last = _day(start), _day(end)
    months = (last.year - first.year) * 12 + last.month - first.month
    if months > 0 and last.day < first.day:
        months -= 1
    elif months < 0 and last.day > first.day:
        months += 1
    text_form = format_duration(months, timedelta(0))
    return "P0Y" if text_form == "PT0S" else text_form


def _cycle(first: Any, second: Any = None) -> str:
    repetitions, duration = ("", first) if second is None else (integer(first), second)
    return f"R{repetitions}/{_duration(duration)}"


def at_literal(value: str) -> str:
    """The value of `@"…"`: a date, time, date and time or duration."""
    if value.lstrip("-").startswith("P"):
        return _duration(value)
    if "T" in value:
        return _date_and_time(value)
    return _date(value) if _DATE.fullmatch(value) else _time(value)


# ---- temporal functions ----


def _day(value: Any) -> date:
    found = _of_kind(value, "date", "dt")
    return found.value if found.kind == "date" else found.value.date()


def _now() -> str:
    moment = datetime.now(UTC)
    return render(Temporal("dt", moment.replace(microsecond=moment.microsecond // 1000 * 1000)))


def _last_day_of_month(value: Any) -> str:
    day = _day(value)
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]).isoformat()


# ---- properties and types ----


def _offset(value: Any) -> str | None:
    zone = value.tzinfo
    if zone is None:
        return None
    offset = (_on_a_day(value) if isinstance(value, time) else value).utcoffset()
    return None if offset is None else format_duration(0, offset)


def property_of(value: Any, key: str) -> Any:
    """A temporal value's property, as `d.year` or `duration.hours` read it; None if it has none."""
    found = temporal(value)
    if found is None:
        return None
    kind, parsed, _ = found
    if kind == "dur":
        months, delta = parsed
        parts = {"years": months // 12 if months >= 0 else -(-months // 12), "months": months % 12}
        seconds = int(delta.total_seconds())
        parts |= {"days": seconds // 86400, "hours": seconds % 86400 // 3600}
        parts |= {"minutes": seconds % 3600 // 60, "seconds": seconds % 60}
        return parts.get(key)
    if kind in ("date", "dt") and key in ("year", "month", "day", "weekday"):
        return parsed.isoweekday() if key == "weekday" else getattr(parsed, key)
    if kind in ("time", "dt") and key in ("hour", "minute", "second"):
        return getattr(parsed, key)
    if kind in ("time", "dt") and key == "time offset":
        return _offset(parsed)
    if kind in ("time", "dt") and key == "timezone":
        return parsed.tzinfo.key if isinstance(parsed.tzinfo, ZoneInfo) else None
    return None


def _duration_kind(value: Any) -> str | None:
    found = temporal(value)
    if found is None or found.kind != "dur":
        return None
    return "years and months duration" if not found.value[1] else "days and time duration"


TYPES = {
    "Any": lambda value: value is not None,
    "Null": lambda value: value is None,
    "number": is_number,
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "list": lambda value: isinstance(value, list),
    "context": lambda value: isinstance(value, dict),
    "date": lambda value: getattr(temporal(value), "kind", None) == "date",
    "time": lambda value: getattr(temporal(value), "kind", None) == "time",
    "date and time": lambda value: getattr(temporal(value), "kind", None) == "dt",
    "days and time duration": lambda value: _duration_kind(value) == "days and time duration",
    "years and months duration": lambda value: _duration_kind(value) == "years and months duration",
}
"""FEEL's type names as `instance of` tests them. Temporal values are strings, so such a string is
both a string and its temporal type."""


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
    # conversions
    "string": string,
    "number": _number,
    "date": _date,
    "time": _time,
    "date and time": _date_and_time,
    "duration": _duration,
    "years and months duration": _years_and_months,
    "cycle": _cycle,
    "to json": lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":")),
    "from json": lambda value: json.loads(text(value)),
    # temporal
    "now": _now,
    "today": lambda: datetime.now(UTC).date().isoformat(),
    "day of year": lambda value: _day(value).timetuple().tm_yday,
    "day of week": lambda value: calendar.day_name[_day(value).weekday()],
    "month of year": lambda value: calendar.month_name[_day(value).month],
    "week of year": lambda value: _day(value).isocalendar()[1],
    "last day of month": _last_day_of_month,
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
