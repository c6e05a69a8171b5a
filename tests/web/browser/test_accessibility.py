"""Accessibility in a real browser (issue 15 point 15), and the instructions and typed variables form
of point 3.

axe-core (vendored under web/static/vendor/axe-core, added to each page from this site) checks
every page an administrator, a credit officer and a visitor reach, at desktop and at phone width,
and a form showing its errors: no serious or critical violation anywhere. Then what axe cannot
see: the skip link comes first and covers none of the navigation, buttons and links of a list
are named for their row, the keyboard starts on the first field (or the first wrong one) and
skips read-only fields, and the variables form adds and removes rows (and works without
JavaScript).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from .conftest import ARTIFACTS, Pages, Server, screenshot
from .test_pages import APPLICATION, open_review

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

AXE = "/static/vendor/axe-core/axe.min.js"
PHONE = {"width": 390, "height": 844}
SEVERE = ("serious", "critical")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
THIRD_PARTY = {"/api/docs": ["#swagger-ui"]}
"""What axe leaves out, by page: Swagger UI's own markup (vendored; upstream it nests buttons, its
servers select has no label and its colours are its theme's). The page around it is checked."""
RUN_AXE = """async (exclude) => {
  const result = await axe.run({exclude: exclude.map((e) => [e])}, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, THIRD_PARTY.get(urlsplit(page.url).path, []))
    return [v for v in found if v["impact"] in SEVERE]


def site_pages(
    page: Any, server: Server, starts: list[str], check: Callable[[str], None], limit: int = 40
) -> list[str]:
    """Visit the pages reachable by links from `starts`, one of each kind (the same path but for its
    ids), and `check(path)` each once it has loaded; the paths visited."""
    seen: list[str] = []
    kinds: set[str] = set()
    queue = list(starts)
    while queue and len(seen) < limit:
        parts = urlsplit(urljoin(server.url, queue.pop(0)))
        if parts.netloc != urlsplit(server.url).netloc:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kind = UUID.sub("{id}", parts.path)
        if kind in kinds or path.startswith(("/static/", "/logout", "/metrics")):
            continue
        if path.startswith("/api/") and path != "/api/docs":
            continue
        kinds.add(kind)
        seen.append(path)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        check(path)
        queue += page.evaluate("() => [...document.querySelectorAll('a[href]')].map((a) => a.href)")
    return seen


def every_page(server: Server) -> list[str]:
    """Where the crawl starts: the lists, an instance, a task, error pages and the API reference."""
    instance = server.start("loan_application", APPLICATION | {"applicant": "Axe Checked"})
    [task] = instance["tasks"]
    return ["/", f"/tasks/{task['id']}", f"/instances/{instance['id']}", "/nowhere", "/api/docs"]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_axe_finds_no_serious_violation_on_any_page(pages: Pages, server: Server, width: str) -> None:
    starts = every_page(server)
    problems: dict[str, Any] = {}
    checked: list[str] = []
    for user in ("ada", "olga", None):
        page = pages.open(user)
        if width == "phone":
            page.set_viewport_size(PHONE)

        def check(path: str, page: Any = page, user: str | None = user) -> None:
            checked.append(f"{user}:{path}")
            found = violations(page)
            if found:
                problems[f"{user} {path}"] = found

        site_pages(page, server, starts if user else ["/login", "/nowhere", "/api/docs"], check)
    report = ARTIFACTS / f"axe-{width}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({"checked": checked, "problems": problems}, indent=1))
    assert len(checked) >= 15, checked
    assert {"ada:/processes", "ada:/instances", "ada:/incidents", "ada:/deploy", "None:/login"} <= set(
        checked
    )
    assert not problems, f"{sorted(problems)}: see {report}"


def test_axe_finds_no_serious_violation_on_a_form_with_errors(pages: Pages, server: Server) -> None:
    page = pages.open("ada")
    page.goto("/processes/hello_task/start")
    page.fill("#var-name-0", "not a name")
    page.select_option("#var-type-1", "json")
    page.fill("#var-name-1", "lines")
    page.fill("#var-value-1", "[1,")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#e-var-name-0")).to_contain_text("must start with a letter")
    assert not violations(page)
    page.set_viewport_size(PHONE)
    assert not violations(page)


def test_the_skip_link_comes_first_and_covers_none_of_the_navigation(pages: Pages) -> None:
    page = pages.open("olga")
    page.goto("/incidents")  # a page without a form: the keyboard starts at the top
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    box = skip.bounding_box()
    for link in page.get_by_role("navigation", name="Main").get_by_role("link").all():
        other = link.bounding_box()
        overlap = not (
            box["x"] + box["width"] <= other["x"]
            or other["x"] + other["width"] <= box["x"]
            or box["y"] + box["height"] <= other["y"]
            or other["y"] + other["height"] <= box["y"]
        )
        assert not overlap, (link.inner_text(), box, other)
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    screenshot(page, "skip-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_list_buttons_and_links_are_named_for_their_row(pages: Pages, server: Server) -> None:
    key = f"LA-{uuid.uuid4().hex[:6]}"
    status, _ = server.api(
        "POST",
        "/api/process-definitions/loan_application/start",
        {"variables": APPLICATION, "business_key": key},
    )
    assert status == 201
    page = pages.open("olga")
    page.goto(f"/?q={key}")
    claim = page.get_by_role("button", name=f"Claim “Review application” for {key}", exact=True)
    expect(claim).to_be_visible()
    expect(claim).to_have_text("Claim")
    expect(page.get_by_role("link", name=f"Review application, {key}", exact=True)).to_be_visible()
    page.goto("/processes")
    expect(page.get_by_role("link", name="Start “Loan application”", exact=True)).to_be_visible()


def test_the_keyboard_starts_on_the_first_field_and_skips_read_only_ones(
    pages: Pages, server: Server
) -> None:
    page, _ = open_review(pages, server)
    # The review's first fields are read-only (applicant, score, amount, term): the rate comes first.
    expect(page.locator("#f-interest_rate")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("() => document.activeElement.id")
    assert focused not in ("f-applicant", "f-credit_score", "f-amount", "f-term_months"), focused
    for readonly in ("applicant", "credit_score", "amount", "term_months"):
        assert page.get_attribute(f"#f-{readonly}", "tabindex") == "-1"

    start = pages.open("ada")
    start.goto("/processes/hello_task/start")
    expect(start.locator("#var-name-0")).to_be_focused()
    start.fill("#var-name-0", "name")
    start.fill("#var-name-2", "2nd")
    start.fill("#var-value-2", "x")
    start.get_by_role("button", name="Start").click()
    # Back with an error: the keyboard is on the first wrong field, which says what is wrong.
    expect(start.locator("#var-name-2")).to_be_focused()
    expect(start.locator("#var-name-2")).to_have_attribute("aria-invalid", "true")
    expect(start.locator("#var-name-0")).to_have_value("name")


def test_the_start_page_and_task_show_the_models_documentation(pages: Pages, server: Server) -> None:
    page = pages.open("olga")
    page.goto("/processes")
    row = page.locator("table.definitions tr", has_text="Hello task")
    expect(row.locator(".process-summary")).to_contain_text("The smallest useful flow")
    row.get_by_role("link", name="Start").click()
    expect(page.locator(".process-description")).to_contain_text("The smallest useful flow")
    page.fill("#var-name-0", "name")
    page.fill("#var-value-0", "Documented")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#task-documentation")).to_contain_text("Complete with `name` (a string).")
    screenshot(page, "task-documentation")


def test_the_variables_form_adds_and_removes_typed_rows(pages: Pages, server: Server) -> None:
    page = pages.open("olga")
    page.goto("/processes/hello_task/start")
    rows = page.locator(".variable-row")
    expect(rows).to_have_count(4)
    page.get_by_role("button", name="Add a row").click()
    expect(rows).to_have_count(5)
    expect(page.locator("#var-name-4")).to_be_focused()
    expect(page.get_by_label("Type 5")).to_have_value("text")
    page.get_by_role("button", name="Remove row 2").click()
    expect(rows).to_have_count(4)
    expect(page.locator("#var-name-1")).to_have_count(0)
    page.fill("#var-name-0", "name")
    page.fill("#var-value-0", "Rows")
    page.fill("#var-name-4", "extras")
    page.select_option("#var-type-4", "json")
    page.fill("#var-value-4", '{"rooms": 2}')
    page.fill("#var-name-3", "nights")
    page.select_option("#var-type-3", "number")
    page.fill("#var-value-3", "3")
    screenshot(page, "variables-form")
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".flash")).to_contain_text("Started")
    instance_id = _instance_of(page, server)
    variables = server.wait_for(instance_id, lambda i: True)["variables"]
    assert variables == {"name": "Rows", "extras": {"rooms": 2}, "nights": 3}


def test_the_variables_form_works_without_javascript(pages: Pages, server: Server) -> None:
    context = pages.browser.new_context(
        base_url=server.url, java_script_enabled=False, storage_state=pages.logins["olga"]
    )
    pages.contexts.append(context)
    page = context.new_page()
    page.goto("/processes/hello_task/start")
    expect(page.get_by_role("button", name="Add a row")).to_be_hidden()
    expect(page.locator(".variable-row")).to_have_count(4)
    page.fill("#var-name-0", "name")
    page.fill("#var-value-0", "No script")
    page.fill("#var-name-1", "flag")
    page.select_option("#var-type-1", "boolean")
    page.fill("#var-value-1", "maybe")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#e-var-value-1")).to_have_text("must be true or false")
    expect(page.locator("#var-value-0")).to_have_value("No script")
    page.fill("#var-value-1", "false")
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".flash")).to_contain_text("Started")
    instance_id = _instance_of(page, server)
    assert server.wait_for(instance_id, lambda i: True)["variables"] == {"name": "No script", "flag": False}


def _instance_of(page: Any, server: Server) -> str:
    """The instance of the task or instance page the browser is on."""
    found = UUID.search(page.locator("a[href^='/instances/']").first.get_attribute("href") or "")
    if "/instances/" in page.url:
        found = UUID.search(page.url)
    assert found, page.url
    return found.group(0)
