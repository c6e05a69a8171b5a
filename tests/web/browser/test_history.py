"""An instance a person understands, in a real browser (issue 15, items 6 to 8).

History in the viewer's own time zone, to the second, with durations, the variables each step
changed and automatic steps the engine's; "Waiting for" naming each element, saying how to
deliver its message (the command line and curl lines it shows work as shown), a timer's due
time in local time, and the administrators' Deliver and Trigger buttons; the instance list
labelled by process name and business key and searched by name, key, business key and value.
A due timer's Fire button is tested through the Flask client (tests/web/test_pages_history.py):
this server's workers fire a due timer before a person could.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ...conftest import MODELS
from .conftest import VIEWPORT, Pages, Server, screenshot

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

ZONE = "Asia/Tokyo"
"""The viewer's time zone (far from UTC, so a time left in UTC shows)."""
PHONE = {"width": 390, "height": 844}


def open_in(pages: Pages, zone: str, viewport: dict[str, int] = VIEWPORT) -> Any:
    """A page as ada in time zone `zone`, closed (and its script errors counted) with `pages`."""
    context = pages.browser.new_context(
        base_url=pages.server.url,
        viewport=viewport,
        storage_state=pages.logins["ada"],
        timezone_id=zone,
        locale="en-GB",
    )
    pages.contexts.append(context)
    page = context.new_page()
    page.on("pageerror", lambda error: pages.errors.append(f"{page.url}: {error}"))
    return page


def claim(server: Server, business_key: str, **variables: Any) -> dict[str, Any]:
    """A claim_review instance whose review ada has done: it waits for a message, a timer (in an
    hour) and a trigger."""
    server.deploy(MODELS / "claim_review.bpmn")
    body = {"variables": {"reminder": "PT1H", **variables}, "business_key": business_key}
    status, instance = server.api("POST", "/api/process-definitions/claim_review/start", body)
    assert status == 201, instance
    task = instance["tasks"][0]["id"]
    status, done = server.api("POST", f"/api/tasks/{task}/complete", {"variables": {"amount": 120}})
    assert status == 200, done
    return server.wait_for(instance["id"], lambda shown: len(shown["waiting"]) == 3)


def local(iso: str, zone: str = ZONE) -> str:
    """The time of day of an ISO timestamp in `zone`, to the second."""
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).strftime("%H:%M:%S")


def test_history_reads_in_local_time_with_durations_changes_and_the_engine(
    pages: Pages, server: Server
) -> None:
    key = f"CL-{uuid.uuid4().hex[:6]}"
    instance = claim(server, key, customer="Ada Lovelace")
    page = open_in(pages, ZONE)
    page.goto(f"/instances/{instance['id']}")
    history = page.locator("table.history")

    review = history.locator("tr", has_text="Review the claim")
    expect(review).to_have_count(1)  # one row for the completed task, not two
    expect(review.locator(".history-actor")).to_have_text("ada (as administrator)")  # nobody's task
    expect(review.locator("td").nth(3)).to_have_text(re.compile(r"^(< 0\.1 s|\d+(\.\d)? s|\d+ min.*)$"))
    expect(history.locator("tr", has_text="Add the fee").locator(".history-actor")).to_have_text("engine")
    changed = history.locator("tr.history-variables_changed").last
    expect(changed).to_contain_text("amount: (new) → 120")
    expect(changed).to_contain_text("fee: (new) → 12")

    when = review.locator("time")
    moment = when.get_attribute("datetime")
    assert moment and moment.endswith("+00:00")  # the page is written in UTC, as the API gives it
    expect(when).to_contain_text(local(moment))  # and shown in the viewer's zone, to the second
    expect(when).to_contain_text("GMT+9")
    assert (when.get_attribute("title") or "").endswith(" UTC")
    screenshot(page, "history-desktop")

    phone = open_in(pages, ZONE, PHONE)
    phone.goto(f"/instances/{instance['id']}")
    expect(phone.locator("table.history")).to_be_visible()
    screenshot(phone, "history-phone")


def test_waiting_for_names_each_wait_and_says_how_to_move_it_on(pages: Pages, server: Server) -> None:
    key = f"CL-{uuid.uuid4().hex[:6]}"
    instance = claim(server, key)
    page = open_in(pages, ZONE)
    page.goto(f"/instances/{instance['id']}")
    waits = page.locator("table.waits")

    paid = waits.locator('tr[data-element="paid"]')
    expect(paid.locator(".wait-name")).to_have_text("Payment received")
    expect(paid).to_contain_text(f'business_key = "{key}"')
    paid.locator("summary", has_text="How to deliver it").click()
    expect(paid.locator(".wait-cli")).to_have_text(
        f"flowbridge message claim_paid --correlate business_key={key}"
    )
    expect(paid.locator(".wait-curl")).to_contain_text(f"{server.url}/api/messages")
    reminder = waits.locator('tr[data-element="reminder"]')
    expect(reminder.locator(".wait-name")).to_have_text("Reminder due")
    due = reminder.locator(".wait-due time")
    expect(due).to_contain_text(local(due.get_attribute("datetime") or ""))
    expect(reminder).to_contain_text("Job queued, attempt 0 of 3")
    expect(reminder.get_by_role("button")).to_have_count(0)  # not due: nothing to fire yet
    screenshot(page, "waiting-for-desktop")

    # ada delivers the message and triggers the receive task from the page.
    paid.get_by_role("button", name="Deliver “claim_paid” to this instance").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text("Message 'claim_paid' delivered.")
    expect(page.locator('table.waits tr[data-element="paid"]')).to_have_count(0)
    page.locator('table.waits tr[data-element="signed"]').get_by_role(
        "button", name="Trigger “Contract signed”"
    ).click()
    expect(page.locator('table.waits tr[data-element="signed"]')).to_have_count(0)
    expect(
        page.locator("table.history tr", has_text="Message received").locator(".history-actor")
    ).to_have_text("ada")
    expect(page.locator("table.history tr", has_text="Triggered").locator(".history-actor")).to_have_text(
        "ada"
    )
    expect(page.locator('table.waits tr[data-element="reminder"]')).to_have_count(1)

    # The command line and curl shown for another instance deliver its message as they are.
    second = claim(server, f"CL-{uuid.uuid4().hex[:6]}")
    page.goto(f"/instances/{second['id']}")
    cli = page.locator('tr[data-element="paid"] .wait-cli').text_content() or ""
    words = shlex.split(cli)
    assert words[:2] == ["flowbridge", "message"]
    assert second["id"] in server.cli(*words[1:])
    third = claim(server, f"CL-{uuid.uuid4().hex[:6]}")
    page.goto(f"/instances/{third['id']}")
    curl = page.locator('tr[data-element="paid"] .wait-curl').text_content() or ""
    sent = subprocess.run(
        ["bash", "-c", curl + " --silent --show-error"],
        capture_output=True,
        text=True,
        env={**os.environ, "FLOWBRIDGE_TOKEN": server.token},
        timeout=30,
    )
    assert sent.returncode == 0 and third["id"] in sent.stdout, sent
    for done in (second, third):
        shown = server.wait_for(done["id"], lambda i: len(i["waiting"]) == 2)
        assert "paid" not in [w.get("element_id") for w in shown["waiting"]]


def test_the_instance_list_is_labelled_and_searched(pages: Pages, server: Server) -> None:
    marker = uuid.uuid4().hex[:6]
    wanted = claim(server, f"LOAN-{marker}-1", customer=f"Ada {marker}")
    claim(server, f"LOAN-{marker}-2", customer="Bob")
    page = open_in(pages, ZONE)
    page.goto("/instances")
    page.fill("#filter-process", "claim rev")
    page.fill("#filter-business-key", marker)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("a.instance-label")).to_have_count(2)
    expect(page.locator("a.instance-label").first).to_have_text(f"Claim review · LOAN-{marker}-2")
    assert "process=claim+rev" in page.url and f"business_key={marker}" in page.url  # bookmarkable

    page.fill("#filter-variable", "customer")
    page.fill("#filter-value", marker.upper())
    page.get_by_role("button", name="Search").click()
    expect(page.locator("a.instance-label")).to_have_text([f"Claim review · LOAN-{marker}-1"])
    started = page.locator("table.instances time").first
    expect(started).to_contain_text(local(started.get_attribute("datetime") or ""))
    screenshot(page, "instances-search-desktop")
    page.locator("a.instance-label").click()
    expect(page.locator("h1")).to_contain_text(f"Claim review · LOAN-{marker}-1")
    assert wanted["id"] in page.url

    phone = open_in(pages, ZONE, PHONE)
    phone.goto(f"/instances?process=claim&business_key={marker}")
    expect(phone.locator("a.instance-label")).to_have_count(2)
    screenshot(phone, "instances-search-phone")
