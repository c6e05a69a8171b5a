"""The instance diagram in a real browser (issue 15 item 5): the taken path in a strong colour and
the untaken flows plain, the waiting element, an incident's badge and count, zoom and fit, a
click showing an element's history and what it waits for, and where a terminated instance
stopped and why. Screenshots at desktop and phone width go to the artifacts folder."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import HERE, Pages, Server, screenshot

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

APPLICATION = {
    "customer_id": "C-300",
    "applicant": "Grace Hopper",
    "email": "grace@example.com",
    "amount": 9000,
    "term_months": 24,
}
PHONE = {"width": 390, "height": 844}


def element(page: Any, element_id: str, marker: str = "") -> Any:
    """The diagram's shape or connection of `element_id` (with the marker class, when given)."""
    return page.locator(
        f'#diagram g.djs-element{"." + marker if marker else ""}[data-element-id="{element_id}"]'
    )


def approved_application(server: Server) -> dict[str, Any]:
    """A loan application approved by its review, waiting for the signed contract."""
    instance = server.start("loan_application", APPLICATION)
    [task] = instance["tasks"]
    values = {"interest_rate": 4, "approved": True, "note": "Welcome"}
    status, answer = server.api("POST", f"/api/tasks/{task['id']}/complete", {"variables": values})
    assert status == 200, answer
    return server.wait_for(
        instance["id"], lambda i: any(w.get("element_id") == "contract_signed" for w in i["waiting"])
    )


def open_diagram(pages: Pages, instance_id: str, viewport: dict[str, int] | None = None) -> Any:
    page = pages.open("ada")
    if viewport:
        page.set_viewport_size(viewport)
    page.goto(f"/instances/{instance_id}")
    expect(page.locator("#diagram")).to_have_attribute("data-state", "ready")
    return page


def test_the_taken_path_is_strong_and_the_untaken_flows_plain(pages: Pages, server: Server) -> None:
    instance = approved_application(server)
    page = open_diagram(pages, instance["id"])
    for passed in ("start", "score_application_task", "review", "decision", "send_contract_task"):
        expect(element(page, passed, "done")).to_have_count(1)
    for flow in ("Flow_start_score", "Flow_score_review", "Flow_review_decision", "Flow_approved"):
        expect(element(page, flow, "done")).to_have_count(1)
    expect(element(page, "Flow_sent_signed", "done")).to_have_count(1)  # into the waiting event
    for untaken in ("Flow_declined", "declined", "Flow_reminder_remind", "remind_task", "Flow_signed_end"):
        expect(element(page, untaken)).to_have_count(1)
        expect(element(page, untaken, "done")).to_have_count(0)
    expect(element(page, "contract_signed", "waiting")).to_have_count(1)
    # A strong colour, not the plain black of an untaken flow.
    taken = element(page, "Flow_approved").locator(".djs-visual > path")
    plain = element(page, "Flow_declined").locator(".djs-visual > path")
    assert taken.evaluate("p => getComputedStyle(p).stroke") == "rgb(23, 128, 61)"
    assert plain.evaluate("p => getComputedStyle(p).stroke") != "rgb(23, 128, 61)"
    screenshot(page.locator(".diagram-section"), "diagram-taken-path")
    server.api("POST", f"/api/process-instances/{instance['id']}/terminate", {"reason": "test over"})


def test_clicking_an_element_shows_its_history_and_what_it_waits_for(pages: Pages, server: Server) -> None:
    instance = approved_application(server)
    page = open_diagram(pages, instance["id"])
    panel = page.locator("#diagram-element")
    expect(panel).to_be_hidden()

    element(page, "review").click()
    expect(panel).to_have_attribute("data-state", "ready")
    expect(panel.locator("h3")).to_have_text("Review application (review)")
    history = panel.locator("table.element-history tbody tr")
    expect(history.filter(has_text="user task completed")).to_have_count(1)
    expect(history.filter(has_text="ada")).not_to_have_count(0)
    screenshot(page.locator(".diagram-section"), "diagram-element-history")

    element(page, "contract_signed").click()
    expect(panel).to_have_attribute("data-element", "contract_signed")
    expect(panel).to_have_attribute("data-state", "ready")
    expect(panel.locator("ul.element-waits")).to_contain_text("the message contract_signed")
    expect(panel.locator("ul.element-waits")).not_to_contain_text("{}")  # no empty correlation
    expect(panel).to_contain_text("Nothing has happened here yet.")

    # A connection's hit area is a thin line: a click event on it, wherever its middle is.
    element(page, "Flow_declined").locator(".djs-hit").dispatch_event("click")
    expect(panel).to_contain_text("The instance has not taken this flow.")
    element(page, "Flow_approved").locator(".djs-hit").dispatch_event("click")
    expect(panel).to_contain_text("The instance took this flow.")

    # The keyboard's way: the element picker.
    page.select_option("#diagram-pick", "score_application_task")
    expect(panel).to_have_attribute("data-element", "score_application_task")
    expect(panel.locator("table.element-history")).to_contain_text("activity completed")
    server.api("POST", f"/api/process-instances/{instance['id']}/terminate", {"reason": "test over"})


def test_zoom_in_out_and_fit(pages: Pages, server: Server) -> None:
    instance = server.start("loan_application", APPLICATION)
    page = open_diagram(pages, instance["id"])
    viewport = page.locator("#diagram svg g.viewport").first

    def scale() -> float:
        return float(viewport.evaluate("g => g.transform.baseVal.consolidate().matrix.a"))

    fitted = scale()
    page.get_by_role("button", name="Zoom in").click()
    zoomed = scale()
    assert zoomed == pytest.approx(fitted * 1.25, rel=0.01)
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    assert scale() == pytest.approx(fitted / 1.25, rel=0.01)
    page.get_by_role("button", name="Fit").click()
    assert scale() == pytest.approx(fitted, rel=0.01)
    server.api("POST", f"/api/process-instances/{instance['id']}/terminate", {"reason": "test over"})


def test_an_incident_has_a_badge_with_its_count(pages: Pages, server: Server) -> None:
    server.deploy(HERE / "models" / "flaky_once.bpmn")
    instance = server.start("flaky_once", {})
    server.wait_for(instance["id"], lambda i: i["status"] == "incident")
    page = open_diagram(pages, instance["id"])
    expect(element(page, "book", "incident")).to_have_count(1)
    badge = page.locator('#diagram .djs-overlays[data-container-id="book"] .incident-badge')
    expect(badge).to_have_text("1")
    expect(badge).to_have_attribute("title", "1 open incident")
    element(page, "book").click()
    expect(page.locator("#diagram-element")).to_contain_text("the ledger is down")
    screenshot(page.locator(".diagram-section"), "diagram-incident")
    status, _ = server.api("POST", f"/api/process-instances/{instance['id']}/terminate", {"reason": "x"})
    assert status == 200


def test_a_terminated_instance_shows_where_it_stopped_and_why(pages: Pages, server: Server) -> None:
    instance = server.start("loan_application", APPLICATION)
    status, answer = server.api(
        "POST", f"/api/process-instances/{instance['id']}/terminate", {"reason": "The customer withdrew"}
    )
    assert status == 200, answer
    page = open_diagram(pages, instance["id"])
    expect(element(page, "review", "stopped")).to_have_count(1)
    expect(element(page, "review", "waiting")).to_have_count(0)
    expect(page.locator('#diagram .djs-overlays[data-container-id="review"] .stopped-badge')).to_have_count(1)
    # where it stood: the user task and its boundary timer, by name
    note = page.locator(".diagram-stopped")
    expect(note).to_contain_text("Terminated at Review application, Every hour: The customer withdrew")
    expect(note.locator('[data-element="review"]')).to_have_attribute("title", "review")
    screenshot(page.locator(".diagram-section"), "diagram-terminated")


def test_the_diagram_at_phone_width(pages: Pages, server: Server) -> None:
    instance = approved_application(server)
    page = open_diagram(pages, instance["id"], PHONE)
    expect(page.get_by_role("button", name="Fit")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
    element(page, "review").click()
    expect(page.locator("#diagram-element")).to_have_attribute("data-state", "ready")
    screenshot(page, "diagram-phone")
    screenshot(page.locator(".diagram-section"), "diagram-phone-section")
    server.api("POST", f"/api/process-instances/{instance['id']}/terminate", {"reason": "test over"})
