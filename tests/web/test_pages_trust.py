"""Trust what the pages show (issue 15, items 11 to 13): error pages in words that keep the person's
input, unknown addresses as pages, suspended instances' tasks, the terminate confirmation, and no
page that loads anything from another host (a crawl of every page, as an administrator and a user).
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.test import TestResponse

from engine import Engine
from engine.workers import Worker

from ..jobs.test_jobs import async_model
from .references import css_references, foreign, page_references
from .test_api_flows import REVIEW
from .test_pages import LOAN, Browser, Site, start_review, text

BASE = "http://localhost/"
"""Where Flask's test client says the site is."""


@pytest.fixture
def site(engine: Engine) -> Site:
    """The pages over the `engine` fixture's database (SQLite and PostgreSQL)."""
    return Site(engine)


def shown(answer: TestResponse) -> str:
    """The page's text as a person reads it: without the folded-away technical details."""
    return text(answer).split('<details class="technical">', 1)[0]


def hidden_inputs(answer: TestResponse, form_class: str) -> dict[str, str]:
    """The hidden fields of the page's `<form class=form_class>`."""
    found = re.search(rf'<form[^>]*class="{form_class}"[^>]*>(.*?)</form>', text(answer), re.DOTALL)
    assert found, f"no form {form_class}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found.group(1)))


# -- unknown addresses and the words of error pages ---------------------------------------------


def test_unknown_addresses_get_the_html_error_page_with_the_navigation(site: Site) -> None:
    bob = site.browser("bob")
    for path in ("/no/such/page", "/tasks", "/static/nothing.js", "/instances/x/y/z"):
        page = bob.get(path, headers={"Accept": "application/json"})  # JSON is only the API's
        assert page.status_code == 404, path
        assert page.content_type.startswith("text/html"), path
        body = shown(page)
        assert '<h1 id="error-heading">Page not found</h1>' in body, path
        assert 'aria-label="Main"' in body and "Start a process" in body and "Log out" in body, path
        assert "There is no page at this address." in body and 'href="/"' in body, path
    wrong_method = bob.client.delete("/")
    assert wrong_method.status_code == 405 and wrong_method.content_type.startswith("text/html")
    assert "does not take a DELETE request" in text(wrong_method) and "GET" in wrong_method.headers["Allow"]

    stranger = site.browser()
    nowhere = stranger.get("/nowhere")
    assert nowhere.status_code == 404 and "Page not found" in text(nowhere)
    assert 'href="/login">Log in</a>' in text(nowhere) and "Log out" not in text(nowhere)

    # Under /api the answer stays JSON, in the API's error shape.
    api = bob.get("/api/no-such-thing")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def test_refusals_say_why_and_what_to_do_without_ids(site: Site) -> None:
    instance = start_review(site)
    [task] = instance["tasks"]
    carol = site.browser("carol")  # a manager: the review is the clerks'

    refused = carol.get(f"/tasks/{task['id']}")
    assert refused.status_code == 403
    body = shown(refused)
    assert "Not your task" in body and "“Check” is offered to clerks" in body
    assert "you (carol) and your groups are not among them" in body
    assert "Ask one of them or an administrator" in body
    assert task["id"] not in body  # the id only in the technical details
    assert f"task {task['id']} is not offered to carol" in text(refused)

    missing = carol.get(f"/instances/{instance['id']}")
    assert missing.status_code == 404
    assert "There is no such instance, or you take no part in it." in shown(missing)
    assert instance["id"] not in shown(missing) and "Review" not in shown(missing)

    no_task = carol.get("/tasks/4b1e0000-0000-0000-0000-000000000000")
    assert no_task.status_code == 404 and "No such task" in shown(no_task)
    assert "4b1e0000" not in shown(no_task)
    no_process = carol.get("/processes/nothing/start")
    assert no_process.status_code == 404 and "No process is deployed under that name." in shown(no_process)

    guarded = REVIEW.replace(b'id="review" name="Review"', b'id="board" name="Board review"')
    site.deploy(
        (
            "board.bpmn",
            guarded.replace(
                b'isExecutable="true"', b'isExecutable="true" camunda:candidateStarterGroups="managers"'
            ),
        )
    )
    bob = site.browser("bob")
    not_his = bob.get("/processes/board/start")
    assert not_his.status_code == 403 and "Not yours to start" in shown(not_his)
    assert "You may not start “Board review”: it is started by the group managers." in shown(not_his)
    assert 'href="/processes">Start a process</a>' in shown(not_his)
    admin_only = bob.get(f"/instances/{instance['id']}/terminate")
    assert admin_only.status_code == 403
    assert "Only administrators may terminate instances, and you (bob) are not one." in shown(admin_only)
    deploy = bob.get("/deploy")
    assert deploy.status_code == 403 and "Only administrators may deploy models" in shown(deploy)


def test_a_failed_post_keeps_the_input_and_may_send_it_again(site: Site) -> None:
    instance = start_review(site)
    [task] = instance["tasks"]
    bob = site.browser("bob")
    bob.get(f"/tasks/{task['id']}")

    expired = bob.post(
        f"/tasks/{task['id']}", {"amount": "12", "csrf_token": "from an old session"}, csrf=False
    )
    assert expired.status_code == 400
    body = shown(expired)
    assert "The form had expired" in body and "What you entered" in body
    assert '<dt>Amount</dt><dd><span class="kept-value">12</span></dd>' in body
    again = hidden_inputs(expired, "resend")
    assert again["amount"] == "12" and again["csrf_token"] not in ("", "from an old session")
    sent = bob.client.post(f"/tasks/{task['id']}", data=again)
    assert sent.status_code == 303
    assert site.engine.runtime.get(instance["id"])["variables"]["amount"] == 12

    # Too late now: the page says whose it was and keeps what was typed, but offers no resend.
    late = bob.post(f"/tasks/{task['id']}", {"amount": "13"})
    assert late.status_code == 409
    body = shown(late)
    assert "The task is already done" in body and "“Check” was already completed by bob" in body
    assert "<dt>Amount</dt>" in body and ">13<" in body and 'class="resend"' not in body
    assert task["id"] not in body

    # The plain variables form's rows are shown as the names and values typed.
    site.deploy(("loan.bpmn", LOAN))
    [decide] = site.engine.runtime.start("loan", {"customer": "C-1", "amount": 5})["tasks"]
    site.engine.tasks.claim(decide["id"], "ada", admin=True)
    rows = {"var-name-0": "decision", "var-value-0": '"yes"', "var-name-1": "", "var-value-1": ""}
    refused = bob.post(f"/tasks/{decide['id']}", rows)
    assert refused.status_code == 403 and "is assigned to ada, not to you (bob)" in shown(refused)
    assert '<dt>decision</dt><dd><span class="kept-value">&#34;yes&#34;</span>' in refused.get_data(
        as_text=True
    )


def test_a_refused_instance_action_keeps_the_reason_and_names_the_instance(site: Site) -> None:
    instance = start_review(site)
    ada = site.browser("ada")
    site.engine.runtime.terminate(instance["id"], user="ada")
    again = ada.post(f"/instances/{instance['id']}/terminate", {"reason": "duplicate order"})
    assert again.status_code == 409
    body = shown(again)
    assert "The “Review” instance is terminated now, so it cannot be terminated." in body
    assert "duplicate order" in body and f'href="/instances/{instance["id"]}"' in body
    assert "The “Review” instance</a>" in body


# -- suspended instances ---------------------------------------------------------------------


def test_a_suspended_instances_task_says_so_and_completing_keeps_the_values(site: Site) -> None:
    instance = start_review(site)
    [task] = instance["tasks"]
    site.engine.runtime.suspend(instance["id"], user="ada")
    bob = site.browser("bob")

    listing = text(bob.get("/"))
    row = re.search(rf'<tr data-task="{task["id"]}">(.*?)</tr>', listing, re.DOTALL)
    assert row and 'class="status status-suspended"' in row.group(1) and "Claim" not in row.group(1)

    page = text(bob.get(f"/tasks/{task['id']}"))
    assert "This task's instance is suspended" in page and "an administrator resumes the instance" in page
    assert "Claim</button>" not in page and 'class="task-form"' in page

    refused = bob.post(f"/tasks/{task['id']}", {"amount": "42"})
    assert refused.status_code == 409
    body = text(refused)
    assert 'value="42"' in body and 'class="task-form"' in body
    assert "is suspended: nothing changes it until it is resumed, so this could not be completed" in body
    assert (
        "An administrator must resume it first: ask one, then try again. Your values are kept below." in body
    )
    assert site.engine.tasks.get(task["id"])["status"] == "open"

    ada = site.browser("ada")
    assert "you resume the instance on <a" in text(ada.get(f"/tasks/{task['id']}"))
    by_admin = text(ada.post(f"/tasks/{task['id']}", {"amount": "43"}))
    assert "Resume it on its page (the Resume button), then try again." in by_admin

    site.engine.runtime.resume(instance["id"], user="ada")
    assert "status-suspended" not in text(bob.get("/"))
    assert bob.post(f"/tasks/{task['id']}", {"amount": "42"}).status_code == 303


# -- terminate asks first --------------------------------------------------------------------


def test_terminate_asks_for_confirmation_with_its_reason_inside(site: Site) -> None:
    instance = start_review(site)
    ada = site.browser("ada")
    page = text(ada.get(f"/instances/{instance['id']}"))
    assert f'href="/instances/{instance["id"]}/terminate">Terminate…</a>' in page
    assert 'name="reason"' not in page  # the reason belongs to the confirmation

    confirm = ada.get(f"/instances/{instance['id']}/terminate")
    assert confirm.status_code == 200
    body = text(confirm)
    assert "<h1>Terminate the “Review” instance?</h1>" in body
    form = re.search(
        r'<form method="post" action="([^"]+)" class="confirm[^"]*">(.*?)</form>', body, re.DOTALL
    )
    assert form and form.group(1) == f"/instances/{instance['id']}/terminate"
    inside = form.group(2)
    assert '<label for="terminate-reason">Reason for terminating' in inside
    assert '<textarea id="terminate-reason" name="reason"' in inside
    assert "“Check” is cancelled" in inside and "cannot be undone" in inside
    assert "Terminate the instance</button>" in inside and "No, keep it</a>" in inside
    assert site.engine.runtime.get(instance["id"])["status"] == "waiting"  # asking changes nothing

    done = ada.post(f"/instances/{instance['id']}/terminate", {"reason": "customer withdrew"})
    assert done.status_code == 303
    [event] = [e for e in site.engine.history.events(instance["id"]) if e["kind"] == "instance_terminated"]
    assert event["data"]["reason"] == "customer withdrew" and event["user"] == "ada"
    assert "customer withdrew" in text(ada.get(f"/instances/{instance['id']}"))
    late = ada.get(f"/instances/{instance['id']}/terminate")
    assert late.status_code == 303 and late.headers["Location"] == f"/instances/{instance['id']}"


# -- no page loads anything from another host -------------------------------------------------

EXTRA_PAGES = ("/nowhere", "/tasks/no-such-task", "/instances/no-such-instance", "/api/docs", "/login")
"""Pages no link leads to: error pages, the API reference, the login."""
MAX_PAGES = 400


def crawl(visitor: Browser, starts: list[str]) -> dict[str, str]:
    """Every page reachable from `starts` by this site's links (GET), by path: its HTML."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or (path.startswith(("/logout", "/static/", "/api/")) and path != "/api/docs"):
            continue
        answer = visitor.get(path)
        if answer.status_code in (301, 302, 303):
            queue.append(answer.headers["Location"])
            seen[path] = ""
            continue
        seen[path] = answer.get_data(as_text=True)
        _resources, links, _forms = page_references(seen[path])
        for link in links:
            target = urljoin(BASE + path.lstrip("/"), link)
            if not foreign(target, BASE):
                parts = urlsplit(target)
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def crawl_site(site: Site, microflows: Any) -> dict[str, Any]:
    """A site with something on every page: tasks, a start form, an incident, a suspended and a
    terminated instance."""

    def slow_double(n: int) -> dict[str, Any]:
        raise RuntimeError("the service is down")

    microflows("slow_double", slow_double, retries=0, backoff=0.01, timeout=5)
    site.deploy(("review.bpmn", REVIEW), ("loan.bpmn", LOAN), ("p.bpmn", async_model()))
    review = site.engine.runtime.start("review", {"note": "hi"}, business_key="R-1")
    suspended = site.engine.runtime.start("review", {}, user="bob")
    site.engine.runtime.suspend(suspended["id"], user="ada")
    ended = site.engine.runtime.start("review", {})
    site.engine.runtime.terminate(ended["id"], user="ada", reason="a test")
    failing = site.engine.runtime.start("p", {"n": 5}, user="bob")
    worker = Worker(site.engine, concurrency=1)
    deadline = time.time() + 120
    while site.engine.runtime.get(failing["id"])["status"] != "incident" and time.time() < deadline:
        worker.run_until_idle()
        time.sleep(0.02)
    return {"review": review, "suspended": suspended, "ended": ended, "failing": failing}


def test_no_page_references_anything_on_another_host(site: Site, microflows: Any) -> None:
    made = crawl_site(site, microflows)
    task = made["review"]["tasks"][0]["id"]
    stylesheets: set[str] = set()
    for user in ("ada", "bob", None):
        visitor = site.browser(user)
        starts = ["/", *EXTRA_PAGES, f"/tasks/{task}", f"/instances/{made['review']['id']}/terminate"]
        pages = crawl(visitor, starts)
        if user is not None:
            expected = ["/", "/processes", "/instances", "/incidents", f"/instances/{made['failing']['id']}"]
            assert set(expected) <= set(pages), sorted(pages)
        if user == "ada":
            assert {"/deploy", "/processes/loan/start", f"/instances/{made['ended']['id']}"} <= set(pages)
            assert len(pages) >= 15, sorted(pages)
        for path, html in pages.items():
            resources, _links, forms = page_references(html)
            here = BASE + path.lstrip("/")
            assert not [r for r in resources if foreign(r, here)], (user, path)
            assert not [f for f in forms if f and foreign(f, here)], (user, path)
            stylesheets |= {urlsplit(urljoin(here, r)).path for r in resources if r.endswith(".css")}
    assert "/static/app.css" in stylesheets and "/static/vendor/swagger-ui/swagger-ui.css" in stylesheets
    for path in sorted(stylesheets):  # what the stylesheets load in their turn (fonts, images)
        css = site.browser().client.get(path).get_data(as_text=True)
        assert not [r for r in css_references(css) if foreign(r, BASE + path.lstrip("/"))], path


def test_the_reference_checker_finds_what_another_host_serves() -> None:
    html = (
        '<link rel="stylesheet" href="https://cdn.example/x.css"><script src="//cdn.example/a.js"></script>'
        '<img srcset="/a.png 1x, https://img.example/b.png 2x"><iframe src="/frame"></iframe>'
        "<div style=\"background: url('https://img.example/c.png')\"></div>"
        '<style>@import "https://fonts.example/f.css";'
        ".a { background: url(data:image/png;base64,AA) }</style>"
        '<a href="https://elsewhere.example/">a link is no resource</a>'
    )
    resources, links, _forms = page_references(html)
    assert [r for r in resources if foreign(r, BASE)] == [
        "https://cdn.example/x.css",
        "//cdn.example/a.js",
        "https://img.example/b.png",
        "https://img.example/c.png",
        "https://fonts.example/f.css",
    ]
    assert links == ["https://elsewhere.example/"]


VENDORED = {
    "axe-core": "axe.min.js",
    "swagger-ui": "swagger-ui-bundle.js",
    "bpmn-js": "bpmn-navigated-viewer.production.min.js",
}
"""The front-end packages under web/static/vendor and the script of each."""


@pytest.mark.parametrize("package", sorted(VENDORED))
def test_each_vendored_package_carries_its_licence_and_version(package: str) -> None:
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / package
    assert "Licen" in (folder / "LICENSE").read_text()[:2000] or "MIT" in (folder / "LICENSE").read_text()
    found = re.match(
        rf"# \S*{re.escape(package)}\S* (\d+\.\d+\.\d+) \(vendored\)", (folder / "VERSION.md").read_text()
    )
    assert found, "VERSION.md names the package and its version"
    assert found.group(1) in (folder / VENDORED[package]).read_text(), "the script is that version"
