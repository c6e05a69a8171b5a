"""A task's instructions for the person doing it: SpiffArena's `spiffworkflow:instructionsForEndUser`,
a Jinja template rendered with the task's data, as SpiffArena renders it (issue 14 point 12).

SpiffArena (sartography/spiff-arena, LGPL 2.1: `spiff-arena-common/src/spiff_arena_common/jinja.py`
and the backend's `services/jinja_service.py`) renders the template with `lstrip_blocks` and
`trim_blocks`, over the task's data, with `sanitize_for_md` as a filter and a function, and shows
the text as Markdown. Flowbridge renders it in Jinja's sandbox (no attributes starting with `_`, no
unsafe calls) to plain text — the task API's `instructions` — and the task page shows that text
escaped, keeping its line breaks (no Markdown: Flowbridge has no Markdown library). An error in the
template is no error of the task: `instructions_error` says what went wrong, as SpiffArena's message
does (`TemplateSyntaxError: …` with the line, the undefined variables).

The template is read from the deployed definition when the task is shown (the task's row keeps its
data, not its template), so a task shows its instructions with the data it has now.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from ..expressions.spiffarena import jinja_helpers

EXTENSION = "instructionsForEndUser"
"""The task spec extension SpiffWorkflow's Spiff parser reads `spiffworkflow:instructionsForEndUser` into."""


def render(template: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The rendered template and None, or None and what went wrong (as SpiffArena's `jinja()`)."""
    if not template:
        return template, None
    env = SandboxedEnvironment(autoescape=False, lstrip_blocks=True, trim_blocks=True)
    env.filters.update(jinja_helpers())
    try:
        return env.from_string(template).render({**data, **jinja_helpers()}), None
    except jinja2.TemplateSyntaxError as exc:
        return None, f"{type(exc).__name__}: {exc}" + _line(template, exc.lineno)
    except Exception as exc:  # any error in the template is shown, never raised
        message = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, TypeError) and "Undefined" in str(exc):
            undefined = meta.find_undeclared_variables(env.parse(template)) - set(data)
            if undefined:
                message += f"\n  Undefined variables: {', '.join(sorted(undefined))}"
        return None, message + _line(template, getattr(exc, "lineno", None))


def _line(template: str, lineno: int | None) -> str:
    lines = template.splitlines()
    if lineno is not None and 0 < lineno <= len(lines):
        return f"\n  Line {lineno}: {lines[lineno - 1].strip()}"
    return ""


def template_of(spec: Any, subprocess_specs: dict[str, Any], element_id: str) -> str | None:
    """The instructions template of the element `element_id` in a definition's specs, if any."""
    for workflow_spec in [spec, *subprocess_specs.values()]:
        for task_spec in workflow_spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == element_id:
                extensions = getattr(task_spec, "extensions", None)
                value = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
                return value if isinstance(value, str) and value.strip() else None
    return None


def instructions(template: str | None, data: dict[str, Any]) -> dict[str, str | None]:
    """The task view's `instructions` and `instructions_error` for `template` over `data`."""
    if template is None:
        return {"instructions": None, "instructions_error": None}
    text, error = render(template, data)
    return {"instructions": text, "instructions_error": error}
