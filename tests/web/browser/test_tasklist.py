"""The task list people prefer, in a real browser (issue 15, items 1, 2 and 4): search, filters and
sort kept in the address, rows that tell tasks apart, the header's count and a task page that
notices its instance moving, and where completing a task leads.

Each test saves screenshots of what it is about in the artifacts folder (conftest.py).
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import HERE, Pages, Server, screenshot

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

POLLED_MS = 30_000
"""How long a test waits for a poll (every 10 s for the count, 5 s for a task page) to show."""


def start(server: Server, key: str, business_key: str | None = None, **variables: Any) -> dict[str, Any]:
    body = {"variables": variables, "business_key": business_key}
    status, instance = server.api("POST", f"/api/process-definitions/{key}/start", body)
    assert status == 201, instance
    found: dict[str, Any] = instance
    return found


def hello_tasks(server: Server, prefix: str, count: int) -> list[dict[str, Any]]:
    """`count` "Say hello" tasks (open to all) with the business keys PREFIX-1, PREFIX-2, …"""
    return [start(server, "hello_task", f"{prefix}-{n}")["tasks"][0] for n in range(1, count + 1)]


def business_keys(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("table.tasks tbody tr .instance-link").all_inner_texts()]


def test_search_filter_and_sort_live_in_the_address(pages: Pages, server: Server) -> None:
    prefix = f"FIND-{uuid.uuid4().hex[:6]}"
    hello_tasks(server, prefix, 3)
    page = pages.open("olga")
    page.goto("/")
    page.get_by_label("Search").fill(prefix.lower())
    page.get_by_label("Sort").select_option(label="Oldest first")
    page.get_by_label("Process").select_option(label="Hello task")
    page.get_by_role("button", name="Filter").click()
    # Only what was chosen is in the address (no empty fields, no defaults): a bookmark.
    expect(page).to_have_url(re.compile(r"/\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": [prefix.lower()], "process_key": ["hello_task"], "sort": ["created"]}
    assert business_keys(page) == [f"{prefix}-1", f"{prefix}-2", f"{prefix}-3"]
    expect(page.get_by_label("Search")).to_have_value(prefix.lower())
    screenshot(page, "tasklist-filtered")

    page.get_by_label("Sort").select_option(label="Newest first")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.tasks tbody tr").first.locator(".instance-link")).to_have_text(f"{prefix}-3")
    assert "sort" not in parse_qs(urlsplit(page.url).query)  # newest first is the default

    # The bookmark opened again, later: the same list, and the filters can be cleared.
    bookmark = page.url
    other = pages.open("olga")
    other.goto(bookmark)
    assert business_keys(other) == [f"{prefix}-3", f"{prefix}-2", f"{prefix}-1"]
    other.get_by_role("link", name="Clear the filters").click()
    expect(other).to_have_url(re.compile(r"/$"))
    expect(other.get_by_label("Search")).to_have_value("")


def test_rows_of_one_kind_tell_apart(pages: Pages, server: Server) -> None:
    applicants = [f"Row {uuid.uuid4().hex[:4]}" for _ in range(3)]
    ids = []
    for applicant in applicants:
        instance = start(
            server,
            "loan_application",
            customer_id="C-200",
            applicant=applicant,
            email="row@example.com",
            amount=5000,
            term_months=12,
        )
        ids.append(instance["variables"]["application_id"])
    page = pages.open("olga")
    page.goto("/?q=Review")
    for applicant, application_id in zip(applicants, ids, strict=True):
        row = page.locator("table.tasks tbody tr", has_text=applicant)
        expect(row).to_have_count(1)
        # The model's listVariables: the application's id, the applicant and the amount.
        expect(row.locator(".list-vars")).to_have_text(
            re.compile(
                rf"application_id:\s*{application_id}\s*·?\s*Applicant:\s*{applicant}\s*·?\s*Amount:\s*5000"
            )
        )
        expect(row).to_contain_text("Loan application")
    screenshot(page, "tasklist-rows")


def test_the_header_counts_my_open_tasks_without_a_reload(pages: Pages, server: Server) -> None:
    application = {"customer_id": "C-200", "email": "count@example.com", "amount": 5000, "term_months": 12}
    start(server, "loan_application", applicant="Counted first", **application)
    page = pages.open("olga")
    page.goto("/")
    counter = page.locator("header [data-task-count]")
    expect(counter).to_be_visible()
    shown = int(counter.inner_text())
    start(server, "loan_application", applicant="Counted", **application)
    expect(counter).to_have_text(str(shown + 1), timeout=POLLED_MS)
    arrived = page.get_by_role("link", name="New tasks arrived: show them")
    expect(arrived).to_be_visible()
    screenshot(page, "tasklist-count")
    arrived.click()
    expect(page.locator("table.tasks tbody tr", has_text="Counted").first).to_contain_text("Counted")
    expect(page.locator("table.tasks tbody tr").first).to_contain_text("Counted")


def test_the_task_page_notices_its_instance_moving(pages: Pages, server: Server) -> None:
    server.deploy(HERE / "models" / "watched_order.bpmn")
    order = f"W-{uuid.uuid4().hex[:6]}"
    instance = start(server, "watched_order", order, order_id=order)
    [task] = instance["tasks"]
    page = pages.open("olga")
    page.goto(f"/tasks/{task['id']}")
    expect(page.locator("h1")).to_have_text("Check the order")

    # A message changes the instance while the page is open and untouched: it shows the new state.
    delivered = {"name": "price_updated", "correlation": {"order_id": order}, "variables": {"price": 42}}
    assert server.api("POST", "/api/messages", delivered)[0] == 200
    page.locator(".variables-view summary").click()
    expect(page.locator(".variables-view")).to_contain_text("price", timeout=POLLED_MS)

    # With something typed, the page says so and offers a reload instead of losing it.
    page.get_by_label("Note").fill("half-typed")
    assert server.api("POST", f"/api/tasks/{task['id']}/assign", {"assignee": "olga"})[0] == 200
    notice = page.locator("[data-task-watch]")
    expect(notice).to_contain_text("The instance changed while you were working here", timeout=POLLED_MS)
    expect(page.get_by_label("Note")).to_have_value("half-typed")
    screenshot(page, "task-instance-changed")
    notice.get_by_role("button", name="Reload the page").click()
    expect(page.locator(".facts")).to_contain_text("olga")

    # Completed elsewhere: the page says so, with the way back.
    assert (
        server.api("POST", f"/api/tasks/{task['id']}/complete", {"variables": {"note": "by ada"}})[0] == 200
    )
    expect(notice).to_contain_text("This task is no longer open: it was completed by ada", timeout=POLLED_MS)
    expect(notice.get_by_role("link", name="Back to the list")).to_be_visible()


def test_completing_leads_to_my_next_task_then_back_to_the_list(pages: Pages, server: Server) -> None:
    prefix = f"NEXT-{uuid.uuid4().hex[:6]}"
    hello_tasks(server, prefix, 2)
    page = pages.open("olga")
    page.goto(f"/?q={prefix}")
    page.locator("table.tasks tbody tr", has_text=f"{prefix}-2").get_by_role("link", name="Say hello").click()

    def complete(name: str) -> None:
        page.fill('[name="var-name-0"]', "name")
        page.fill('[name="var-value-0"]', name)
        page.get_by_role("button", name="Complete").click()

    complete("Olga")
    # The next task of the same filtered list, saying what was done and how to follow it.
    expect(page).to_have_url(re.compile(r"/tasks/[^?]+\?list=q%3D"))
    done = page.locator(".flash")
    expect(done).to_contain_text("Task “Say hello” completed.")
    expect(done).to_contain_text(f"Hello task {prefix}-2, now completed")
    expect(done.get_by_role("link", name="back to the list")).to_have_attribute("href", f"/?q={prefix}")
    screenshot(page, "task-next")
    complete("Olga again")
    # The list had no more: back to it, filtered as it was.
    expect(page).to_have_url(re.compile(rf"/\?q={prefix}$"))
    expect(page.locator(".empty")).to_contain_text("No open tasks match these filters.")
    page.locator(".flash").get_by_role("link", name="Follow its instance").click()
    expect(page).to_have_url(re.compile(r"/instances/"))
    expect(page.locator("body")).to_contain_text("Hello, Olga again")
    screenshot(page, "task-followed-instance")
