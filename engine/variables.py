"""Variables are JSON: checked where they enter, so nothing unstorable reaches a save."""

from __future__ import annotations

import copy
import math
from typing import Any

from .errors import InvalidInput, VariablesNotJson

MAX_DEPTH = 64
"""Deepest nesting accepted in a variable's value."""
ENGINE_NAMES = frozenset({"lane_owners"})
"""Variables that steer the engine (SpiffArena's lane owners pick who may do a task): a model's
own scripts may set them, data from outside may not."""
ENGINE_PREFIXES = ("_fb_", "__")
"""Prefixes of names the engine keeps for itself (`_fb_` helpers in expressions, dunder names)."""


def check_json(value: Any, where: str) -> None:
    """Raise VariablesNotJson naming `where` and the path when `value` is not plain JSON."""
    problem = _problem(value, "", 0)
    if problem is not None:
        path, reason = problem
        at = f" at {path}" if path else ""
        raise VariablesNotJson(f"{where} is not JSON{at}: {reason}", path=path or None)


def check_variables(variables: Any, where: str = "variables") -> dict[str, Any]:
    """Check a mapping of variable names to JSON values from outside the engine and return it: no
    name the engine keeps for itself (`check_names`)."""
    if not isinstance(variables, dict):
        raise VariablesNotJson(f"{where} must be a JSON object, not {type(variables).__name__}")
    for name, value in variables.items():
        if not isinstance(name, str) or not name:
            raise VariablesNotJson(f"{where}: variable names must be non-empty strings, not {name!r}")
        check_json(value, f"variable '{name}'")
    check_names(variables, where)
    return variables


def check_names(variables: Any, where: str) -> None:
    """Refuse, naming it, a variable that steers the engine (ENGINE_NAMES, ENGINE_PREFIXES)."""
    for name in variables:
        if name in ENGINE_NAMES or name.startswith(ENGINE_PREFIXES):
            raise InvalidInput(
                f"{where}: variable '{name}' is the engine's own; only the model's scripts may set it",
                variable=name,
            )


def _problem(value: Any, path: str, depth: int) -> tuple[str, str] | None:
    if depth > MAX_DEPTH:
        return path, f"nested deeper than {MAX_DEPTH} levels"
    if value is None or isinstance(value, (bool, int, str)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, f"{value} is not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path}[{key!r}]", f"object keys must be strings, not {type(key).__name__}"
            found = _problem(item, f"{path}.{key}" if path else key, depth + 1)
            if found:
                return found
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _problem(item, f"{path}[{index}]", depth + 1)
            if found:
                return found
        return None
    return path, f"a {type(value).__name__} value cannot be stored as JSON"


def check_text(value: Any, where: str, max_length: int = 255) -> str:
    """A name or key the database stores as text: a string without NUL or lone surrogates.

    PostgreSQL refuses NUL in text, and no database can store a lone surrogate as UTF-8, so
    both are refused here for every caller (the API, the CLI, Python) rather than failing later.
    """
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidInput(f"{where} must be a string of at most {max_length} characters")
    if "\x00" in value:
        raise InvalidInput(f"{where} must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{where} must be valid Unicode text (no lone surrogates)") from None
    return value


def assign_path(data: dict[str, Any], target: str, value: Any) -> None:
    """Set `target` in `data`; `a.b` sets key b of the context a (made when missing), as a mapping's
    dotted target does in Zeebe. The contexts on the path are copies: no other holder changes."""
    head, *path = target.split(".")
    if not path:
        data[head] = value
        return
    current = data.get(head)
    context = copy.deepcopy(current) if isinstance(current, dict) else {}
    data[head] = context
    for key in path[:-1]:
        inner = context.get(key)
        context[key] = inner = copy.deepcopy(inner) if isinstance(inner, dict) else {}
        context = inner
    context[path[-1]] = value
