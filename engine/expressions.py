"""Expressions from the editors' dialects, turned into the Python the script engine evaluates."""

from __future__ import annotations

import re

_JUEL = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)


def is_expression(value: str | None) -> bool:
    """True when `value` is a JUEL (`${…}`, `#{…}`) or FEEL (`=…`) expression, not a literal."""
    return value is not None and (bool(_JUEL.match(value)) or value.lstrip().startswith("="))


def to_python(value: str) -> str:
    """The Python source of a JUEL or FEEL expression (`${a}` → `a`, `=a` → `a`)."""
    match = _JUEL.match(value)
    if match:
        return match.group("body").strip()
    stripped = value.lstrip()
    if stripped.startswith("="):
        return stripped[1:].strip()
    return value


def name_of(value: str | None) -> str | None:
    """The bare name a `${name}` / `#{name}` expression refers to, as Camunda 7 delegates use."""
    if value is None:
        return None
    body = to_python(value).strip()
    return body if re.fullmatch(r"[A-Za-z_][\w.\-]*", body) else None
