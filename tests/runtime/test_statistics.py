"""The cockpit's figures (engine.runtime.statistics): per definition, per element, and the unended
instances of a version, counted from the projection rows and limited to what a viewer may see."""

from __future__ import annotations

import pytest

from engine import Engine
from engine.accounts import Principal
from engine.errors import InvalidInput, NotFound

from ..builders import flow, model

ROUTES = ("check", "call", "wait", "timer")


def routed(name: str = "Stats") -> bytes:
    """A process whose variable `route` sends each instance to one kind of wait: a user task, a
    call activity whose process is missing (an incident), a message, a timer."""
    conditions = "".join(flow("g", r, f'route == "{r}"') for r in ROUTES[1:])
    xml = model(
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="g_check"/>'
        '<bpmn:userTask id="check" name="Check" camunda:candidateGroups="clerks"/>'
        '<bpmn:callActivity id="call" calledElement="missing"/>'
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:intermediateCatchEvent>"
        '<bpmn:intermediateCatchEvent id="timer"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        '<bpmn:endEvent id="e"/>'
        + flow("s", "g")
        + flow("g", "check")
        + conditions
        + "".join(flow(r, "e") for r in ROUTES),
        key="stats",
    )
    return xml.replace(b"<bpmn:process", b'<bpmn:message id="m" name="go"/><bpmn:process').replace(
        b'id="stats"', f'id="stats" name="{name}"'.encode()
    )


def start_all(engine: Engine, starter: str | None = None) -> dict[str, str]:
    """One instance per route; their ids by route."""
    return {
        r: engine.runtime.start("stats", {"route": r}, user=starter, business_key=f"B-{r}")["id"]
        for r in ROUTES
    }


def by_element(figures: dict[str, object]) -> dict[str, tuple[int, int]]:
    elements = figures["elements"]
    assert isinstance(elements, list)
    return {e["element_id"]: (e["instances"], e["incidents"]) for e in elements}


def test_per_element_counts_come_from_tasks_jobs_subscriptions_and_incidents(engine: Engine) -> None:
    engine.repository.deploy({"s.bpmn": routed()})
    ids = start_all(engine)
    engine.runtime.start("stats", {"route": "check"})
    figures = engine.statistics.elements("stats")
    assert figures["key"] == "stats" and figures["version"] == 1 and figures["name"] == "Stats"
    assert figures["instances"] == 5 and figures["incidents"] == 1 and figures["suspended"] == 0
    assert by_element(figures) == {"check": (2, 0), "call": (1, 1), "wait": (1, 0), "timer": (1, 0)}
    assert figures["elements"][0]["element_id"] == "check"  # the busiest first

    # An ended instance counts nowhere; a suspended one still waits where it was.
    engine.runtime.terminate(ids["wait"], reason="not needed")
    engine.runtime.suspend(ids["timer"])
    figures = engine.statistics.elements("stats")
    assert by_element(figures) == {"check": (2, 0), "call": (1, 1), "timer": (1, 0)}
    assert figures["instances"] == 4 and figures["suspended"] == 1


def test_definitions_list_every_version_with_its_figures(engine: Engine) -> None:
    engine.repository.deploy({"s.bpmn": routed()})
    start_all(engine)
    engine.repository.deploy({"s.bpmn": routed("Stats two")})
    engine.runtime.start("stats", {"route": "call"})
    [stats] = engine.statistics.definitions()
    assert stats["key"] == "stats" and stats["name"] == "Stats two" and stats["latest_version"] == 2
    assert (stats["instances"], stats["incidents"]) == (5, 2)
    assert [(v["version"], v["instances"], v["incidents"]) for v in stats["versions"]] == [
        (2, 1, 1),
        (1, 4, 1),
    ]
    assert by_element(engine.statistics.elements("stats", 1))["call"] == (1, 1)
    assert by_element(engine.statistics.elements("stats")) == {"call": (1, 1)}
    assert engine.statistics.definitions(key="stats") == [stats]
    assert engine.statistics.definitions(key="other") == []


def test_the_running_list_pages_and_filters_by_element(engine: Engine) -> None:
    engine.repository.deploy({"s.bpmn": routed()})
    ids = start_all(engine)
    everything = engine.statistics.running("stats")
    assert everything["total"] == 4 and {i["id"] for i in everything["items"]} == set(ids.values())
    [at_call] = engine.statistics.running("stats", element_id="call")["items"]
    assert at_call["id"] == ids["call"] and at_call["status"] == "incident" and at_call["incidents"] == 1
    assert at_call["business_key"] == "B-call"
    page = engine.statistics.running("stats", limit=3, offset=3)
    assert page["total"] == 4 and len(page["items"]) == 1
    assert engine.statistics.running("stats", element_id="nothing-here")["total"] == 0
    with pytest.raises(InvalidInput):
        engine.statistics.running("stats", limit=0)


def test_a_viewer_counts_only_the_instances_they_may_see(engine: Engine) -> None:
    engine.repository.deploy({"s.bpmn": routed()})
    start_all(engine, starter="dora")  # dora started these; the task is the clerks'
    engine.runtime.start("stats", {"route": "call"}, user="erik")
    dora, bob, carol = Principal("dora"), Principal("bob", ("clerks",)), Principal("carol", ("managers",))

    assert by_element(engine.statistics.elements("stats", viewer=dora)) == {
        "check": (1, 0),
        "call": (1, 1),
        "wait": (1, 0),
        "timer": (1, 0),
    }
    assert by_element(engine.statistics.elements("stats", viewer=bob)) == {"check": (1, 0)}
    assert engine.statistics.running("stats", viewer=bob)["total"] == 1
    [listed] = engine.statistics.definitions(viewer=bob)
    assert (listed["instances"], listed["incidents"]) == (1, 0)
    assert engine.statistics.definitions(viewer=Principal("ada", admin=True))[0]["incidents"] == 2
    # carol sees no instance of it; anyone may start it, so its model (and zeros) are hers to read.
    assert engine.statistics.elements("stats", viewer=carol)["elements"] == []


def test_unknown_definitions_and_versions_are_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound):
        engine.statistics.elements("nothing")
    engine.repository.deploy({"s.bpmn": routed()})
    with pytest.raises(NotFound):
        engine.statistics.elements("stats", 9)
    with pytest.raises(NotFound):
        engine.statistics.running("stats", 9)
    assert engine.statistics.definitions()[0]["instances"] == 0


def test_a_model_its_viewer_may_not_read_is_not_found(engine: Engine) -> None:
    restricted = routed().replace(
        b'isExecutable="true"', b'isExecutable="true" camunda:candidateStarterGroups="managers"'
    )
    engine.repository.deploy({"s.bpmn": restricted})
    ids = start_all(engine, starter="dora")
    with pytest.raises(NotFound):
        engine.statistics.elements("stats", viewer=Principal("erik"))
    with pytest.raises(NotFound):
        engine.statistics.running("stats", viewer=Principal("erik"))
    assert engine.statistics.elements("stats", viewer=Principal("carol", ("managers",)))["instances"] == 0
    assert engine.statistics.running("stats", viewer=Principal("dora"))["total"] == len(ids)
