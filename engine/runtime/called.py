"""Called processes, found when a call activity is reached (Camunda's late binding).

A call activity calls the latest deployed version of its process unless its model binds it
otherwise (`definitions.specs.CallActivity`). When the step reaches it, `CalledProcesses` puts
that version's specs among the workflow's own (a copy: the definition's specs are shared) and
notes which definition it was in `workflow.called_definitions`, which the instance state keeps,
so a restored instance runs the same version. When no such process is deployed, the task waits
with an incident naming it; deploying the process and retrying the incident continues.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ..errors import NotFound
from ..jobs.outbox import INCIDENT
from ..store.models import utcnow
from ..store.unit_of_work import UnitOfWork

PENDING = "pending"
"""Marks an incident the step raised itself, whose row the step's transaction still has to write."""


class CalledProcesses:
    """The script engine's `called_process` for one step: resolves a call activity's process."""

    def __init__(self, uow: UnitOfWork, repository: Any) -> None:
        self.uow = uow
        self.repository = repository

    def __call__(self, task: Any, spec: Any) -> bool:
        """Make the process `spec` calls available to the workflow; False (and an incident on the
        task) when none is deployed."""
        top = task.workflow.top_workflow
        key = spec.spec
        binding = spec.binding
        if binding.get("binding") == "deployment" and key in top.subprocess_specs:
            return True  # the version deployed with the caller, bundled in its definition
        try:
            row = self.repository.definition(self.uow, key, binding.get("version"))
        except NotFound as exc:
            which = f" version {binding['version']}" if binding.get("version") else ""
            error = f"call activity '{spec.bpmn_id}' calls process '{key}'{which}: {exc.message}"
            task.internal_data[INCIDENT] = {
                "id": str(uuid.uuid4()),
                "error": error,
                "job_id": None,
                PENDING: True,
            }
            return False
        add_called(top, key, row.id, lambda definition_id: self.repository.spec(self.uow, definition_id))
        return True


def add_called(
    workflow: Any, key: str, definition_id: int, load: Callable[[int], tuple[Any, dict[str, Any]]]
) -> None:
    """Put definition `definition_id`'s specs among the workflow's under `key`, and note it."""
    called_spec, called_subprocesses = load(definition_id)
    specs = dict(workflow.subprocess_specs)  # the definition's own dict is shared by its instances
    for name, subprocess_spec in called_subprocesses.items():
        specs.setdefault(name, subprocess_spec)
    specs[key] = called_spec
    workflow.subprocess_specs = specs
    called = dict(getattr(workflow, "called_definitions", None) or {})
    called[key] = definition_id
    workflow.called_definitions = called


def raised_incidents(workflow: Any, instance_id: str) -> list[dict[str, Any]]:
    """The incident rows for the incidents this step raised itself (their tasks keep the marks)."""
    rows = []
    now = utcnow()
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            mark = task.internal_data.get(INCIDENT)
            if isinstance(mark, dict) and mark.pop(PENDING, False):
                rows.append(
                    {
                        "id": mark["id"],
                        "instance_id": instance_id,
                        "job_id": None,
                        "task_id": str(task.id),
                        "element_id": task.task_spec.bpmn_id,
                        "error": mark["error"],
                        "status": "open",
                        "created_at": now,
                        "resolved_at": None,
                    }
                )
    return rows
