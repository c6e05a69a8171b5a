"""FEEL's values, as Camunda 8 (feel-scala) documents them: numbers, temporal values and how they compare.

FEEL has one number type (decimal128), so numbers are computed as `Decimal` and come back as int or
float. Temporal values are ISO-8601 strings, so process variables stay JSON: a string that parses as a
date, time, date and time or duration is that value to comparisons, arithmetic and properties. This
module parses and renders them, does their arithmetic, equality and order, reads their properties
and holds the type tests of `instance of`, along with the checks built-ins make of their arguments.
"""

from __future__ import annotations

import calendar
import decimal
import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Context, Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

DECIMAL = Context(prec=34)
"""FEEL numbers are IEEE 754 decimal128."""


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
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
"""A date as ISO-8601 writes it: `2024-02-29`."""
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
        if ISO_DATE.fullmatch(value):
            return Temporal("date", date.fromisoformat(value))
        if ISO_DATE.match(value) and value[10:11] == "T":
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
