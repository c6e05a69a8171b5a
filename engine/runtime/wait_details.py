"""What an instance waits for, in words: each wait's element name, and what reaches a message wait.

The instance view (`RuntimeService.get`, the API's shape) keeps its waits as the step saved them;
the pages want more. `WaitService.describe` adds to copies of the waits the name each element
has in the model (read from the definition's spec, which the repository keeps in memory) and,
to a message wait, `deliver`: the message name and the correlation values that reach it.
"""

from __future__ import annotations

from typing import Any

from ..definitions.repository import RepositoryService
from ..store.database import Database
from ..store.unit_of_work import UnitOfWork

MESSAGE_EVENT = "MessageEventDefinition"
"""The `event_type` of a message wait."""


class WaitService:
    """Describes an instance's waits for people (see the module's text)."""

    def __init__(self, db: Database, repository: RepositoryService) -> None:
        self.db = db
        self.repository = repository

    def describe(self, instance: dict[str, Any]) -> list[dict[str, Any]]:
        """Copies of the waits of `instance` (as `RuntimeService.get` shows it, for a viewer who may
        see it), each with `element_name` (None when the element has no name) and, on a message
        wait, `deliver` (`deliver_with`)."""
        with UnitOfWork(self.db) as uow:
            definition = self.repository.definition(uow, instance["key"], instance["version"])
            names = element_names(*self.repository.spec(uow, definition.id))
        described = []
        for wait in instance.get("waiting") or []:
            wait = dict(wait, element_name=names.get(wait.get("element_id") or ""))
            if wait.get("event_type") == MESSAGE_EVENT and wait.get("name"):
                wait["deliver"] = deliver_with(wait, instance.get("business_key"))
            described.append(wait)
        return described


def element_names(spec: Any, subprocess_specs: dict[str, Any]) -> dict[str, str]:
    """BPMN element id → name, over a definition's process and its subprocesses (named ones only)."""
    names: dict[str, str] = {}
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            if task_spec.bpmn_id and task_spec.bpmn_name:
                names.setdefault(task_spec.bpmn_id, task_spec.bpmn_name)
    return names


def deliver_with(wait: dict[str, Any], business_key: str | None) -> dict[str, Any]:
    """The `name` and `correlation` of a message that reaches a message wait: the wait's own
    correlation values, else the instance's business key, else none — a message then reaches
    every instance waiting for it (engine.messages.waits.matches)."""
    correlation = dict(wait.get("correlation") or {})
    if not correlation and business_key:
        correlation["business_key"] = business_key
    return {"name": wait["name"], "correlation": correlation}
