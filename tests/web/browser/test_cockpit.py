"""The cockpit in a real browser (issue 15, item 9): processes with their figures, a version's
heat map on the bpmn-js viewer, clicking an element to list its instances, and bulk retry and
terminate with their confirmation pages; what a non-administrator sees; the phone layout."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .conftest import HERE, Pages, Server, screenshot
from .test_accessibility import violations

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def start(server: Server, key: str, business_key: str) -> dict[str, Any]:
    status, instance = server.api(
        "POST", f"/api/process-definitions/{key}/start", {"variables": {}, "business_key": business_key}
    )
    assert status == 201, instance
    found: dict[str, Any] = instance
    return found


def end(server: Server, *instances: dict[str, Any] | str) -> None:
    """Terminate what a test left running, so the session's other tests do not meet it."""
    for instance in instances:
        instance_id = instance if isinstance(instance, str) else instance["id"]
        server.api("POST", f"/api/process-instances/{instance_id}/terminate", {"reason": "test over"})


def figures(server: Server, key: str) -> dict[str, Any]:
    """The API's figures of a process's latest version, per element."""
    status, answer = server.api("GET", f"/api/process-definitions/{key}/statistics")
    assert status == 200, answer
    return {e["element_id"]: e for e in answer["elements"]} | {"": answer}


def no_page_scroll(page: Any) -> None:
    """The page itself does not scroll sideways (wide tables scroll inside their box)."""
    width = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert width <= 1, f"the page scrolls {width}px sideways"


def test_the_heat_map_and_bulk_retry(pages: Pages, server: Server) -> None:
    server.deploy(HERE / "models" / "flaky_once.bpmn")
    flaky = [start(server, "flaky_once", f"HEAT-{n}") for n in (1, 2)]
    for instance in flaky:
        server.wait_for(instance["id"], lambda i: i["status"] == "incident")

    page = pages.open("ada")
    page.goto("/")
    page.get_by_role("link", name="Cockpit").click()
    expect(page).to_have_url(re.compile(r"/cockpit$"))
    row = page.locator('tr[data-key="flaky_once"]')
    overview = server.api("GET", "/api/statistics/process-definitions")[1]
    [listed] = [d for d in overview if d["key"] == "flaky_once"]
    expect(row.locator('[data-figure="incidents"]')).to_have_text(str(listed["incidents"]))
    expect(row.locator('[data-figure="instances"]')).to_have_text(str(listed["instances"]))
    screenshot(page, "cockpit")

    row.get_by_role("link", name="Flaky once").click()
    expect(page.locator("#heat-map")).to_have_attribute("data-state", "ready")
    book = figures(server, "flaky_once")["book"]
    badges = page.locator('#heat-map .heat-badges[data-heat-element="book"]')
    expect(badges.locator(".heat-incidents")).to_have_text(str(book["incidents"]))
    expect(badges.locator(".heat-instances")).to_have_text(str(book["instances"]))
    expect(page.locator('#heat-map .djs-element.heat-incident[data-element-id="book"]')).to_have_count(1)
    expect(page.locator('#heat-map .djs-element.heat-4[data-element-id="book"]')).to_have_count(1)
    expect(page.locator('tr[data-element="book"] a')).to_contain_text(
        "Book payment"
    )  # its name, from the model
    screenshot(page, "cockpit-heat-map")

    # Clicking the element lists the instances waiting there.
    page.locator('#heat-map .djs-element[data-element-id="book"]').click()
    expect(page).to_have_url(re.compile(r"element=book"))
    expect(page.get_by_role("heading", name="Instances at book")).to_be_visible()
    for instance in flaky:
        page.locator(f"#pick-{instance['id']}").check()
    page.get_by_role("button", name="Retry their incidents…").click()

    expect(page.get_by_role("heading", name="Retry the incidents of 2 instances?")).to_be_visible()
    plan = page.locator("table.cockpit-plan")
    expect(plan.locator("tr.will")).to_have_count(2)
    expect(plan).to_contain_text("Flaky once HEAT-1")
    expect(plan).to_contain_text("Will be retried (1 incident sent to the workers again)")
    screenshot(page, "cockpit-confirm-retry")
    page.get_by_role("button", name="Retry the incidents of 2 instances").click()

    expect(page.get_by_role("heading", name="Retry the incidents of: 2 of 2 done")).to_be_visible()
    expect(page.locator("table.cockpit-outcomes tr.done")).to_have_count(2)
    for instance in flaky:  # the microflow fails once only: the retried work goes on
        server.wait_for(instance["id"], lambda i: i["status"] == "completed")
    page.get_by_role("link", name="Back to the cockpit").click()
    expect(page).to_have_url(re.compile(r"/cockpit/flaky_once"))


def test_bulk_terminate_asks_for_a_reason_and_reports_each(pages: Pages, server: Server) -> None:
    mine = [start(server, "hello_task", f"TERM-{n}") for n in (1, 2, 3)]
    gone = mine[2]
    page = pages.open("ada")
    page.goto("/cockpit/hello_task?element=say_hello&limit=200")
    for instance in mine:
        page.get_by_label(f"Select Hello task {instance['business_key']}").check()
    # Between the selection and the confirmation one of them ends: the confirmation says so.
    server.api("POST", f"/api/process-instances/{gone['id']}/terminate", {"reason": "ended elsewhere"})
    page.get_by_role("button", name="Terminate…").click()

    expect(page.get_by_role("heading", name="Terminate 2 instances?")).to_be_visible()
    refused = page.locator(f'table.cockpit-plan tr.refused[data-instance="{gone["id"]}"]')
    expect(refused).to_contain_text("Refused: it has terminated already")
    reason = page.get_by_label("Reason for terminating them")
    expect(reason).to_be_visible()
    reason.fill("Duplicates of TERM-0")
    screenshot(page, "cockpit-confirm-terminate")
    page.get_by_role("button", name="Terminate 2 instances").click()

    expect(page.get_by_role("heading", name="Terminate: 2 of 2 done")).to_be_visible()
    expect(page.locator(".bulk-summary")).to_contain_text("Duplicates of TERM-0")
    screenshot(page, "cockpit-terminated")
    for instance in mine[:2]:
        history = server.api("GET", f"/api/process-instances/{instance['id']}/history")[1]
        [event] = [e for e in history if e["kind"] == "instance_terminated"]
        assert event["data"]["reason"] == "Duplicates of TERM-0" and event["user"] == "ada"


def test_the_cockpit_pages_have_no_serious_accessibility_violations(pages: Pages, server: Server) -> None:
    mine = [start(server, "hello_task", f"AXE-{n}") for n in (1, 2)]
    page = pages.open("ada")
    for path in ("/cockpit", "/cockpit/hello_task", "/cockpit/hello_task?element=say_hello"):
        page.goto(path)
        if path != "/cockpit":
            expect(page.locator("#heat-map")).to_have_attribute("data-state", "ready")
        assert violations(page) == [], path
    for instance in mine:
        page.get_by_label(f"Select Hello task {instance['business_key']}").check()
    page.get_by_role("button", name="Suspend…").click()
    expect(page.get_by_role("heading", name="Suspend 2 instances?")).to_be_visible()
    assert violations(page) == [], "confirmation"
    page.get_by_role("button", name="Suspend 2 instances").click()
    expect(page.get_by_role("heading", name="Suspend: 2 of 2 done")).to_be_visible()
    assert violations(page) == [], "results"
    end(server, *mine)


def test_a_user_sees_their_own_figures_and_no_bulk_actions(pages: Pages, server: Server) -> None:
    someone = start(server, "hello_task", "SOMEONE-ELSES")
    started = server.cli("start", "hello_task", "--user", "olga", "--business-key", "OLGA-1", "--json")
    olgas = json.loads(started)["id"]
    page = pages.open("olga")
    page.goto("/cockpit")
    expect(page.locator(".cockpit-scope")).to_contain_text("Figures count the instances you may see")
    row = page.locator('tr[data-key="hello_task"]')
    listed = server.cli(
        "instances", "--key", "hello_task", "--user", "olga", "--group", "credit_officers", "--json"
    )
    hers = [i for i in json.loads(listed)["items"] if i["status"] not in ("completed", "terminated")]
    expect(row.locator('[data-figure="instances"]')).to_have_text(str(len(hers)))  # hers alone
    row.get_by_role("link", name="Hello task").click()
    expect(page.locator("#heat-map")).to_have_attribute("data-state", "ready")
    expect(page.locator("table.cockpit-running tbody tr")).to_have_count(len(hers))
    expect(page.locator(f'tr[data-instance="{olgas}"]')).to_contain_text("OLGA-1")
    expect(page.locator('input[name="instance"]')).to_have_count(0)
    expect(page.get_by_role("button", name="Terminate…")).to_have_count(0)
    screenshot(page, "cockpit-user")
    everyone = [
        d for d in server.api("GET", "/api/statistics/process-definitions")[1] if d["key"] == "hello_task"
    ]
    assert everyone[0]["instances"] > 1  # ada's figures count the others' too
    end(server, someone, olgas)


@pytest.mark.parametrize("path", ["/cockpit", "/cockpit/hello_task"])
def test_the_cockpit_at_phone_width(pages: Pages, server: Server, path: str) -> None:
    phone = start(server, "hello_task", "PHONE-1")
    page = pages.open("ada")
    page.set_viewport_size(PHONE)
    page.goto(path)
    if path != "/cockpit":
        expect(page.locator("#heat-map")).to_have_attribute("data-state", "ready")
    no_page_scroll(page)
    screenshot(page, "cockpit-phone" + path.replace("/cockpit", "").replace("/", "-"))
    end(server, phone)
