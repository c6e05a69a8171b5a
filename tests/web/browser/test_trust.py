"""Trust what the pages show, in a real browser (issue 15, items 10 to 13).

Error pages in words that keep the person's input, unknown addresses as pages, a suspended
instance's task, terminate's confirmation, action buttons that hold to the form's validation,
actions offered only to whom they are allowed, and every page, error pages and the API reference
included, loading nothing from another host: each request the browser makes is checked (and any
to another host refused, as no internet would).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from ..references import foreign
from .conftest import Pages, Server, screenshot
from .test_pages import APPLICATION, open_review

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PER_KIND = 2
"""Pages of one kind (the same path but for its ids) the crawl visits."""
SOURCES = "script[src], link[href], img[src], img[srcset], iframe[src], frame[src], embed[src], object[data]"
RESOURCES = (
    f"() => [...document.querySelectorAll('{SOURCES}, source[src], video[src], audio[src]')].map((e) =>"
    " e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('data') || e.getAttribute('srcset'))"
)
"""Everything the page's elements load, as written."""


class Offline:
    """A browser context that lets only this site's requests through, and notes the others."""

    def __init__(self, pages: Pages, server: Server, user: str | None) -> None:
        self.server = server
        self.refused: list[str] = []
        self.page = pages.open(user)
        self.page.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if foreign(url, self.server.url + "/"):
            self.refused.append(f"{self.page.url} → {url}")
            route.abort()
        else:
            route.continue_()

    def visit(self, path: str) -> list[str]:
        """Open `path`; the links on it that lead to this site's pages."""
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        here = self.page.url
        written = self.page.evaluate(RESOURCES)
        assert not [r for r in written if foreign(r, here)], (here, written)
        links = self.page.evaluate("() => [...document.querySelectorAll('a[href]')].map((a) => a.href)")
        return [link for link in links if not foreign(link, here)]


def crawl(offline: Offline, starts: list[str], limit: int = 60) -> list[str]:
    """Visit the pages reachable from `starts`, at most PER_KIND of each kind; the paths visited."""
    seen: list[str] = []
    kinds: dict[str, int] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        parts = urlsplit(urljoin(offline.server.url, queue.pop(0)))
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kind = UUID.sub("{id}", parts.path)
        if path in seen or kinds.get(kind, 0) >= PER_KIND or path.startswith(("/static/", "/logout")):
            continue
        if path.startswith("/api/") and path != "/api/docs":
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        seen.append(path)
        queue += offline.visit(path)
    return seen


def type_rate(page: Any, rate: str) -> None:
    """Type the review's interest rate and wait for its field microflow's answer (the monthly
    payment), so that nothing else happens while the screen waits for it."""
    page.fill("#f-interest_rate", rate)
    expect(page.locator("#m-interest_rate")).to_contain_text("a month")


def test_no_page_loads_anything_from_another_host(pages: Pages, server: Server) -> None:
    """Every page an administrator and a credit officer reach, error pages and the API reference
    too, works with no internet: nothing is fetched from, or written to fetch from, another host."""
    instance = server.start("loan_application", APPLICATION | {"applicant": "Offline"})
    extra = ["/nowhere", "/tasks/no-such-task", "/instances/no-such-instance", "/api/docs"]
    for user in ("ada", "olga"):
        offline = Offline(pages, server, user)
        # The navigation's pages first: what else the crawl reaches depends on what earlier tests
        # left on the shared server, and its page limit must not crowd them out.
        navigation = ["/", "/processes", "/instances", "/incidents", "/cockpit"]
        seen = crawl(offline, [*navigation, f"/instances/{instance['id']}", *extra])
        assert {"/", "/processes", "/instances", "/incidents", "/api/docs", "/nowhere"} <= set(seen), seen
        assert not offline.refused, offline.refused
    anonymous = Offline(pages, server, None)
    assert crawl(anonymous, ["/login", "/nowhere", "/api/docs"])
    assert not anonymous.refused, anonymous.refused


def test_the_api_reference_works_offline_with_its_vendored_swagger_ui(pages: Pages, server: Server) -> None:
    offline = Offline(pages, server, None)
    offline.visit("/api/docs")
    page = offline.page
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Flowbridge API")
    operation = page.locator(".opblock-summary-path", has_text="/api/health").first
    operation.click()  # the operation opens, and "Try it out" calls this server
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    live = page.locator(".live-responses-table tbody")
    expect(live.locator(".response-col_status").first).to_have_text("200")
    expect(live).to_contain_text("database")
    assert not offline.refused, offline.refused
    screenshot(page, "api-docs-offline")


def test_unknown_addresses_get_the_error_page_with_the_navigation(pages: Pages) -> None:
    page = pages.open("olga")
    answer = page.goto("/no/such/page")
    assert answer is not None and answer.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Start a process")
    ).to_be_visible()
    screenshot(page, "error-unknown-address")
    way_on = page.get_by_role("navigation", name="Where to go from here")
    way_on.get_by_role("link", name="Your tasks").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_a_refused_task_says_why_and_what_to_do(pages: Pages, server: Server) -> None:
    started = server.start("hello_task", {})
    [task] = started["tasks"]
    assert server.api("POST", f"/api/tasks/{task['id']}/claim", {})[0] == 200  # ada holds it
    page = pages.open("olga")
    answer = page.goto(f"/tasks/{task['id']}")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_have_text("Not your task")
    expect(page.locator(".error-message")).to_have_text("“Say hello” is assigned to ada, not to you (olga).")
    expect(page.locator(".error-todo")).to_contain_text("Ask ada to give it back (Unclaim)")
    assert task["id"] not in page.locator(".error-message").inner_text()
    screenshot(page, "error-not-your-task")


def test_an_expired_form_keeps_what_was_typed_and_sends_it_again(pages: Pages, server: Server) -> None:
    page, instance = open_review(pages, server)
    type_rate(page, "4")
    page.fill("#f-note", "Kept through the error")
    # As if the page came from an earlier session: its CSRF token no longer holds.
    page.evaluate("document.querySelector('form.task-form [name=csrf_token]').value = 'stale'")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("h1")).to_have_text("The form had expired")
    kept = page.locator(".kept-input")
    expect(kept).to_contain_text("Kept through the error")
    expect(kept).to_contain_text("Interest rate (%)")
    screenshot(page, "error-form-expired")
    page.get_by_role("button", name="Send it again").click()
    expect(page.locator(".flash")).to_contain_text("completed")
    done = server.wait_for(instance["id"], lambda i: "note" in i["variables"])
    assert (done["variables"]["interest_rate"], done["variables"]["note"]) == (4, "Kept through the error")


def test_a_suspended_instances_task_says_so_and_keeps_the_typed_values(pages: Pages, server: Server) -> None:
    page, instance = open_review(pages, server)
    assert server.api("POST", f"/api/process-instances/{instance['id']}/suspend", {})[0] == 200
    [task] = instance["tasks"]

    page.goto("/")
    row = page.locator(f'tr[data-task="{task["id"]}"]')
    expect(row.locator(".status-suspended")).to_have_text("suspended")
    expect(row.get_by_role("button", name="Claim")).to_have_count(0)

    page.goto(f"/tasks/{task['id']}")
    expect(page.locator(".suspended-notice")).to_contain_text("an administrator resumes the instance")
    type_rate(page, "6")
    page.fill("#f-note", "Typed while suspended")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator(".form-errors")).to_contain_text("An administrator must resume it first")
    expect(page.locator("#f-interest_rate")).to_have_value("6")
    expect(page.locator("#f-note")).to_have_value("Typed while suspended")
    screenshot(page, "task-suspended")

    assert server.api("POST", f"/api/process-instances/{instance['id']}/resume", {})[0] == 200
    page.get_by_role("button", name="Complete").click()
    expect(page.locator(".flash")).to_contain_text("completed")


def test_terminate_asks_first_with_its_reason_inside_the_confirmation(pages: Pages, server: Server) -> None:
    instance = server.start("loan_application", APPLICATION | {"applicant": "To terminate"})
    page = pages.open("ada")
    page.goto(f"/instances/{instance['id']}")
    expect(page.get_by_label("Reason")).to_have_count(0)  # no reason field before asking
    page.get_by_role("link", name="Terminate…").click()
    confirmation = page.locator("form.terminate-confirm")
    expect(confirmation.locator("legend")).to_have_text("Terminate this instance")
    expect(confirmation).to_contain_text("“Review application” is cancelled")
    reason = confirmation.get_by_label("Reason for terminating")
    reason.fill("The customer withdrew the application")
    screenshot(page, "terminate-confirmation")
    confirmation.get_by_role("button", name="Terminate the instance").click()
    expect(page.locator(".flash")).to_contain_text("terminated")
    expect(page.locator(".terminate-reason")).to_have_text("The customer withdrew the application")
    ended = server.wait_for(instance["id"], lambda i: i["status"] == "terminated")
    assert ended["tasks"] == []

    # "No, keep it" leaves an instance as it was.
    other = server.start("loan_application", APPLICATION | {"applicant": "To keep"})
    page.goto(f"/instances/{other['id']}/terminate")
    page.get_by_role("link", name="No, keep it").click()
    expect(page).to_have_url(re.compile(rf"/instances/{other['id']}$"))
    assert server.api("GET", f"/api/process-instances/{other['id']}")[1]["status"] == "waiting"


def test_only_the_actions_a_person_may_take_are_offered(pages: Pages, server: Server) -> None:
    instance = server.start("loan_application", APPLICATION | {"applicant": "Actions"})
    olga = pages.open("olga")
    olga.goto(f"/instances/{instance['id']}")
    for name in ("Suspend", "Resume", "Retry"):
        expect(olga.get_by_role("button", name=name)).to_have_count(0)
    expect(olga.get_by_role("link", name="Terminate…")).to_have_count(0)

    ada = pages.open("ada")
    ada.goto(f"/instances/{instance['id']}")
    expect(ada.get_by_role("button", name="Resume")).to_have_count(0)  # it is not suspended
    ada.get_by_role("button", name="Suspend").click()
    expect(ada.locator(".suspended-notice")).to_be_visible()
    expect(ada.get_by_role("button", name="Suspend")).to_have_count(0)
    ada.get_by_role("button", name="Resume").click()
    expect(ada.locator(".flash")).to_contain_text("resumed")


def test_an_action_button_holds_to_the_forms_validation(pages: Pages, server: Server) -> None:
    page, _instance = open_review(pages, server)
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/draft_contract/call" in r.url else None)
    draft = page.get_by_role("button", name="Draft the contract")
    output = page.locator("#r-draft_contract")

    draft.click()  # the rate is required: nothing starts, the field says why and has the focus
    expect(output).to_have_attribute("data-state", "invalid")
    expect(output).to_have_text("Correct the marked fields first: nothing was started.")
    expect(page.locator("#e-interest_rate")).not_to_be_empty()
    expect(page.locator("#f-interest_rate")).to_be_focused()
    screenshot(page, "action-held-by-validation")

    page.fill("#f-interest_rate", "25")  # above the form's maximum: the field's microflow says so too
    expect(page.locator("#e-interest_rate")).to_have_text("The rate must be between 0 and 20 %.")
    output.evaluate("(o) => { o.dataset.state = ''; }")
    draft.click()
    expect(output).to_have_attribute("data-state", "invalid")
    expect(page.locator("#f-interest_rate")).to_be_focused()
    assert calls == []

    type_rate(page, "5")
    expect(page.locator("#e-interest_rate")).to_be_empty()  # editing cleared the mark
    draft.click()
    expect(output).to_have_attribute("data-state", "done")
    expect(output).to_have_text(re.compile(r"^Draft D-\w+: 12,000 at 5 % over 48"))
    assert len(calls) == 1
