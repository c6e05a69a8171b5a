"""The web pages in a real browser: log in, forms and their microflows, the diagram, incidents, deploy.

Each test saves a screenshot of the page it is about in the artifacts folder (conftest.py).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from .conftest import HERE, PASSWORDS, Pages, Server, screenshot

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

APPLICATION = {
    "customer_id": "C-200",
    "applicant": "Alan Turing",
    "email": "alan@example.com",
    "amount": 12000,
    "term_months": 48,
}
OVERLAY_LOG = """() => {
  // Record every change of the overlay's `hidden`: a blocking call shows it, then hides it again.
  window.overlayLog = [];
  const overlay = document.getElementById("blocking-overlay");
  new MutationObserver(() => window.overlayLog.push(overlay.hidden ? "hidden" : "shown"))
    .observe(overlay, {attributes: true, attributeFilter: ["hidden"]});
}"""


def blocked_once(page: Any) -> None:
    """Wait until the overlay was shown and hidden again since the last check; then forget it."""
    page.wait_for_function("() => window.overlayLog.length >= 2")
    assert page.evaluate("window.overlayLog.splice(0)") == ["shown", "hidden"]
    expect(page.locator("#blocking-overlay")).to_be_hidden()


def open_review(pages: Pages, server: Server) -> tuple[Any, dict[str, Any]]:
    """Start an application over the API; olga's page on its review task."""
    instance = server.start("loan_application", APPLICATION)
    [task] = instance["tasks"]
    page = pages.open("olga")
    page.goto(f"/tasks/{task['id']}")
    return page, instance


def test_logging_in_leads_to_the_task_list(pages: Pages) -> None:
    page = pages.open()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("h1")).to_have_text("Log in")
    screenshot(page, "login")

    page.fill("#name", "ada")
    page.fill("#password", "not her password")
    page.click("form.login-form button[type=submit]")
    expect(page.locator(".form-errors")).to_contain_text("Wrong name or password")

    page.fill("#password", PASSWORDS["ada"])
    page.click("form.login-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header .user")).to_contain_text("ada")


def test_the_task_list_shows_a_groups_task(pages: Pages, server: Server) -> None:
    server.start("loan_application", APPLICATION | {"applicant": "Task List"})
    page = pages.open("olga")
    page.goto("/")
    expect(page.get_by_role("link", name="Review application").first).to_be_visible()
    screenshot(page, "task-list")


def test_the_start_form_blocks_the_screen_for_its_field_microflow(pages: Pages, server: Server) -> None:
    page = pages.open("ada")
    page.goto("/processes/loan_application/start")
    page.evaluate(OVERLAY_LOG)

    # An unknown customer: the microflow's "error" is shown beside the field, which is marked.
    page.fill("#f-customer_id", "C-9")
    page.keyboard.press("Tab")
    blocked_once(page)
    expect(page.locator("#e-customer_id")).to_have_text("The credit bureau knows no customer C-9.")
    expect(page.locator("#f-customer_id")).to_have_attribute("aria-invalid", "true")

    # A known one: the answer fills the other fields and shows the score beside this one. While
    # the call is on its way the screen waits (a picture of it is taken then).
    def photograph(route: Any) -> None:
        expect(page.locator("#blocking-overlay")).to_be_visible()
        screenshot(page, "start-form-blocked")
        route.continue_()

    page.route("**/api/microflows/credit_check/call", photograph)
    page.fill("#f-customer_id", "c-100")
    page.keyboard.press("Tab")
    blocked_once(page)
    page.unroute("**/api/microflows/credit_check/call")
    expect(page.locator("#e-customer_id")).to_have_text("")
    expect(page.locator("#f-customer_id")).to_have_value("C-100")
    expect(page.locator("#f-applicant")).to_have_value("Ada Lovelace")
    expect(page.locator("#f-email")).to_have_value("ada@example.com")
    expect(page.locator("#m-customer_id")).to_have_text("Credit score 780 (good)")

    # A failing call (here the server answers 502) shows its message and never leaves the overlay up.
    def fail(route: Any) -> None:
        error = {"code": "microflow_failed", "message": "credit bureau unreachable", "details": {}}
        route.fulfill(status=502, json={"error": error})

    page.route("**/api/microflows/credit_check/call", fail)
    page.fill("#f-customer_id", "C-300")
    page.keyboard.press("Tab")
    blocked_once(page)
    expect(page.locator("#e-customer_id")).to_have_text("credit bureau unreachable")
    page.unroute("**/api/microflows/credit_check/call")
    page.fill("#f-customer_id", "C-100")
    page.keyboard.press("Tab")
    blocked_once(page)
    expect(page.locator("#e-customer_id")).to_have_text("")

    page.fill("#f-amount", "9000")
    screenshot(page, "start-form")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/instances/"))
    instance_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    code, instance = server.api("GET", f"/api/process-instances/{instance_id}")
    assert code == 200 and instance["variables"]["applicant"] == "Ada Lovelace"
    assert [t["element_id"] for t in instance["tasks"]] == ["review"]


def test_a_task_form_shows_errors_runs_microflows_and_completes(pages: Pages, server: Server) -> None:
    page, instance = open_review(pages, server)
    expect(page.locator("h1")).to_have_text("Review application")
    expect(page.locator("#f-credit_score")).to_have_value("690")

    # Completing without the required rate: the browser's own check stops it first...
    page.get_by_role("button", name="Complete").click()
    assert page.evaluate("document.getElementById('f-interest_rate').validity.valueMissing")
    expect(page).to_have_url(re.compile(r"/tasks/"))
    # ...and without that check, the server's answer puts the error beside the field.
    page.evaluate("document.querySelector('form.task-form').noValidate = true")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#e-interest_rate")).to_have_text("is required")
    screenshot(page, "task-form-error")

    # The async button without a rate: the form's validation holds it back, beside the field.
    draft = page.get_by_role("button", name="Draft the contract")
    draft.click()
    expect(page.locator("#r-draft_contract")).to_have_attribute("data-state", "invalid")
    expect(page.locator("#e-interest_rate")).not_to_be_empty()
    expect(page.locator("#f-interest_rate")).to_be_focused()

    # Typing the rate (trigger "input"): the screen waits, then the monthly payment shows.
    page.evaluate(OVERLAY_LOG)
    page.locator("#f-interest_rate").press_sequentially("5")
    blocked_once(page)
    expect(page.locator("#m-interest_rate")).to_have_text("276.35 a month over 48 months")

    # The async button: the person keeps working while the job runs; the result arrives later.
    draft.click()
    expect(page.locator("#r-draft_contract")).to_have_attribute("data-state", "pending")
    page.fill("#f-note", "Welcome aboard")
    expect(page.locator("#r-draft_contract")).to_have_attribute("data-state", "done")
    expect(page.locator("#r-draft_contract")).to_have_text(re.compile(r"^Draft D-\w+: 12,000 at 5 % over 48"))
    screenshot(page, "task-form-microflows")

    page.check("#f-approved")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator(".flash")).to_contain_text("completed")

    # The server's worker sends the contract; then the signed contract's message ends it.
    sent = server.wait_for(
        instance["id"], lambda i: any(w.get("name") == "contract_signed" for w in i["waiting"])
    )
    variables = sent["variables"]
    assert (variables["approved"], variables["interest_rate"], variables["note"]) == (
        True,
        5,
        "Welcome aboard",
    )
    assert variables["contract_sent"] is True
    signed = {"name": "contract_signed", "correlation": {"application_id": variables["application_id"]}}
    assert server.api("POST", "/api/messages", signed) == (
        200,
        {"delivered_to": [instance["id"]], "started": []},
    )
    server.wait_for(instance["id"], lambda i: i["status"] == "completed")


def test_the_instance_page_marks_the_waiting_task_on_the_diagram(pages: Pages, server: Server) -> None:
    instance = server.start("loan_application", APPLICATION | {"applicant": "Diagram"})
    page = pages.open("ada")
    page.goto(f"/instances/{instance['id']}")
    expect(page.locator("#diagram")).to_have_attribute("data-state", "ready")
    expect(page.locator('#diagram g.djs-element.waiting[data-element-id="review"]')).to_have_count(1)
    expect(
        page.locator('#diagram g.djs-element.done[data-element-id="score_application_task"]')
    ).to_have_count(1)
    screenshot(page, "instance")
    screenshot(page.locator("#diagram"), "instance-diagram")


def test_an_incident_is_retried_from_the_incidents_page(pages: Pages, server: Server) -> None:
    server.deploy(HERE / "models" / "flaky_once.bpmn")
    instance = server.start("flaky_once", {})
    server.wait_for(instance["id"], lambda i: i["status"] == "incident")
    page = pages.open("ada")
    page.goto("/incidents")
    row = page.locator("tr", has=page.locator(f'a[href$="{instance["id"]}"]'))
    expect(row).to_contain_text("the ledger is down")
    screenshot(page, "incidents")
    row.get_by_role("button", name="Retry").click()
    expect(page.locator(f'a[href$="{instance["id"]}"]')).to_have_count(0)
    server.wait_for(instance["id"], lambda i: i["status"] == "completed")


def test_a_model_is_deployed_by_upload(pages: Pages, tmp_path: Path) -> None:
    key = f"uploaded_{uuid.uuid4().hex[:8]}"
    model = (HERE / "models" / "flaky_once.bpmn").read_text().replace("flaky_once", key)
    path = tmp_path / f"{key}.bpmn"
    path.write_text(model.replace('name="Flaky once"', 'name="Uploaded in a browser"'))
    page = pages.open("ada")
    page.goto("/deploy")
    page.set_input_files("#files", str(path))
    page.get_by_role("button", name="Deploy").click()
    table = page.locator("table.deployed")
    expect(table).to_contain_text(key)
    expect(table).to_contain_text("new version")
    screenshot(page, "deploy")


def test_the_api_reference_renders_from_this_origin_under_the_csp(pages: Pages) -> None:
    page = pages.open()
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Flowbridge API")
    expect(page.get_by_text("/api/signals").first).to_be_visible()  # the operations are listed


def test_a_user_sees_the_instances_they_take_part_in_and_no_others(pages: Pages, server: Server) -> None:
    """DESIGN §6a in the browser: olga (a credit officer) finds the loan whose review is offered to
    her group, and not an instance she takes no part in, neither in the list nor by its address."""
    loan = server.start("loan_application", APPLICATION | {"applicant": "Visible"})
    server.deploy(HERE / "models" / "flaky_once.bpmn")
    other = server.start("flaky_once", {})
    page = pages.open("olga")
    page.goto("/instances?limit=200")
    expect(page.locator(f'a[href$="{loan["id"]}"]').first).to_be_visible()
    expect(page.locator(f'a[href$="{other["id"]}"]')).to_have_count(0)
    answer = page.goto(f"/instances/{other['id']}")
    assert answer is not None and answer.status == 404
    expect(page.locator("h1")).to_have_text("No such instance")
    screenshot(page, "instance-not-yours")
