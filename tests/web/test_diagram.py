"""The instance diagram's data (issue 15 item 5): the page's marks, and
GET /api/process-instances/{id}/elements/{element_id}, one element's history and waits,
for those who may see the instance (DESIGN §6a) and no one else."""

from __future__ import annotations

import html
import json
import re

import pytest

from engine import Engine

from ..conftest import Api
from .test_api_flows import REVIEW
from .test_pages import Site, start_review


@pytest.fixture
def site(engine: Engine) -> Site:
    """The pages over the `engine` fixture's database (SQLite and PostgreSQL)."""
    return Site(engine)


def _attribute(body: str, name: str) -> object:
    found = re.search(rf"{name}='([^']*)'", body)
    assert found, f"no {name} on #diagram"
    return json.loads(html.unescape(found.group(1)))


def test_the_page_carries_the_taken_flows_and_the_element_url(site: Site) -> None:
    instance = start_review(site)
    body = site.browser("ada").get(f"/instances/{instance['id']}").get_data(as_text=True)
    assert _attribute(body, "data-flows") == []  # s -> check: check waits, its flow is the browser's
    assert _attribute(body, "data-done") == ["s"] and _attribute(body, "data-waiting") == ["check"]
    assert _attribute(body, "data-stopped") == [] and _attribute(body, "data-incident-counts") == {}
    assert f'data-element-url="/api/process-instances/{instance["id"]}/elements/ELEMENT"' in body
    assert 'class="diagram-controls"' in body and 'data-zoom="fit"' in body


def test_a_terminated_instance_page_says_where_it_stopped_and_why(site: Site) -> None:
    instance = start_review(site)
    site.engine.runtime.terminate(instance["id"], user="ada", reason="Duplicate <request>")
    body = site.browser("ada").get(f"/instances/{instance['id']}").get_data(as_text=True)
    assert _attribute(body, "data-stopped") == ["check"]
    stopped = re.search(r'<p class="diagram-stopped"[^>]*>(.*?)</p>', body, re.S)
    assert stopped and 'Terminated at <code data-element="check">check</code>' in stopped.group(1)
    assert "<q>Duplicate &lt;request&gt;</q>" in stopped.group(1)


def test_an_element_answers_its_history_and_waits(api: Api) -> None:
    assert api.deploy(("review.bpmn", REVIEW))[0] == 201
    status, started = api.post("/api/process-definitions/review/start", json={})
    assert status == 201, started
    status, waiting = api.get(f"/api/process-instances/{started['id']}/elements/check")
    assert status == 200, waiting
    assert waiting["name"] == "Check" and waiting["type"] == "userTask"
    assert [t["element_id"] for t in waiting["tasks"]] == ["check"] and waiting["history"] == []
    status, start = api.get(f"/api/process-instances/{started['id']}/elements/s")
    assert status == 200 and [e["kind"] for e in start["history"]] == ["activity_completed"]


def test_an_element_is_not_found_for_strangers_or_unknown_ids(api: Api) -> None:
    assert api.deploy(("review.bpmn", REVIEW))[0] == 201
    _status, started = api.post("/api/process-definitions/review/start", json={})
    url = f"/api/process-instances/{started['id']}/elements"
    status, answer = api.get(f"{url}/nope")
    assert status == 404 and "has no element 'nope'" in answer["error"]["message"]
    # carol is no clerk: the task is not offered to her, so the instance is not hers to see
    status, answer = api.get(f"{url}/check", user="carol")
    assert status == 404, answer
    assert api.get(f"{url}/check", user="bob")[0] == 200  # the task is offered to the clerks
    assert api.get(f"{url}/check", user=None)[0] == 401
