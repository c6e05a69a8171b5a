"""What JUEL expressions reach beyond plain values: Camunda 7's `now()` and `dateTime()`, the Java
methods of strings, lists, maps and (Joda) date-times, and read-only `execution` and `task` views.

Dates stay ISO 8601 strings, as every Flowbridge variable is JSON. `now()` and `dateTime()` give the
current time as one (UTC, milliseconds: `2026-01-05T09:30:00.000Z`), and Joda's methods
(`plusDays(3)`, `isBefore(…)`, `toDate()`, `toString('dd.MM.yyyy')`) take any ISO date or date-time
text and give one back. So a date stored into a variable, a timer's `timeDate` and a user task's due
date need no conversion, and a date read back from a variable has the same methods. Camunda 7 has two
types here (java.util.Date from `now()`, Joda's DateTime from `dateTime()`); both method sets work on
either, and both print as ISO 8601 rather than as Java's `toString()`.

`execution` and `task` show the evaluation the script engine runs (`evaluating`): the instance, its
business key and the element being evaluated. They read; nothing here writes a variable.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from ..variables import check_names

# ----------------------------------------------------------------------------------------------------
# Text, as EL coerces values to it.


def to_text(value: Any) -> str:
    """A value as EL turns it into text: null is "", booleans are `true`/`false`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def whole(value: Any, method: str) -> int:
    """An `int` argument as EL coerces one: null and "" are 0, a decimal is cut, text is parsed."""
    if value is None or value == "":
        return 0
    if _is_number(value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        return int(value)
    raise TypeError(f"'{method}()' needs a whole number, not {value!r}")


# ----------------------------------------------------------------------------------------------------
# Dates: ISO 8601 text in, ISO 8601 text out.

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def current_time() -> datetime:
    """Now, in UTC, by the clock SpiffWorkflow's timers read (Camunda 7 reads its ClockUtil for both):
    a test that moves one moves the other."""
    moment: datetime = spiff_timer.datetime.now(UTC)
    return moment


def parse_date(value: Any, method: str) -> date | datetime:
    """The date or date-time an ISO 8601 text holds; TypeError naming the method otherwise."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE_ONLY.fullmatch(text):
                return date.fromisoformat(text)
            if _DATE_ONLY.match(text) and text[10:11] == "T":
                return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise TypeError(f"'{method}()' needs a date (ISO 8601 text), not {value!r}")


def format_date(value: date | datetime) -> str:
    """ISO 8601 text: a date as `2026-01-05`, a date-time to the millisecond, UTC written `Z`."""
    if not isinstance(value, datetime):
        return value.isoformat()
    text = value.isoformat(timespec="milliseconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def as_datetime(value: date | datetime) -> datetime:
    """A date-time: a date is its midnight in UTC (as Flowbridge reads a due date that is a date)."""
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day, tzinfo=UTC)


def moment(value: date | datetime) -> datetime:
    """The instant, aware and in UTC; a date-time without an offset is read as UTC."""
    found = as_datetime(value)
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC)


def instant(value: Any, method: str) -> datetime:
    """A comparison's argument as an instant: a date, a date-time or epoch milliseconds (Joda takes both)."""
    if _is_number(value):
        return _EPOCH + timedelta(milliseconds=value)
    return moment(parse_date(value, method))


def date_moments(a: Any, b: Any) -> tuple[datetime, datetime] | None:
    """Both values' instants when both are ISO 8601 dates or date-times (EL's `<` compares them as
    Comparable dates, not as text that may differ in precision and offset), else None."""
    try:
        return instant(a, "<"), instant(b, "<")
    except TypeError:
        return None


def _add_months(value: date | datetime, months: int) -> date | datetime:
    # Joda keeps the day of month, or the month's last day when it has fewer (Jan 31 + 1 month: Feb 28/29).
    years, month = divmod(value.month - 1 + months, 12)
    year = value.year + years
    return value.replace(
        year=year, month=month + 1, day=min(value.day, calendar.monthrange(year, month + 1)[1])
    )


_CLOCK_UNITS = {"Hours": "hours", "Minutes": "minutes", "Seconds": "seconds", "Millis": "milliseconds"}


def shifted(value: date | datetime, unit: str, amount: int) -> date | datetime:
    """`value` moved by `amount` of Joda's `unit` (Years … Millis); a date stays a date for whole days."""
    if unit in ("Years", "Months"):
        return _add_months(value, amount * (12 if unit == "Years" else 1))
    if unit in ("Weeks", "Days"):
        return value + timedelta(days=amount * (7 if unit == "Weeks" else 1))
    return as_datetime(value) + timedelta(**{_CLOCK_UNITS[unit]: amount})


def _shift(name: str, unit: str, sign: int) -> Callable[[Any, Any], str]:
    def shift(receiver: Any, amount: Any) -> str:
        return format_date(shifted(parse_date(receiver, name), unit, sign * whole(amount, name)))

    return shift


def _epoch_millis(value: date | datetime) -> int:
    return (moment(value) - _EPOCH) // timedelta(milliseconds=1)


def _with_millis(receiver: Any, millis: Any) -> str:
    # Joda keeps the zone of the date-time it is called on.
    zone = as_datetime(parse_date(receiver, "withMillis")).tzinfo or UTC
    return format_date((_EPOCH + timedelta(milliseconds=whole(millis, "withMillis"))).astimezone(zone))


def _start_of_day(receiver: Any) -> str:
    found = as_datetime(parse_date(receiver, "withTimeAtStartOfDay"))
    return format_date(found.replace(hour=0, minute=0, second=0, microsecond=0))


_MONTHS = list(calendar.month_name)
_DAYS = list(calendar.day_name)
_PATTERN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+|'")


def format_pattern(value: date | datetime, pattern: str) -> str:
    """Joda's `toString(pattern)` (`yyyy-MM-dd HH:mm`, `dd.MM.yy`, `EEE, d MMM`, English names);
    a pattern letter it does not know is an error, not silently printed."""
    found = as_datetime(value)
    return "".join(_pattern_piece(found, piece.group()) for piece in _PATTERN.finditer(pattern))


def _pattern_piece(value: datetime, piece: str) -> str:
    if piece == "'":
        raise ValueError("the date pattern has an unterminated quote")
    if piece.startswith("'"):
        return "'" if piece == "''" else piece[1:-1].replace("''", "'")
    letter, count = piece[0], len(piece)
    if not letter.isalpha():
        return piece
    fields: dict[str, Callable[[], str]] = {
        "y": lambda: f"{value.year % 100:02d}" if count == 2 else f"{value.year:0{count}d}",
        "M": lambda: _month(value.month, count),
        "d": lambda: f"{value.day:0{count}d}",
        "D": lambda: f"{value.timetuple().tm_yday:0{count}d}",
        "E": lambda: _DAYS[value.weekday()][: 3 if count <= 3 else None],
        "e": lambda: f"{value.isoweekday():0{count}d}",
        "H": lambda: f"{value.hour:0{count}d}",
        "k": lambda: f"{value.hour or 24:0{count}d}",
        "K": lambda: f"{value.hour % 12:0{count}d}",
        "h": lambda: f"{value.hour % 12 or 12:0{count}d}",
        "m": lambda: f"{value.minute:0{count}d}",
        "s": lambda: f"{value.second:0{count}d}",
        "S": lambda: f"{value.microsecond:06d}".ljust(count, "0")[:count],
        "a": lambda: "AM" if value.hour < 12 else "PM",
        "Z": lambda: _offset(value, count),
    }
    if letter not in fields:
        raise ValueError(f"the date pattern letter {letter!r} is not supported")
    return fields[letter]()


def _month(month: int, count: int) -> str:
    if count >= 4:
        return _MONTHS[month]
    return _MONTHS[month][:3] if count == 3 else f"{month:0{count}d}"


def _offset(value: datetime, count: int) -> str:
    # A date-time without an offset is UTC here, as everywhere in Flowbridge.
    delta = value.utcoffset() or timedelta(0)
    if count >= 3:
        return "UTC" if not delta else str(value.tzinfo)
    sign, minutes = ("-" if delta < timedelta(0) else "+"), abs(delta) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}{':' if count == 2 else ''}{minutes % 60:02d}"


def _compare_dates(name: str, test: Callable[[datetime, datetime], bool]) -> Callable[..., bool]:
    def compare(receiver: Any, *other: Any) -> bool:
        mine = moment(parse_date(receiver, name))
        return test(mine, instant(other[0], name) if other else current_time())

    return compare


def _date_field(name: str, read: Callable[[datetime], int]) -> Callable[[Any], int]:
    return lambda receiver: read(as_datetime(parse_date(receiver, name)))


# ----------------------------------------------------------------------------------------------------
# Strings, lists and maps, with Java's names and semantics.

_JAVA_BLANK = "".join(map(chr, range(33)))  # String.trim() strips every character up to ' '


def _text(value: Any, method: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"'{method}()' needs a string, not {type(value).__name__}")
    return value


def _sized(value: Any, method: str, kinds: tuple[type, ...]) -> Any:
    if not isinstance(value, kinds):
        raise TypeError(f"'{method}()' cannot be called on {type(value).__name__}")
    return value


def _item(items: list[Any], index: Any) -> Any:
    if not _is_number(index) or not 0 <= index < len(items) or index != int(index):
        raise IndexError(f"index {index!r} is out of range for a list of {len(items)}")
    return items[int(index)]


def _substring(receiver: Any, begin: Any, *end: Any) -> str:
    text = _text(receiver, "substring")
    first = whole(begin, "substring")
    last = whole(end[0], "substring") if end else len(text)
    # Java throws rather than clipping, so a wrong index is an error here too.
    if not 0 <= first <= last <= len(text):
        raise IndexError(f"substring({first}, {last}) is out of range for a string of {len(text)}")
    return text[first:last]


def _index_of(receiver: Any, item: Any, *start: Any) -> int:
    if isinstance(receiver, list) and not start:
        return receiver.index(item) if item in receiver else -1
    text = _text(receiver, "indexOf")
    return text.find(_text(item, "indexOf"), max(whole(start[0], "indexOf"), 0) if start else 0)


def _char_at(receiver: Any, index: Any) -> str:
    text = _text(receiver, "charAt")
    position = whole(index, "charAt")
    if not 0 <= position < len(text):
        raise IndexError(f"charAt({position}) is out of range for a string of {len(text)}")
    return text[position]


def _split(receiver: Any, regex: Any) -> list[str]:
    """Java's `String.split(regex)`: no leading piece for a zero-width match at the start, and the
    trailing empty pieces dropped."""
    text, pieces, start = _text(receiver, "split"), [], 0
    matches = [m for m in re.finditer(_text(regex, "split"), text) if m.end() > 0]
    if not matches:
        return [text]
    for match in matches:
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    while pieces and pieces[-1] == "":
        pieces.pop()
    return pieces


def _contains(receiver: Any, item: Any) -> bool:
    if isinstance(receiver, str):
        return _text(item, "contains") in receiver
    return item in _sized(receiver, "contains", (list,))


def _get(receiver: Any, key: Any) -> Any:
    return _item(receiver, key) if isinstance(receiver, list) else _sized(receiver, "get", (dict,)).get(key)


def _matches(receiver: Any, regex: Any) -> bool:
    # Java's matches() is anchored at both ends.
    return re.fullmatch(_text(regex, "matches"), _text(receiver, "matches")) is not None


def _sign(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def _compare_to(receiver: Any, other: Any) -> int:
    """`compareTo`: numbers by value, dates by instant, text by text; -1, 0 or 1 (Java's sign)."""
    if _is_number(receiver) and _is_number(other):
        return _sign(receiver, other)
    moments = date_moments(receiver, other)
    if moments is not None:
        return _sign(*moments)
    if isinstance(receiver, str) and isinstance(other, str):
        return _sign(receiver, other)
    raise TypeError(f"cannot compare {type(receiver).__name__} with {type(other).__name__}")


def _to_string(receiver: Any, *pattern: Any) -> str:
    if pattern:
        return format_pattern(parse_date(receiver, "toString"), _text(pattern[0], "toString"))
    return to_text(receiver)


class Method(NamedTuple):
    """A Java method JUEL may call: the argument counts it takes, its Python, whether it is a test."""

    arities: tuple[int, ...]
    function: Callable[..., Any]
    boolean: bool = False


_STRING_AND_COLLECTION_METHODS: dict[str, Method] = {
    "size": Method((0,), lambda x: len(_sized(x, "size", (list, dict)))),
    "isEmpty": Method((0,), lambda x: len(_sized(x, "isEmpty", (list, dict, str))) == 0, True),
    "length": Method((0,), lambda x: len(_text(x, "length"))),
    "toUpperCase": Method((0,), lambda x: _text(x, "toUpperCase").upper()),
    "toLowerCase": Method((0,), lambda x: _text(x, "toLowerCase").lower()),
    "trim": Method((0,), lambda x: _text(x, "trim").strip(_JAVA_BLANK)),
    "isBlank": Method((0,), lambda x: not _text(x, "isBlank").strip(), True),
    "contains": Method((1,), _contains, True),
    "containsKey": Method((1,), lambda x, y: y in _sized(x, "containsKey", (dict,)), True),
    "containsValue": Method((1,), lambda x, y: y in _sized(x, "containsValue", (dict,)).values(), True),
    "startsWith": Method((1,), lambda x, y: _text(x, "startsWith").startswith(_text(y, "startsWith")), True),
    "endsWith": Method((1,), lambda x, y: _text(x, "endsWith").endswith(_text(y, "endsWith")), True),
    "equals": Method((1,), lambda x, y: type(x) is type(y) and x == y, True),
    "equalsIgnoreCase": Method(
        (1,), lambda x, y: isinstance(y, str) and _text(x, "equalsIgnoreCase").lower() == y.lower(), True
    ),
    "get": Method((1,), _get),
    "substring": Method((1, 2), _substring),
    "indexOf": Method((1, 2), _index_of),
    "lastIndexOf": Method((1,), lambda x, y: _text(x, "lastIndexOf").rfind(_text(y, "lastIndexOf"))),
    "charAt": Method((1,), _char_at),
    "concat": Method((1,), lambda x, y: _text(x, "concat") + _text(y, "concat")),
    # Java's replace is literal (replaceAll takes a regex, and $1 in its replacement): only replace here.
    "replace": Method((2,), lambda x, a, b: _text(x, "replace").replace(to_text(a), to_text(b))),
    "split": Method((1,), _split),
    "matches": Method(
        (1,), lambda x, y: re.fullmatch(_text(y, "matches"), _text(x, "matches")) is not None, True
    ),
    "compareTo": Method((1,), _compare_to),
    "toString": Method((0, 1), _to_string),
}

_DATE_METHODS: dict[str, Method] = {
    **{
        f"{verb}{unit}": Method((1,), _shift(f"{verb}{unit}", unit, sign))
        for verb, sign in (("plus", 1), ("minus", -1))
        for unit in ("Years", "Months", "Weeks", "Days", "Hours", "Minutes", "Seconds", "Millis")
    },
    "toDate": Method((0,), lambda x: format_date(as_datetime(parse_date(x, "toDate")))),
    "toDateTime": Method((0,), lambda x: format_date(as_datetime(parse_date(x, "toDateTime")))),
    "toLocalDate": Method((0,), lambda x: as_datetime(parse_date(x, "toLocalDate")).date().isoformat()),
    "withTimeAtStartOfDay": Method((0,), _start_of_day),
    "withMillis": Method((1,), _with_millis),
    "isBefore": Method((1,), _compare_dates("isBefore", lambda a, b: a < b), True),
    "isAfter": Method((1,), _compare_dates("isAfter", lambda a, b: a > b), True),
    "isEqual": Method((1,), _compare_dates("isEqual", lambda a, b: a == b), True),
    "isBeforeNow": Method((0,), _compare_dates("isBeforeNow", lambda a, b: a < b), True),
    "isAfterNow": Method((0,), _compare_dates("isAfterNow", lambda a, b: a > b), True),
    "isEqualNow": Method((0,), _compare_dates("isEqualNow", lambda a, b: a == b), True),
    # java.util.Date's, for what `now()` gives in Camunda 7.
    "before": Method((1,), _compare_dates("before", lambda a, b: a < b), True),
    "after": Method((1,), _compare_dates("after", lambda a, b: a > b), True),
    "getTime": Method((0,), lambda x: _epoch_millis(parse_date(x, "getTime"))),
    "getMillis": Method((0,), lambda x: _epoch_millis(parse_date(x, "getMillis"))),
    "getYear": Method((0,), _date_field("getYear", lambda d: d.year)),
    "getMonthOfYear": Method((0,), _date_field("getMonthOfYear", lambda d: d.month)),
    "getDayOfMonth": Method((0,), _date_field("getDayOfMonth", lambda d: d.day)),
    "getDayOfYear": Method((0,), _date_field("getDayOfYear", lambda d: d.timetuple().tm_yday)),
    "getDayOfWeek": Method((0,), _date_field("getDayOfWeek", lambda d: d.isoweekday())),
    "getHourOfDay": Method((0,), _date_field("getHourOfDay", lambda d: d.hour)),
    "getMinuteOfHour": Method((0,), _date_field("getMinuteOfHour", lambda d: d.minute)),
    "getSecondOfMinute": Method((0,), _date_field("getSecondOfMinute", lambda d: d.second)),
}

METHODS: dict[str, Method] = {**_STRING_AND_COLLECTION_METHODS, **_DATE_METHODS}
"""Every method JUEL may call on a value, by its Java name; any other method call is refused at deploy."""

FUNCTIONS_WITHOUT_ARGUMENTS = ("now", "dateTime")
"""Camunda 7's EL functions (DateTimeFunctions): both give the current time."""


def _fb_el_call(receiver: Any, method: str, *args: Any) -> Any:
    if receiver is None:
        raise TypeError(f"cannot call '{method}()' on null")
    return METHODS[method].function(receiver, *args)


def _fb_el_now() -> str:
    return format_date(current_time())


# ----------------------------------------------------------------------------------------------------
# The `execution` and `task` views.

CLAIM = "flowbridge_claim"
"""The internal data key of a user task's claim (engine.runtime.projections.CLAIM; this layer is below it)."""


class Evaluation(NamedTuple):
    """What an expression's `execution` and `task` show: the instance and the SpiffWorkflow task."""

    instance_id: str
    business_key: str | None
    task: Any


_EVALUATION: ContextVar[Evaluation | None] = ContextVar("flowbridge_juel_evaluation", default=None)


@contextmanager
def evaluating(instance_id: str, business_key: str | None, task: Any) -> Iterator[None]:
    """Expressions evaluated inside see this instance and task as `execution` (and `task`)."""
    token = _EVALUATION.set(Evaluation(instance_id, business_key, task))
    try:
        yield
    finally:
        _EVALUATION.reset(token)


_EVENT: ContextVar[str | None] = ContextVar("flowbridge_listener_event", default=None)


@contextmanager
def listening(event: str) -> Iterator[None]:
    """A listener's expressions and scripts, run inside, see its event as `execution.eventName`."""
    token = _EVENT.set(event)
    try:
        yield
    finally:
        _EVENT.reset(token)


def _spec(evaluation: Evaluation, name: str) -> Any:
    return getattr(getattr(evaluation.task, "task_spec", None), name, None)


def _assignee(evaluation: Evaluation) -> str | None:
    # Whoever claimed the task, else the model's literal assignee (an expression is not run again here).
    claimed = getattr(evaluation.task, "internal_data", {}).get(CLAIM)
    if claimed is not None:
        return str(claimed)
    extensions = _spec(evaluation, "extensions")
    assignment = extensions.get("assignment") if isinstance(extensions, dict) else None
    literal = assignment.get("assignee") if isinstance(assignment, dict) else None
    return literal if isinstance(literal, str) else None


EXECUTION: dict[str, Callable[[Evaluation], Any]] = {
    "processInstanceId": lambda e: e.instance_id,
    "processBusinessKey": lambda e: e.business_key,
    "businessKey": lambda e: e.business_key,
    "currentActivityId": lambda e: _spec(e, "bpmn_id"),
    "activityId": lambda e: _spec(e, "bpmn_id"),
    "currentActivityName": lambda e: _spec(e, "bpmn_name"),
    "eventName": lambda e: _EVENT.get(),
}
"""The `execution` properties expressions may read (also as getters: `getProcessBusinessKey()`)."""

TASK: dict[str, Callable[[Evaluation], Any]] = {
    "id": lambda e: str(e.task.id),
    "name": lambda e: _spec(e, "bpmn_name"),
    "taskDefinitionKey": lambda e: _spec(e, "bpmn_id"),
    "assignee": _assignee,
    "processInstanceId": lambda e: e.instance_id,
}
"""The `task` properties expressions on a user task may read (also as getters: `getAssignee()`)."""


def getters(properties: dict[str, Any]) -> dict[str, str]:
    """Java's getter names of `properties`: `getProcessInstanceId` → `processInstanceId`."""
    return {f"get{name[0].upper()}{name[1:]}": name for name in properties}


def user_task_evaluation() -> Evaluation | None:
    """The running evaluation when it is of a user task (where Camunda 7 resolves `task` to the task
    rather than to a variable of that name), else None."""
    evaluation = _EVALUATION.get()
    spec = getattr(getattr(evaluation, "task", None), "task_spec", None)
    return evaluation if isinstance(spec, UserTask) else None


def _fb_el_execution(name: str) -> Any:
    evaluation = _EVALUATION.get()
    if evaluation is None:
        raise LookupError(f"execution.{name} is known only while an instance runs")
    return EXECUTION[name](evaluation)


def _fb_el_set(name: Any, value: Any) -> None:
    """`execution.setVariable(name, value)`: sets the variable on the task being evaluated (its
    scope takes it when the task completes, engine.runtime.scopes); null, as Java's void."""
    evaluation = _EVALUATION.get()
    if evaluation is None:
        raise LookupError("execution.setVariable works only while an instance runs")
    if not isinstance(name, str) or not name or name.startswith("_"):
        raise TypeError(f"execution.setVariable needs a variable name, not {name!r}")
    check_names({name: value}, "execution.setVariable")
    evaluation.task.data[name] = value


FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: value for name, value in globals().items() if name.startswith("_fb_")
}
"""The runtime helpers defined here, by the names translated JUEL calls them."""
