"""A task's instructions in the API and on the task page (issue 14 point 12): the rendered text in
`GET /api/tasks/{id}`; on the page escaped, with its line breaks; a broken template shows its error."""

from __future__ import annotations

from typing import Any

from engine import Engine

from ..conftest import Api
from ..expressions.test_spiffarena_scripts import spiff_model
from ..tasks.test_instructions import INSTRUCTED
from .test_pages import Site, text


def test_the_task_api_shows_the_rendered_instructions(api: Api) -> None:
    api.engine.repository.deploy({"p.bpmn": spiff_model(INSTRUCTED)})
    instance = api.engine.runtime.start("p", {"order": {"id": 7, "lines": ["tea"]}, "customer": "Ada"})
    status, task = api.get(f"/api/tasks/{instance['tasks'][0]['id']}")
    assert status == 200
    assert task["instructions"] == "Check order 7 for Ada:\n- tea\n" and task["instructions_error"] is None


def test_the_task_page_shows_the_instructions_escaped_and_a_broken_template_as_its_error(
    engine: Engine,
) -> None:
    site = Site(engine)
    site.deploy(("p.bpmn", spiff_model(INSTRUCTED)))
    instance: dict[str, Any] = engine.runtime.start(
        "p", {"order": {"id": 7, "lines": ["tea"]}, "customer": "<script>alert(1)</script>"}
    )
    [task] = instance["tasks"]
    visitor = site.browser("ada")
    page = visitor.get(f"/tasks/{task['id']}")
    assert page.status_code == 200
    raw = page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert '<div class="instructions">Check order 7 for' in raw

    [broken] = engine.tasks.complete(task["id"], {})["tasks"]
    page = visitor.get(f"/tasks/{broken['id']}")
    assert page.status_code == 200
    assert "The instructions could not be shown" in text(page) and "TemplateSyntaxError" in text(page)
