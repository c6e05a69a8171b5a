"""The script environment SpiffArena gives its models' scripts and conditions (spiff dialect only).

Read from spiff-arena's backend (sartography/spiff-arena, LGPL 2.1):
`services/process_instance_script_engine.py`, `CustomBpmnScriptEngine.__init__`'s
`default_globals`, and the scripts of `spiffworkflow_backend/scripts/` that need nothing of
SpiffArena's own backend (users, groups, secrets, URLs, its database):

- modules, without `import`: `calendar`, `decimal`, `json`, `random`, `re`, `time`, `uuid`; and
  `datetime` and `timedelta`, which are the *classes* (`from datetime import datetime`), so
  `datetime.now()` and `timedelta(days=1)` work as they do there;
- `sanitize_for_md` (spiff-arena-common's `JinjaHelpers`, also a filter in instructions);
- `get_task_data_value(name, default)`, `update_task_data_with_dictionary(d)`,
  `extract_from_task_data(prefix_or_predicate)`, `generate_markdown_table(columns, data)` and
  `get_localtime(datetime, timezone)` (with `zoneinfo`, not `pytz`), bound to the task's data;
- the builtins it lists (`all any dict enumerate filter format list map max min set sum`) are the
  sandbox's builtins already.

Left out: `dateparser` and `pytz` (not Flowbridge dependencies; `zoneinfo` is importable),
`_strptime` (a name a sandboxed script may not use), and the scripts about SpiffArena's users,
groups, secrets, permissions and URLs.

As in SpiffArena's restricted engine, `import datetime` (no `from`) gives the name's global, the
class; `from datetime import date` gives the module's names, which SpiffArena refuses (Flowbridge
lets it through: it is the module as a `ModuleView`). Other imports are the sandbox's.

Dot access, as SpiffWorkflow's `Box` gave SpiffArena's models until SpiffWorkflow 3.0: in a
sandboxed script or condition `order.total` reads `order["total"]` when `order` is a dict and
`total` is no dict method (a key named `items` is `order["items"]`), and `order.total = 5` writes
it; the dict stays a plain dict, so what is stored is JSON. With the sandbox off, each script and
expression runs over a boxed copy of the data (`Box`), unboxed into plain dicts after a script.

These names are globals of SpiffArena's models only: Camunda and plain BPMN models keep their
expressions' meaning, where `time` or `json` is a variable (a FEEL `time` unset is null, not a
module), and SpiffWorkflow refuses task data that shadows a global ("You have task data that
overwrites a predefined function(s)") — as SpiffArena does.
"""

from __future__ import annotations

import calendar
import datetime as _datetime
import decimal
import json
import random
import re
import time
import types
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any

from RestrictedPython.Guards import full_write_guard, safer_getattr_raise
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

from .sandbox import ModuleView, SandboxedEnvironment, sandbox_globals
from .sandbox import _import as sandbox_import

MODULES = ("calendar", "decimal", "json", "random", "re", "time", "uuid")
"""The modules of SpiffArena's `default_globals` Flowbridge gives (without `dateparser`, `pytz`)."""

_MODULE_OBJECTS = {"calendar": calendar, "decimal": decimal, "json": json, "random": random, "re": re}
_MODULE_OBJECTS.update({"time": time, "uuid": uuid})

MD_ESCAPED = r"_*[]()~`#+-=|{}!"
"""The characters `sanitize_for_md` escapes (spiff-arena-common's JinjaHelpers)."""


def sanitize_for_md(value: str) -> str:
    """`value` with Markdown's special characters escaped and line breaks removed (SpiffArena's)."""
    escaped = re.sub(f"([{re.escape(MD_ESCAPED)}])", r"\\\1", value)
    return escaped.replace("\n", "").replace("\r", "")


def jinja_helpers() -> dict[str, Callable[..., Any]]:
    """The helpers SpiffArena gives scripts and Jinja templates (filters and functions)."""
    return {"sanitize_for_md": sanitize_for_md}


def spiffarena_globals(sandboxed: bool) -> dict[str, Any]:
    """SpiffArena's script globals; sandboxed, each module as a ModuleView."""
    names: dict[str, Any] = {
        name: ModuleView(module) if sandboxed else module for name, module in _MODULE_OBJECTS.items()
    }
    names["datetime"] = _datetime.datetime
    names["timedelta"] = _datetime.timedelta
    names.update(jinja_helpers())
    names["generate_markdown_table"] = generate_markdown_table
    names["get_localtime"] = get_localtime
    return names


# -- the scripts of spiffworkflow_backend/scripts/ --------------------------------------------------


def generate_markdown_table(columns: list[Any] | None = None, data: list[Any] | None = None) -> str:
    """A Markdown table of `data` (dicts) with `columns` (property names, or dicts with
    `property`, `label`, `sanitize`, `formatter`), as SpiffArena's script of that name makes it."""
    if columns is None:
        raise ValueError("Missing required argument: 'columns'")
    if data is None:
        raise ValueError("Missing required argument: 'data'")
    headers = [
        c if isinstance(c, dict) else {"property": c, "label": str(c).replace("_", " ").capitalize()}
        for c in columns
    ]
    table = "| " + " | ".join(h["label"] for h in headers) + " |\n"
    table += "| " + " | ".join(["----"] * len(headers)) + " |\n"
    for item in data:
        row = []
        for column in headers:
            value = str(item.get(column["property"], ""))
            if column.get("formatter") == "convert_seconds_to_date_time_for_display":
                value = f"SPIFF_FORMAT:::convert_seconds_to_date_time_for_display({value})"
            elif column.get("sanitize", True) is True:
                value = sanitize_for_md(value)
            row.append(value)
        table += "| " + " | ".join(row) + " |\n"
    return table


def get_localtime(*args: Any, **kwargs: Any) -> _datetime.datetime:
    """`datetime` in `timezone` (default US/Eastern), as SpiffArena's script (zoneinfo for pytz)."""
    if not args and "datetime" not in kwargs:
        raise ValueError("You must include a datetime to convert.")
    moment = kwargs["datetime"] if "datetime" in kwargs else args[0]
    zone = kwargs.get("timezone", args[1] if len(args) > 1 else "US/Eastern")
    if isinstance(moment, str):
        moment = _datetime.datetime.fromisoformat(moment)
    result: _datetime.datetime = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return result


def task_data_scripts(data: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """SpiffArena's scripts that read or change the task's data, bound to `data`."""

    def get_task_data_value(name: str, default: Any = None) -> Any:
        value = data.get(name)
        return default if value is None else value

    def update_task_data_with_dictionary(updates: Any = None) -> None:
        if not isinstance(updates, dict):
            raise ValueError("Expected a dictionary as the first argument.")
        data.update(updates)

    def extract_from_task_data(predicate: Any = None) -> dict[str, Any]:
        if isinstance(predicate, str):
            prefix = predicate
            predicate = lambda key: key.startswith(prefix)  # noqa: E731
        elif not predicate:
            predicate = lambda key: True  # noqa: E731
        if not callable(predicate):
            raise ValueError("Optional predicate must either be a string or callable.")
        extracted = {}
        for key, value in list(data.items()):
            if key.startswith("__") or callable(value) or isinstance(value, ModuleView):
                continue
            if predicate(key):
                extracted[key] = data.pop(key)
        return extracted

    return {
        "get_task_data_value": get_task_data_value,
        "update_task_data_with_dictionary": update_task_data_with_dictionary,
        "extract_from_task_data": extract_from_task_data,
    }


# -- dot access ----------------------------------------------------------------------------------


def dot_getattr(obj: Any, name: str, *default: Any) -> Any:
    """The sandbox's attribute read, and a dict's key by dot (a dict's own methods first, as Box)."""
    if isinstance(obj, dict) and not name.startswith("_") and not hasattr(dict, name):
        try:
            return obj[name]
        except KeyError:
            if default:
                return default[0]
            raise AttributeError(f"dict has no key or attribute '{name}'") from None
    return safer_getattr_raise(obj, name, *default)


class _DictWrites:
    """A dict a sandboxed script writes to: `d.k = v` (and `del d.k`) as `d['k'] = v`."""

    __slots__ = ("_dict",)
    _dict: dict[str, Any]

    def __init__(self, target: dict[str, Any]) -> None:
        object.__setattr__(self, "_dict", target)

    def __setattr__(self, name: str, value: Any) -> None:
        self._dict[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._dict[name]
        except KeyError:
            raise AttributeError(f"dict has no key '{name}'") from None

    def __setitem__(self, key: Any, value: Any) -> None:
        self._dict[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._dict[key]


def dot_write(obj: Any) -> Any:
    """The sandbox's write guard, letting attribute writes on a dict write its keys."""
    if isinstance(obj, dict):
        return _DictWrites(obj)
    return full_write_guard(obj)


class Box(dict[str, Any]):
    """A dict whose keys read and write as attributes (SpiffWorkflow's Box, before 3.0); only in
    the scratch copy an unsandboxed script or expression of a SpiffArena model runs over."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"dict has no key or attribute '{name}'") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        del self[name]


def box(value: Any) -> Any:
    """`value` with every dict in it a Box (a copy of each dict and list)."""
    if isinstance(value, dict):
        return Box({k: box(v) for k, v in value.items()})
    if isinstance(value, list):
        return [box(v) for v in value]
    return value


def unbox(value: Any) -> Any:
    """`value` with every Box in it a plain dict again."""
    if isinstance(value, dict):
        return {k: unbox(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unbox(v) for v in value]
    return value


# -- the environments ------------------------------------------------------------------------------


def _spiff_importer(names: dict[str, Any]) -> Callable[..., Any]:
    def spiff_import(
        name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        if level == 0 and not fromlist and name in names:
            return names[name]  # SpiffArena: `import datetime` is its global, the class
        return sandbox_import(name, globals, locals, fromlist, level)

    return spiff_import


class SpiffArenaSandboxedEnvironment(SandboxedEnvironment):
    """The sandbox with SpiffArena's globals, its import, dot access and its task-data scripts."""

    def __init__(self, environment_globals: dict[str, Any]) -> None:
        names = spiffarena_globals(sandboxed=True)
        builtins = {**sandbox_globals()["__builtins__"], "__import__": _spiff_importer(names)}
        super().__init__(
            {
                **environment_globals,
                **names,
                "__builtins__": builtins,
                "_getattr_": dot_getattr,
                "_write_": dot_write,
            }
        )

    def evaluate(self, expression: Any, context: Any, external_context: Any = None) -> Any:
        """Evaluate, with the task-data scripts bound to `context`."""
        return super().evaluate(
            expression, context, {**task_data_scripts(context), **(external_context or {})}
        )

    def execute(self, script: Any, context: Any, external_context: Any = None) -> bool:
        """Run a script, with the task-data scripts bound to `context`."""
        return super().execute(script, context, {**task_data_scripts(context), **(external_context or {})})


class SpiffArenaEnvironment(TaskDataEnvironment):
    """Unsandboxed (a trusted deployment): SpiffArena's globals (plain modules, Python's import),
    its task-data scripts, and dot access over a boxed copy of the data."""

    def __init__(self, environment_globals: dict[str, Any]) -> None:
        super().__init__({**environment_globals, **spiffarena_globals(sandboxed=False)})

    def evaluate(self, expression: Any, context: Any, external_context: Any = None) -> Any:
        """Evaluate over a boxed copy of `context`; a dict result is plain again."""
        scripts = task_data_scripts(context)
        boxed = {k: box(v) for k, v in context.items()}
        return unbox(super().evaluate(expression, boxed, {**scripts, **(external_context or {})}))

    def execute(self, script: Any, context: Any, external_context: Any = None) -> bool:
        """Run a script over boxed values; what it leaves is plain dicts again."""
        for key, value in list(context.items()):
            context[key] = box(value)
        try:
            return bool(
                super().execute(script, context, {**task_data_scripts(context), **(external_context or {})})
            )
        finally:
            for key, value in list(context.items()):
                context[key] = unbox(value)

    def _remove_globals_and_functions_from_context(self, context: Any, external_context: Any = None) -> None:
        # Modules a script imported are its tools, not the instance's data.
        super()._remove_globals_and_functions_from_context(context, external_context)
        for name in [k for k, v in context.items() if isinstance(v, types.ModuleType)]:
            del context[name]


def environment(helpers: dict[str, Any], sandboxed: bool) -> TaskDataEnvironment:
    """The environment of a SpiffArena model's scripts and conditions."""
    return SpiffArenaSandboxedEnvironment(helpers) if sandboxed else SpiffArenaEnvironment(helpers)
