"""README's Quick start tour, word for word in a real browser: the loan application from its start
form (as ada) through the credit officer's review (as olga) to the signed contract's message.

Each button, link and field is found by the words README uses; the message is delivered with the
command line README shows. Screenshots: `tour-start-N-….png` in the artifacts folder.
"""

from __future__ import annotations

import json

import pytest

from .conftest import Pages, Server, log_in, screenshot

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

WORKER_MS = 60_000
"""How long the instance page may take to show what the server's worker did (send the contract)."""


@pytest.mark.usefixtures("logging_out")
def test_the_quick_start_tour(pages: Pages, server: Server) -> None:
    page = pages.open()
    log_in(page, "ada")

    # "choose Start a process, then Start… beside Loan application"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Start a process").click()
    start = page.get_by_role("link", name="Start “Loan application”")  # its name for screen readers
    expect(start).to_have_text("Start…")
    start.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start “Loan application”")

    # "type the customer number C-100 and leave the field: the screen waits while credit_check
    # fills in the applicant"
    page.get_by_label("Customer number").fill("C-100")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Applicant")).to_have_value("Ada Lovelace")
    expect(page.locator("#blocking-overlay")).to_be_hidden()

    # "Fill in the amount and the term and press Start: the application is scored and waits for a
    # credit officer"
    page.get_by_label("Amount").fill("15000")
    page.get_by_label("Term (months)").fill("60")
    screenshot(page, "tour-start-1-start-form")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Loan application")
    waiting = page.locator("table.waits")
    expect(waiting).to_contain_text("Review application")
    expect(waiting).to_contain_text("a person")
    instance_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    code, instance = server.api("GET", f"/api/process-instances/{instance_id}")
    assert code == 200 and instance["variables"]["credit_score"] == 780, instance
    application_id = instance["variables"]["application_id"]

    # "Log out, log in as olga, open Review application from the task list"
    page.get_by_role("button", name="Log out").click()
    log_in(page, "olga")
    review = page.locator("table.tasks tbody tr", has_text=application_id)
    review.get_by_role("link", name="Review application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review application")

    # "type an interest rate (the monthly payment appears), press Draft the contract (its result
    # arrives while you keep working), approve and complete"
    page.get_by_label("Interest rate (%)").press_sequentially("6")
    expect(page.locator("#m-interest_rate")).to_have_text("289.99 a month over 60 months")
    page.get_by_role("button", name="Draft the contract").click()
    page.get_by_label("Note for the applicant").fill("Welcome")
    expect(page.locator("#r-draft_contract")).to_contain_text("15,000 at 6 % over 60 months")
    page.get_by_label("Approve the loan").check()
    screenshot(page, "tour-start-2-review")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator(".task-done")).to_contain_text("Task “Review application” completed.")

    # "A worker sends the contract; the instance page (under Instances) shows the diagram waiting at
    # Contract signed, and its history who did what"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instances").click()
    page.locator(f'a.instance-label[href$="{instance_id}"]').click()
    signed = '#diagram g.djs-element.waiting[data-element-id="contract_signed"]'
    waited_ms = 0
    while page.locator(signed).count() == 0 and waited_ms < WORKER_MS:
        page.wait_for_timeout(500)
        waited_ms += 500
        page.reload()
        expect(page.locator("#diagram")).to_have_attribute("data-state", "ready")
    expect(page.locator(signed)).to_have_count(1)
    history = page.locator("table.history")
    expect(history.locator("tr", has_text="Started").locator(".history-actor")).to_have_text("ada")
    completed = history.locator("tr", has_text="Completed the task")
    expect(completed).to_contain_text("Review application")
    expect(completed.locator(".history-actor")).to_have_text("olga")
    screenshot(page, "tour-start-3-instance")

    # "Deliver that message with the application's id, shown in the instance's variables"
    shown = page.locator("table.variables tr", has_text="application_id").locator("pre")
    expect(shown).to_have_text(json.dumps(application_id))
    delivered = server.cli("message", "contract_signed", "--correlate", f"application_id={application_id}")
    assert instance_id in delivered
    server.wait_for(instance_id, lambda i: i["status"] == "completed")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("completed")
