"""Called processes, found when a call activity is reached (Camunda's late binding).

A call activity calls the latest deployed version of its process unless its model binds it
otherwise (`definitions.call_activity`); a calledElement expression names the process when the
activity is reached. When the step reaches it, `CalledProcesses` puts
that version's specs among the workflow's own (a copy: the definition's specs are shared) and
notes which definition it was in `workflow.called_definitions`, which the instance state keeps,
so a restored instance runs the same version. When no such process is deployed, the task waits
with an incident naming it; deploying the process and retrying the incident continues.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..definitions.state_codec import with_called
from ..errors import NotFound
from ..jobs.outbox import INCIDENT
from ..store.models import utcnow
from ..store.unit_of_work import UnitOfWork


class CalledProcesses:
    """The script engine's `called_process` for one step: resolves a call activity's process."""

    def __init__(self, uow: UnitOfWork, repository: Any) -> None:
        self.uow = uow
        self.repository = repository
        self.raised: list[Any] = []
        """The tasks this step marked with an incident, whose rows its transaction writes."""

    def __call__(self, task: Any, spec: Any, key: Any) -> bool:
        """Make process `key`, which `spec` calls (its calledElement, or the value its expression
        gave), available to the workflow; False (and an incident on the task) when none is deployed."""
        top = task.workflow.top_workflow
        binding = spec.binding
        named = f" (its calledElement {spec.spec!r})" if key != spec.spec else ""
        if not isinstance(key, str) or not key.strip():
            return self._incident(
                task, f"call activity '{spec.bpmn_id}'{named} names {key!r}, not a process id"
            )
        if binding.get("binding") == "deployment" and key in top.subprocess_specs:
            return True  # the version deployed with the caller, bundled in its definition
        try:
            row = self.repository.definition(self.uow, key, binding.get("version"))
        except NotFound as exc:
            which = f" version {binding['version']}" if binding.get("version") else ""
            return self._incident(
                task, f"call activity '{spec.bpmn_id}' calls process '{key}'{which}{named}: {exc.message}"
            )
        top.subprocess_specs = with_called(top.subprocess_specs, key, self.repository.spec(self.uow, row.id))
        top.called_definitions = {**(getattr(top, "called_definitions", None) or {}), key: row.id}
        return True

    def _incident(self, task: Any, error: str) -> bool:
        task.internal_data[INCIDENT] = {"id": str(uuid.uuid4()), "error": error, "job_id": None}
        self.raised.append(task)
        return False

    def incident_rows(self, instance_id: str) -> list[dict[str, Any]]:
        """The rows of the incidents this step raised (their tasks keep the marks)."""
        now = utcnow()
        return [
            {
                "id": task.internal_data[INCIDENT]["id"],
                "instance_id": instance_id,
                "job_id": None,
                "task_id": str(task.id),
                "element_id": task.task_spec.bpmn_id,
                "error": task.internal_data[INCIDENT]["error"],
                "status": "open",
                "created_at": now,
                "resolved_at": None,
            }
            for task in self.raised
        ]
