"""FEEL's conversion and temporal built-ins, as Camunda 8 (feel-scala) documents them.

The conversions (`string()`, `number()`, `date()`, `time()`, `date and time()`, `duration()`, `years
and months duration()`, `cycle()`, `to json()`, `from json()`), the `@"…"` literal, and the calendar
functions (`now()`, `today()`, `day of week()`, …). A string converted by `time()` or `date and time()`
keeps how it was written (seconds, offset or `@zone`), as Zeebe writes it; computed values show their
seconds. `engine.expressions.feel_functions` lists these after the other built-ins.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .feel_values import (
    ISO_DATE,
    Temporal,
    dec,
    format_duration,
    integer,
    is_number,
    parse_duration,
    render,
    temporal,
    text,
    tidy,
)

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
    return _date(value) if ISO_DATE.fullmatch(value) else _time(value)


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


# ---- the table ----

CONVERSIONS: dict[str, Callable[..., Any]] = {
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
"""The conversion and temporal built-ins by name; each raises on input it does not take."""
