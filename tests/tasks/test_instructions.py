"""A task's instructions (issue 14 point 12, engine.tasks.instructions): SpiffArena's
`spiffworkflow:instructionsForEndUser`, a Jinja template rendered with the task's data in the task's
view; a broken template is shown as its error, never fails the task.

The `render` cases marked "spiff-arena" are ported from sartography/spiff-arena (LGPL 2.1),
`spiff-arena-common/tests/spiff_arena_common/test_jinja.py`.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from engine import Engine
from engine.tasks.instructions import render

from ..builders import flow
from ..expressions.test_spiffarena_scripts import spiff_model


def test_successful_render() -> None:
    """spiff-arena: test_successful_render."""
    assert render("Hello {{ name }}", {"name": "Dan"}) == ("Hello Dan", None)


def test_syntax_error_includes_line_info() -> None:
    """spiff-arena: test_syntax_error_includes_line_info."""
    result, error = render("Line one\n{% if %}\nLine three", {})
    assert result is None and error is not None
    assert "TemplateSyntaxError" in error and "Line 2" in error and "{% if %}" in error


def test_undefined_variable_with_tojson_returns_error() -> None:
    """spiff-arena: test_undefined_variable_with_tojson_returns_error."""
    result, error = render("Line one\nThe data is {{ undefined_var | tojson }}\nLine three", {})
    assert result is None and error is not None and "undefined_var" in error


def test_blocks_dot_paths_and_spiffarenas_helpers() -> None:
    template = (
        "{% for l in order.lines %}\n- {{ l.name }}\n{% endfor %}\n"
        "{{ note | sanitize_for_md }} {{ sanitize_for_md('a_b') }}"
    )
    text, error = render(template, {"order": {"lines": [{"name": "tea"}, {"name": "cake"}]}, "note": "*hi*"})
    assert error is None and text == "- tea\n- cake\n\\*hi\\* a\\_b"


def test_the_template_runs_in_jinjas_sandbox_and_is_not_html_escaped() -> None:
    text, error = render("{{ x.__class__.__mro__ }}", {"x": 1})
    assert text is None and error is not None and "SecurityError" in error
    assert render("{{ x }}", {"x": "<b>"}) == ("<b>", None)  # plain text; the page escapes it


INSTRUCTED = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "review")
    + '<bpmn:userTask id="review"><bpmn:extensionElements><spiffworkflow:instructionsForEndUser>'
    + escape(
        "Check order {{ order.id }} for {{ customer }}:\n{% for l in order.lines %}\n- {{ l }}\n{% endfor %}"
    )
    + "</spiffworkflow:instructionsForEndUser></bpmn:extensionElements></bpmn:userTask>"
    + flow("review", "broken")
    + '<bpmn:manualTask id="broken"><bpmn:extensionElements><spiffworkflow:instructionsForEndUser>'
    + escape("{% if %}")
    + "</spiffworkflow:instructionsForEndUser></bpmn:extensionElements></bpmn:manualTask>"
    + flow("broken", "plain")
    + '<bpmn:userTask id="plain"/>'
    + flow("plain", "e")
    + '<bpmn:endEvent id="e"/>'
)


def _open(engine: Engine, instance: dict[str, Any]) -> dict[str, Any]:
    [task] = instance["tasks"]
    return engine.tasks.get(task["id"])


def test_the_task_view_renders_the_instructions_with_the_tasks_data(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": spiff_model(INSTRUCTED)})
    instance = engine.runtime.start("p", {"order": {"id": 7, "lines": ["tea", "cake"]}, "customer": "<Ada>"})
    task = _open(engine, instance)
    assert task["instructions"] == "Check order 7 for <Ada>:\n- tea\n- cake\n"
    assert task["instructions_error"] is None

    instance = engine.tasks.complete(task["id"], {})
    broken = _open(engine, instance)
    assert broken["instructions"] is None and "TemplateSyntaxError" in broken["instructions_error"]

    plain = _open(engine, engine.tasks.complete(broken["id"], {}))
    assert plain["instructions"] is None and plain["instructions_error"] is None
    # A closed task still shows its instructions, with the data it was completed with.
    assert engine.tasks.get(task["id"])["instructions"].startswith("Check order 7")
