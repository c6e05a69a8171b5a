"""README's second tour, "A day in the task list", step by step in a real browser.

The steps, their numbers and the words of every button, link and field are README's: a clerk
(ada) starts two loan applications with business keys, a credit officer (olga) filters her list,
finds one by its business key, completes its review and follows its instance to the message it
waits for; ada delivers that message from the page and the diagram shows the taken path. Each
main step saves a screenshot, `tour-day-N-….png`, in the artifacts folder (conftest.py).
"""

from __future__ import annotations

import re
import shlex
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import Pages, Server, log_in, screenshot

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

APPLICATIONS = [("C-100", "20000", "APP-1001"), ("C-200", "12000", "APP-1002")]
"""README's step 1: customer number, amount and business key of each application."""
WORKER_MS = 60_000
"""How long the page may take to show what the server's worker did (send the contract)."""


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def start_application(page: Any, customer: str, amount: str, business_key: str) -> str:
    """Step 1 for one application: Start a process → Start… beside "Loan application"; its id."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Start a process").click()
    page.get_by_role("link", name="Start “Loan application”").click()
    page.get_by_label("Customer number").fill(customer)
    page.keyboard.press("Tab")  # leaving the field: credit_check fills in the applicant
    expect(page.get_by_label("Applicant")).not_to_have_value("")
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Business key").fill(business_key)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Loan application · {business_key}")
    review = page.locator('table.waits tr[data-element="review"]')
    expect(review.locator(".wait-name")).to_have_text("Review application")
    expect(review.locator('td[data-label="Waits for"]')).to_have_text("a person")
    return str(page.url.rstrip("/").rsplit("/", 1)[-1])


def waits_row(page: Any, element_id: str) -> Any:
    return page.locator(f'table.waits tr[data-element="{element_id}"]')


def diagram_element(page: Any, element_id: str, marker: str = "") -> Any:
    return page.locator(
        f'#diagram g.djs-element{"." + marker if marker else ""}[data-element-id="{element_id}"]'
    )


@pytest.mark.usefixtures("logging_out")
def test_a_day_in_the_task_list(pages: Pages, server: Server) -> None:
    page = pages.open()

    # 1. Applications arrive: ada starts two, each with its business key.
    log_in(page, "ada")
    ids = [start_application(page, *application) for application in APPLICATIONS]
    screenshot(page, "tour-day-1-started")
    log_out(page)

    # 2. The list: olga's header counts her open tasks; each review says what it is about.
    log_in(page, "olga")
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    count = page.locator("header [data-task-count]")
    expect(count).to_have_text(re.compile(r"^\d+$"))
    review = page.locator("table.tasks tbody tr", has=page.get_by_role("link", name="APP-1002", exact=True))
    expect(review.locator(".list-vars")).to_contain_text("Alan Turing")
    expect(review).to_contain_text("Loan application")
    screenshot(page, "tour-day-2-list")

    # 3. Filter: Show "Offered to my groups", Process "Loan application".
    page.get_by_label("Show").select_option(label="Offered to my groups")
    page.get_by_label("Process").select_option(label="Loan application")
    page.get_by_role("button", name="Filter").click()
    assert parse_qs(urlsplit(page.url).query) == {"scope": ["groups"], "process_key": ["loan_application"]}
    processes = page.locator("table.tasks tbody tr td:nth-child(2)")
    assert set(text.split("\n")[0] for text in processes.all_inner_texts()) == {"Loan application"}
    offered = page.locator('table.tasks tbody td[data-label="Offered to"]').all_inner_texts()
    assert offered and set(offered) == {"credit_officers"}
    screenshot(page, "tour-day-3-filtered")

    # 4. Find it by business key: one row, Alan Turing's 12000.
    page.get_by_label("Search").fill("APP-1002")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(".list-vars")).to_have_text(
        re.compile(r"application_id: LA-\w+.*Applicant: Alan Turing.*Amount: 12000")
    )
    expect(rows.locator(".instance-link")).to_have_text("APP-1002")
    screenshot(page, "tour-day-4-found")

    # 5. Open it, claim it, complete it.
    rows.get_by_role("link", name="Review application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review application")
    expect(page.locator("dl.facts")).to_contain_text("APP-1002")
    expect(page.locator("#task-documentation")).to_contain_text("Any credit officer may claim it.")
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("dl.facts")).to_contain_text("olga")
    page.get_by_label("Interest rate (%)").press_sequentially("4.5")
    expect(page.locator("#m-interest_rate")).to_have_text("356.96 a month over 36 months")
    page.get_by_label("Approve the loan").check()
    screenshot(page, "tour-day-5-task")
    page.get_by_role("button", name="Complete").click()

    # 6. Back on the filtered list, the note leads to the instance.
    note = page.locator(".task-done")
    expect(note).to_contain_text("Task “Review application” completed.")
    expect(note).to_contain_text("Follow its instance (Loan application APP-1002, now waiting).")
    expect(page.get_by_text("No open tasks match these filters.")).to_be_visible()
    assert parse_qs(urlsplit(page.url).query)["q"] == ["APP-1002"]
    screenshot(page, "tour-day-6-completed")
    note.get_by_role("link", name="Follow its instance").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Loan application · APP-1002")
    assert page.url.endswith(ids[1])
    expect(page.locator("#diagram")).to_have_attribute("data-state", "ready")

    # 7. What it waits for: the worker sends the contract, then the message "Contract signed".
    signed = waits_row(page, "contract_signed")
    deadline_ms = 0
    while signed.count() == 0 and deadline_ms < WORKER_MS:
        page.wait_for_timeout(500)
        deadline_ms += 500
        page.reload()
    expect(signed.locator(".wait-name")).to_have_text("Contract signed")
    expect(signed).to_contain_text("message contract_signed")
    expect(signed).to_contain_text('Reaches this instance with business_key = "APP-1002".')
    signed.locator("summary", has_text="How to deliver it").click()
    expect(signed.locator(".wait-cli")).to_have_text(
        "flowbridge message contract_signed --correlate business_key=APP-1002"
    )
    cli = signed.locator(".wait-cli").text_content() or ""
    expect(signed.locator(".wait-curl")).to_contain_text(f"{server.url}/api/messages")
    expect(signed.get_by_role("button")).to_have_count(0)  # olga may read it, not deliver it
    screenshot(page, "tour-day-7-waiting-for")
    log_out(page)

    # 8. ada finds the instance by its business key and delivers the message from the page.
    log_in(page, "ada")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instances").click()
    page.get_by_label("Business key").fill("APP-1002")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Loan application · APP-1002").click()
    assert page.url.endswith(ids[1])
    waits_row(page, "contract_signed").get_by_role(
        "button", name="Deliver “contract_signed” to this instance"
    ).click()

    # 9. It finishes, and the diagram shows the path it took.
    expect(page.locator(".flash").first).to_contain_text("Message 'contract_signed' delivered.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("completed")
    expect(page.locator("#waiting-heading + p.empty")).to_have_text("Nothing.")
    expect(page.locator("#diagram")).to_have_attribute("data-state", "ready")
    path = ["start", "score_application_task", "review", "decision", "send_contract_task", "contract_signed"]
    for passed in [*path, "granted", "Flow_approved", "Flow_sent_signed", "Flow_signed_end"]:
        expect(diagram_element(page, passed, "done")).to_have_count(1)
    for plain in ("Flow_declined", "declined", "review_reminder", "remind_task"):
        expect(diagram_element(page, plain)).to_have_count(1)
        expect(diagram_element(page, plain, "done")).to_have_count(0)
    history = page.locator("table.history tbody tr")
    expect(history.nth(-3)).to_contain_text("Message received Contract signed")
    expect(history.nth(-3).locator(".history-actor")).to_have_text("ada")
    expect(history.nth(-2)).to_contain_text("Passed Loan granted")
    expect(history.nth(-1)).to_contain_text("Finished")
    screenshot(page, "tour-day-9-finished")
    screenshot(page.locator(".diagram-section"), "tour-day-9-diagram")

    # Step 8's other way: the command line step 7 showed, here for the other application.
    other = ids[0]
    status, answer = server.api("GET", "/api/tasks?q=APP-1001")
    assert status == 200 and [t["instance_id"] for t in answer["items"]] == [other], answer
    task = answer["items"][0]["id"]
    values = {"interest_rate": 3, "approved": True}
    assert server.api("POST", f"/api/tasks/{task}/complete", {"variables": values})[0] == 200
    server.wait_for(other, lambda i: any(w.get("element_id") == "contract_signed" for w in i["waiting"]))
    line = cli.replace("APP-1002", "APP-1001")
    assert other in server.cli(*shlex.split(line)[1:])
    server.wait_for(other, lambda i: i["status"] == "completed")
