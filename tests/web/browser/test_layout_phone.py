"""The pages on a phone, 390 px wide (issue 15 point 14): no page scrolls sideways, lists become
cards or scroll inside their own box, forms use the input types phones have keyboards for.

Each page is saved as `phone-<page>.png` (and at desktop width as `desktop-<page>.png`) in the
artifacts folder, for people to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import VIEWPORT, Pages, Server, screenshot
from .test_accessibility import PHONE, UUID, every_page, site_pages
from .test_pages import APPLICATION

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth, screen: window.innerWidth,
  wide: [...document.querySelectorAll("main *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((e) => !e.closest("table.list, .diagram"))
    .slice(0, 5).map((e) => e.tagName + "." + e.className),
})"""
"""How wide the page is against the screen, and the first elements that stick out (lists and the
diagram scroll or pan inside their own box)."""


def artifact_name(path: str) -> str:
    name = UUID.sub("id", path.split("?")[0]).strip("/").replace("/", "-")
    return re.sub(r"[^a-z0-9_-]", "", name.lower()) or "tasks"


def test_no_page_scrolls_sideways_on_a_phone(pages: Pages, server: Server) -> None:
    starts = every_page(server)
    too_wide: dict[str, Any] = {}
    seen: list[str] = []
    for user in ("ada", "olga", None):
        page = pages.open(user)
        page.set_viewport_size(PHONE)

        def check(path: str, page: Any = page, user: str | None = user) -> None:
            seen.append(path)
            measured = page.evaluate(OVERFLOW)
            if measured["page"] > measured["screen"]:
                too_wide[f"{user} {path}"] = measured
            if user == "ada" or user is None:
                screenshot(page, f"phone-{artifact_name(path)}")

        site_pages(page, server, starts if user else ["/login", "/nowhere", "/api/docs"], check)
    assert {"/", "/processes", "/instances", "/incidents", "/login"} <= set(seen), seen
    assert not too_wide, too_wide


def test_desktop_screenshots_of_every_page(pages: Pages, server: Server) -> None:
    page = pages.open("ada")
    seen = site_pages(
        page, server, every_page(server), lambda path: screenshot(page, f"desktop-{artifact_name(path)}")
    )
    assert len(seen) >= 10 and page.viewport_size == VIEWPORT


def test_the_task_list_becomes_cards_on_a_phone(pages: Pages, server: Server) -> None:
    server.start("loan_application", APPLICATION | {"applicant": "Card View"})
    page = pages.open("olga")
    page.set_viewport_size(PHONE)
    page.goto("/")
    row = page.locator("table.tasks tbody tr").first
    expect(row).to_be_visible()
    assert row.evaluate("(r) => getComputedStyle(r).display") == "block"
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The column headings are for screen readers only: each card's cells are stacked.
    header = page.locator("table.tasks thead")
    assert header.evaluate("(h) => h.getBoundingClientRect().height") <= 1
    expect(row.get_by_role("button", name=re.compile(r"^Claim “Review application” for "))).to_be_visible()
    screenshot(page, "phone-task-cards")

    page.set_viewport_size(VIEWPORT)
    assert row.evaluate("(r) => getComputedStyle(r).display") == "table-row"


def test_forms_use_the_input_types_phones_have_keyboards_for(pages: Pages, server: Server) -> None:
    page = pages.open("ada")
    page.set_viewport_size(PHONE)
    page.goto("/processes/loan_application/start")
    expect(page.locator("#f-amount")).to_have_attribute("type", "number")
    expect(page.locator("#f-term_months")).to_have_attribute("type", "number")
    page.goto("/")
    expect(page.locator("#t-due")).to_have_attribute("type", "date")
    expect(page.locator("#t-q")).to_have_attribute("type", "search")
    # A wrong value is refused beside its field, with the format expected.
    page.goto("/processes/trip_booking/start")
    page.fill("#f-trip_id", "T-390")
    page.evaluate(
        "() => { const a = document.getElementById('f-amount'); a.type = 'text'; a.value = 'lots'; }"
    )
    page.locator("form.start-form button[type=submit]").click()
    expect(page.locator("#e-amount")).not_to_be_empty()
    expect(page.locator("#x-amount")).to_have_text("Expected: a whole number, e.g. 42.")
    expect(page.locator("#f-amount")).to_be_focused()
    screenshot(page, "phone-form-error")
