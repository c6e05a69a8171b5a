"""The model's documentation for people (issue 15 point 3, engine.definitions.documentation): the
process's and its start event's in the definition's view, a user task's in the task's view."""

from __future__ import annotations

from engine import Engine
from engine.definitions.documentation import of_process

from ..builders import flow, model

DOCUMENTED = (
    "<bpmn:documentation>Orders placed by phone.\n      Check the stock first.</bpmn:documentation>"
    '<bpmn:startEvent id="s"><bpmn:documentation>Enter the order as the customer says it.'
    "</bpmn:documentation></bpmn:startEvent>"
    + flow("s", "review")
    + '<bpmn:userTask id="review" name="Review"><bpmn:documentation>Call the customer &lt;back&gt;.'
    "</bpmn:documentation></bpmn:userTask>"
    + flow("review", "plain")
    + '<bpmn:userTask id="plain"/>'
    + flow("plain", "e")
    + '<bpmn:endEvent id="e"/>'
)


def test_the_definition_view_has_the_process_and_start_event_documentation(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": model(DOCUMENTED)})
    definition = engine.repository.get("p")
    assert definition["documentation"] == "Orders placed by phone.\nCheck the stock first."
    assert definition["start_documentation"] == "Enter the order as the customer says it."
    [listed] = engine.repository.list_latest()
    assert listed["documentation"] == definition["documentation"]


def test_a_process_without_documentation_says_none(engine: Engine) -> None:
    engine.repository.deploy(
        {"p.bpmn": model('<bpmn:startEvent id="s"/>' + flow("s", "e") + '<bpmn:endEvent id="e"/>')}
    )
    definition = engine.repository.get("p")
    assert definition["documentation"] is None and definition["start_documentation"] is None


def test_only_an_elements_own_documentation_counts() -> None:
    # The process's documentation is its direct child's, not that of the first element inside it;
    # a message start event's is not the start form's.
    body = (
        '<bpmn:startEvent id="m"><bpmn:documentation>by message</bpmn:documentation>'
        "<bpmn:messageEventDefinition/></bpmn:startEvent>"
        '<bpmn:startEvent id="s"/>'
    )
    assert of_process(model(body).decode(), "p") == {"documentation": None, "start_documentation": None}
    assert of_process(model(body).decode(), "other") == {"documentation": None, "start_documentation": None}


def test_the_task_view_has_the_tasks_documentation(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": model(DOCUMENTED)})
    [task] = engine.runtime.start("p", {})["tasks"]
    assert engine.tasks.get(task["id"])["documentation"] == "Call the customer <back>."
    [plain] = engine.tasks.complete(task["id"], {})["tasks"]
    assert engine.tasks.get(plain["id"])["documentation"] is None
