"""The cockpit pages (web.pages.cockpit): figures per process and per element, the running
instances of a version, and bulk actions with a confirmation (administrators only)."""

from __future__ import annotations

import json
import re

import pytest

from engine import Engine

from ..runtime.test_statistics import routed, start_all
from .test_pages import Site, text


@pytest.fixture
def site(engine: Engine) -> Site:
    """The pages over the `engine` fixture's database, with the routed process deployed."""
    made = Site(engine)
    made.deploy(("s.bpmn", routed()))
    return made


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert found, name
    return found.group(1)


def test_the_overview_counts_what_each_viewer_may_see(site: Site) -> None:
    start_all(site.engine, starter="bob")
    site.engine.runtime.start("stats", {"route": "call"})
    admin = text(site.browser("ada").get("/cockpit"))
    assert '<a href="/cockpit" aria-current="page">Cockpit</a>' in admin
    assert "Figures count every instance." in admin and '<a href="/cockpit/stats">Stats</a>' in admin
    assert (figure(admin, "instances"), figure(admin, "incidents")) == ("5", "2")

    bob = text(site.browser("bob").get("/cockpit"))
    assert "Figures count the instances you may see" in bob
    assert (figure(bob, "instances"), figure(bob, "incidents")) == ("4", "1")
    carol = text(site.browser("carol").get("/cockpit"))
    assert (figure(carol, "instances"), figure(carol, "incidents")) == ("0", "0")


def test_a_definition_shows_its_heat_map_and_running_instances(site: Site) -> None:
    ids = start_all(site.engine, starter="bob")
    site.deploy(("s.bpmn", routed("Stats two")))
    page = text(site.browser("ada").get("/cockpit/stats?version=1"))
    heat = json.loads(re.search(r"data-heat='([^']*)'", page).group(1))  # type: ignore[union-attr]
    assert heat == {
        "call": {"instances": 1, "incidents": 1},
        "check": {"instances": 1, "incidents": 0},
        "timer": {"instances": 1, "incidents": 0},
        "wait": {"instances": 1, "incidents": 0},
    }
    assert 'id="heat-xml"' in page and "/static/cockpit.js" in page
    assert "bpmn-navigated-viewer.production.min.js" in page
    assert (
        '<a href="/cockpit/stats?version=2">v2</a>' in page
        and '<strong aria-current="page">v1</strong>' in page
    )
    assert all(f'data-instance="{i}"' in page for i in ids.values())
    assert page.count('name="instance"') == 4 and "Terminate…" in page

    at_call = text(site.browser("ada").get("/cockpit/stats?version=1&element=call"))
    assert "Instances at <code>call</code>" in at_call and 'data-selected="call"' in at_call
    assert f'data-instance="{ids["call"]}"' in at_call and f'data-instance="{ids["check"]}"' not in at_call
    assert '<tr data-element="call" class="selected">' in at_call
    latest = text(site.browser("ada").get("/cockpit/stats"))
    assert "Stats two <span" in latest and "No running instance." in latest

    # bob sees his instances, and no way to act on them; an unknown process is a page, not a crash.
    bob = site.browser("bob")
    his = text(bob.get("/cockpit/stats?version=1"))
    assert his.count("data-instance=") == 4 and 'name="instance"' not in his and "Terminate…" not in his
    missing = bob.get("/cockpit/nothing")
    assert missing.status_code == 404 and "Cockpit" in text(missing)


def test_bulk_actions_ask_first_then_report_each_instance(site: Site) -> None:
    ids = start_all(site.engine, starter="bob")
    site.engine.runtime.suspend(ids["wait"])
    ada = site.browser("ada")
    ada.get("/cockpit/stats")
    chosen = [ids["check"], ids["wait"], ids["call"]]

    asked = ada.post("/cockpit/bulk", {"action": "suspend", "instance": chosen, "back": "/cockpit/stats"})
    assert asked.status_code == 200
    body = text(asked)
    assert "<h1>Suspend 2 instances?</h1>" in body and "Nothing has happened yet." in body
    assert "Refused: it is suspended already" in body and body.count("Will be suspended") == 2
    assert "Stats B-check" in body
    assert site.engine.runtime.get(ids["check"])["status"] == "waiting"  # nothing changed yet
    hidden = re.findall(r'<input type="hidden" name="instance" value="([^"]+)">', body)
    assert hidden == [ids["check"], ids["call"]]  # only what may be done is confirmed

    done = ada.post("/cockpit/bulk/run", {"action": "suspend", "instance": hidden, "back": "/cockpit/stats"})
    assert done.status_code == 200 and "<h1>Suspend: 2 of 2 done</h1>" in text(done)
    assert site.engine.runtime.get(ids["call"])["status"] == "suspended"

    asked = text(ada.post("/cockpit/bulk", {"action": "terminate", "instance": [ids["timer"], ids["call"]]}))
    assert '<label for="bulk-reason">Reason for terminating them' in asked
    assert 'name="reason"' in asked and "Terminating cannot be undone." in asked
    # Between the confirmation and the run one instance ends: it is refused, the other is done.
    site.engine.runtime.terminate(ids["timer"])
    ran = text(
        ada.post(
            "/cockpit/bulk/run",
            {"action": "terminate", "instance": [ids["timer"], ids["call"]], "reason": "dupes"},
        )
    )
    assert "<h1>Terminate: 1 of 2 done</h1>" in ran and "Refused: it has terminated already" in ran
    assert "Done: terminated" in ran and "<q>dupes</q>" in ran
    [event] = [e for e in site.engine.history.events(ids["call"]) if e["kind"] == "instance_terminated"]
    assert event["data"]["reason"] == "dupes" and event["user"] == "ada"

    retry = text(ada.post("/cockpit/bulk", {"action": "retry", "instance": [ids["check"]]}))
    assert "Refused: it is suspended: resume it first" in retry and "None of the selected instances" in retry


def test_bulk_actions_are_refused_to_others_and_need_a_selection(site: Site) -> None:
    ids = start_all(site.engine, starter="bob")
    bob = site.browser("bob")
    bob.get("/cockpit")
    refused = bob.post("/cockpit/bulk/run", {"action": "terminate", "instance": [ids["check"]]})
    assert refused.status_code == 403
    assert "Only administrators may act on many instances at once" in text(refused)
    assert site.engine.runtime.get(ids["check"])["status"] == "waiting"

    ada = site.browser("ada")
    ada.get("/cockpit")
    empty = ada.post("/cockpit/bulk", {"action": "suspend", "back": "/cockpit/stats"})
    assert empty.status_code == 400 and "select at least one instance" in text(empty)
    odd = ada.post("/cockpit/bulk", {"action": "delete", "instance": [ids["check"]]})
    assert odd.status_code == 400 and "retry, suspend, terminate" in text(odd)
    # The way back is a path on this site only.
    away = text(
        ada.post("/cockpit/bulk", {"action": "suspend", "instance": [ids["check"]], "back": "//evil.example"})
    )
    assert "//evil.example" not in away and 'href="/cockpit">No, go back' in away
