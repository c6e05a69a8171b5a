"""The task list people prefer (issue 15, items 1, 2 and 4): filters, search and sort in the
address, rows that tell tasks of one kind apart, the header's count and the task page's watch,
and where completing a task leads."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from engine import Engine

from ..builders import flow, model
from .test_pages import Site, text


@pytest.fixture
def site(engine: Engine) -> Site:
    """The pages over the `engine` fixture's database (SQLite and PostgreSQL)."""
    return Site(engine)


APPLY = (
    "<bpmn:extensionElements>"
    '<camunda:properties><camunda:property name="listVariables" value="applicant, amount"/>'
    "</camunda:properties><camunda:formData>"
    '<camunda:formField id="applicant" label="Applicant" type="string"/>'
    '<camunda:formField id="amount" label="Amount" type="long"/>'
    "</camunda:formData></bpmn:extensionElements>"
)


def named(body: str, key: str, name: str) -> bytes:
    return model(body, key=key).replace(f'id="{key}"'.encode(), f'id="{key}" name="{name}"'.encode(), 1)


LOANS = named(
    '<bpmn:startEvent id="s"/>'
    f'<bpmn:userTask id="review" name="Review" camunda:candidateGroups="clerks">{APPLY}</bpmn:userTask>'
    '<bpmn:userTask id="sign" name="Sign" camunda:candidateGroups="clerks"/><bpmn:endEvent id="e"/>'
    + flow("s", "review")
    + flow("review", "sign")
    + flow("sign", "e"),
    "loans",
    "Loan review",
)
"""Two tasks in a row for the clerks: completing the first leads to the second."""
HELLO = named(
    '<bpmn:startEvent id="s"/><bpmn:userTask id="hi" name="Say hello"/><bpmn:endEvent id="e"/>'
    + flow("s", "hi")
    + flow("hi", "e"),
    "hello",
    "Hello task",
)


def rows(body: str) -> list[str]:
    """The task list's rows, as text without tags."""
    found = re.findall(r'<tr data-task="[^"]+">(.*?)</tr>', body, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in found]


def start_loans(site: Site) -> list[dict[str, Any]]:
    site.deploy(("loans.bpmn", LOANS), ("hello.bpmn", HELLO))
    return [
        site.engine.runtime.start("loans", {"applicant": who, "amount": amount}, business_key=key)
        for who, amount, key in (("Ada", 100, "LA-1"), ("Grace", 200, "LA-2"), ("Alan", 300, "LA-3"))
    ]


def test_rows_tell_tasks_of_one_kind_apart(site: Site) -> None:
    start_loans(site)
    site.engine.runtime.start("hello")
    body = text(site.browser("bob").get("/"))
    # Newest first: the hello task, then the three reviews, each with its business key and values.
    listed = rows(body)
    assert listed[0].startswith("Say hello Hello task instance ")
    assert listed[1:] == [
        "Review Applicant: Alan Amount: 300 Loan review LA-3 just now clerks Claim",
        "Review Applicant: Grace Amount: 200 Loan review LA-2 just now clerks Claim",
        "Review Applicant: Ada Amount: 100 Loan review LA-1 just now clerks Claim",
    ]
    assert "Process and business key" in body
    assert "data-task-count hidden" in body  # the header's count, filled in by the script


def test_filters_search_and_sort_come_from_the_address(site: Site) -> None:
    start_loans(site)
    site.engine.runtime.start("hello")
    visitor = site.browser("bob")

    found = text(visitor.get("/?q=la-2"))
    assert [r.split(" Loan review")[0] for r in rows(found)] == ["Review Applicant: Grace Amount: 200"]
    assert 'name="q" value="la-2"' in found  # the form shows the filter it applied
    assert len(rows(text(visitor.get("/?process_key=hello")))) == 1
    assert len(rows(text(visitor.get("/?scope=groups")))) == 3  # the hello task is offered to nobody
    oldest = rows(text(visitor.get("/?sort=created&process_key=loans")))
    assert [r.split("Amount: ")[1][:3] for r in oldest] == ["100", "200", "300"]
    page = visitor.get("/?sort=created&process_key=loans&limit=2").get_data(as_text=True)
    assert "selected>Oldest first</option>" in page and '<option value="loans" selected>' in page
    following = unescape(re.search(r'rel="next" href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert parse_qs(urlsplit(following).query) == {
        "process_key": ["loans"],
        "sort": ["created"],
        "limit": ["2"],
        "offset": ["2"],
    }
    # A task's link carries the list it was found in.
    assert "/tasks/" in page and "list=process_key%3Dloans%26sort%3Dcreated" in page

    ignored = text(visitor.get("/?sort=size&due_before=soon&scope=everyone"))
    assert "The list cannot be sorted by “size”: newest first instead." in ignored
    assert "“soon” is no date (like 2026-05-01): not filtered by due date." in ignored
    assert "Only administrators may list every open task: showing yours." in ignored
    assert len(rows(ignored)) == 4
    assert "No open tasks match these filters." in text(visitor.get("/?q=nothing-like-this"))
    # Administrators: every open task (also as the older `all=1`).
    admin = site.browser("ada")
    assert len(rows(text(admin.get("/?scope=everyone")))) == 4
    assert len(rows(text(admin.get("/?all=1")))) == 4
    assert "Every open task" not in text(visitor.get("/"))


def test_completing_goes_to_my_next_task_then_back_to_the_filtered_list(site: Site) -> None:
    first, second, _third = start_loans(site)
    visitor = site.browser("bob")
    visitor.get("/?q=LA-1")  # the list the person looks at
    [review] = first["tasks"]
    page = text(visitor.get(f"/tasks/{review['id']}"))
    assert '<input type="hidden" name="list" value="q=LA-1">' in page
    assert '<a href="/?q=LA-1">Back to the list</a>' in page

    done = visitor.post(f"/tasks/{review['id']}", {"applicant": "Ada", "amount": "100", "list": "q=LA-1"})
    # The instance's next step is the person's too: its page comes next, saying what was done.
    [sign] = site.engine.runtime.get(first["id"])["tasks"]
    assert done.status_code == 303 and done.headers["Location"] == f"/tasks/{sign['id']}?list=q%3DLA-1"
    shown = text(visitor.get(done.headers["Location"]))
    note = re.search(r'<p class="flash flash-success task-done"[^>]*>(.*?)</p>', shown, re.S)
    assert note is not None
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", note.group(1)))
    assert words.strip() == (
        "Task “Review” completed. Follow its instance (Loan review LA-1, now waiting). "
        "This is your next task; or go back to the list."
    )
    assert f'href="/instances/{first["id"]}"' in note.group(1) and 'href="/?q=LA-1"' in note.group(1)
    assert "task-done" not in text(visitor.get(done.headers["Location"]))  # shown once

    # The last task of the filtered list: back to that list, which says so.
    last = visitor.post(f"/tasks/{sign['id']}", {"list": "q=LA-1"})
    assert last.status_code == 303 and last.headers["Location"] == "/?q=LA-1"
    listing = text(visitor.get("/?q=LA-1"))
    assert "Task “Sign” completed." in listing and "now completed" in listing
    assert "No open tasks match these filters." in listing

    # Without a filtered list, the next task is the first of the person's list.
    [other] = second["tasks"]
    visitor.get("/")
    after = visitor.post(f"/tasks/{other['id']}", {"applicant": "Grace", "amount": "200"})
    [signing] = site.engine.runtime.get(second["id"])["tasks"]
    assert after.headers["Location"] == f"/tasks/{signing['id']}"
    nothing_left = visitor.post(f"/tasks/{signing['id']}", {})
    third_review = site.engine.tasks.list(process_key="loans")["items"][0]
    assert nothing_left.headers["Location"] == f"/tasks/{third_review['id']}"


def test_a_bad_list_in_a_posted_form_is_dropped_not_followed(site: Site) -> None:
    [instance, *_] = start_loans(site)
    visitor = site.browser("bob")
    [review] = instance["tasks"]
    posted = {"applicant": "Ada", "amount": "1", "list": "//evil.example/?q=x&sort=nope"}
    done = visitor.post(f"/tasks/{review['id']}", posted)
    assert done.status_code == 303 and done.headers["Location"].startswith("/tasks/")
    assert "evil" not in done.headers["Location"] and "sort" not in done.headers["Location"]


def test_the_task_page_carries_its_instances_revision_for_the_watch(site: Site) -> None:
    [instance, *_] = start_loans(site)
    [review] = instance["tasks"]
    visitor = site.browser("bob")
    before = site.engine.tasks.get(review["id"])["instance_revision"]
    page = text(visitor.get(f"/tasks/{review['id']}"))
    assert f'data-task-watch="{review["id"]}" data-revision="{before}" hidden' in page
    site.engine.tasks.claim(review["id"], "bob", ["clerks"])
    after = site.engine.tasks.get(review["id"])["instance_revision"]
    assert after > before
    assert f'data-revision="{after}"' in text(visitor.get(f"/tasks/{review['id']}"))
