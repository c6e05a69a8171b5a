"""History: the step records what happened as append-only events; the service reads them back.

Each event names who did it: the step's user for what they did themselves (the task they
completed, the message or trigger they delivered, and the element that took it), nobody — the
engine — for what ran on automatically. A finished element that was already waiting when the
step began carries how long it took (`duration_seconds`), and a step that changed variables ends
with a `variables_changed` event (engine.runtime.variable_changes). `readable` (engine.runtime.
readable_history) turns the events into rows for people.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from ..accounts import visibility
from ..accounts.service import Principal
from ..definitions.compensation import THROWN
from ..errors import NotFound
from ..store.database import Database
from ..store.models import HistoryEvent, ProcessInstance, as_utc
from ..store.unit_of_work import UnitOfWork
from . import variable_changes
from .paths import FROM, came_from
from .readable_history import readable

_KINDS = {
    TaskState.COMPLETED: "activity_completed",
    TaskState.CANCELLED: "activity_cancelled",
    TaskState.ERROR: "activity_failed",
}
ENGINE_KINDS = frozenset({"instance_completed", "incident_raised", "job_result_ignored"})
"""Events the engine causes whoever's step it is: they are recorded with no user."""
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


class StepRecord:
    """The events of one step, collected from the workflow before pruning removes finished tasks."""

    def __init__(self, instance_id: str, user: str | None = None) -> None:
        self.instance_id = instance_id
        self.user = user
        self.events: list[dict[str, Any]] = []
        self._since = time.time()
        self._seen: set[Any] = set()
        self._waiting_since: dict[Any, float] = {}
        self._variables: dict[str, str] | None = None
        self._acted: set[str] = set()

    def begin(self, workflow: Any, variables: dict[str, Any]) -> None:
        """Note, before the change, since when each live task waits and the variables' values."""
        self._waiting_since = {
            task.id: task.last_state_change
            for wf in [workflow, *workflow.subprocesses.values()]
            for task in wf.tasks.values()
            if task.state & _LIVE
        }
        self._variables = variable_changes.snapshot(variables)

    def variables_changed(self, variables: dict[str, Any]) -> None:
        """Record what the step changed in the variables since `begin` (nothing, if it did not)."""
        if self._variables is None:
            return
        data = variable_changes.changes(self._variables, variables)
        if data is not None:
            self.add("variables_changed", data=data)

    def add(
        self,
        kind: str,
        *,
        element_id: str | None = None,
        element_name: str | None = None,
        element_type: str | None = None,
        task_id: str | None = None,
        data: dict[str, Any] | None = None,
        at: float | None = None,
    ) -> None:
        """Append one event (by the step's user, unless it is one of `ENGINE_KINDS`)."""
        if task_id is not None:
            self._acted.add(task_id)
        by_user = kind not in ENGINE_KINDS
        self._append(kind, element_id, element_name, element_type, task_id, data, at, by_user)

    def add_task_event(self, kind: str, task: Any, data: dict[str, Any] | None = None) -> None:
        """Append one event about a workflow task: its element's id, name and type, and its id."""
        spec = task.task_spec
        self.add(
            kind,
            element_id=spec.bpmn_id,
            element_name=spec.bpmn_name,
            element_type=spec.description,
            task_id=str(task.id),
            data=data,
        )

    def _append(
        self,
        kind: str,
        element_id: str | None,
        element_name: str | None,
        element_type: str | None,
        task_id: str | None,
        data: dict[str, Any] | None,
        at: float | None,
        by_user: bool,
    ) -> None:
        self.events.append(
            {
                "instance_id": self.instance_id,
                "at": datetime.fromtimestamp(at if at is not None else time.time(), UTC),
                "kind": kind,
                "element_id": element_id,
                "element_name": element_name,
                "element_type": element_type,
                "task_id": task_id,
                "user": self.user if by_user else None,
                "data": data,
            }
        )

    def collect(self, workflow: Any) -> None:
        """Record every BPMN element that finished since the last collection."""
        since, self._since = self._since, time.time()
        finished, thrown = [], []
        for wf in [workflow, *workflow.subprocesses.values()]:
            for task in wf.tasks.values():
                if task.last_state_change < since:
                    continue
                if (
                    task.has_state(TaskState.FINISHED_MASK)
                    and task.id not in self._seen
                    and task.task_spec.bpmn_id
                ):
                    finished.append(task)
                if THROWN in task.internal_data and task.internal_data[THROWN]["at"] >= since:
                    thrown.append(task)  # a compensation throw, in the step that threw it
        moments = [(t.last_state_change, t, False) for t in finished] + [
            (t.internal_data[THROWN]["at"], t, True) for t in thrown
        ]
        for at, task, compensation in sorted(moments, key=lambda m: m[0]):
            spec = task.task_spec
            if compensation:
                # What the throw compensated; nothing, when no activity it reaches had completed.
                thrown_data = task.internal_data[THROWN]
                data = {"activity": thrown_data["activity"], "handlers": thrown_data["handlers"]}
                self._append("compensation_thrown", spec.bpmn_id, None, None, str(task.id), data, at, False)
                continue
            self._seen.add(task.id)
            source = came_from(task)  # the diagram's taken flow (engine/runtime/paths.py)
            data = {FROM: source} if source else {}
            waited = self._waiting_since.get(task.id)
            if waited is not None:
                data["duration_seconds"] = round(at - waited, 3)
            task_id = str(task.id)
            self._append(
                _KINDS[task.state],
                spec.bpmn_id,
                spec.bpmn_name,
                spec.description,
                task_id,
                data or None,
                at,
                task_id in self._acted,  # what the user acted on is theirs; what ran on its own, the engine's
            )


class HistoryService:
    """Reads an instance's history."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def events(self, instance_id: str, viewer: Principal | None = None) -> list[dict[str, Any]]:
        """All events of an instance, oldest first; with `viewer`, of an instance they may see."""
        with UnitOfWork(self.db) as uow:
            visibility.check_may_see(uow, instance_id, viewer)
            rows = uow.session.scalars(
                select(HistoryEvent).where(HistoryEvent.instance_id == instance_id).order_by(HistoryEvent.id)
            ).all()
            if not rows and uow.session.get(ProcessInstance, instance_id) is None:
                raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)
            return [
                {
                    "id": r.id,
                    "at": as_utc(r.at).isoformat(),
                    "kind": r.kind,
                    "element_id": r.element_id,
                    "element_name": r.element_name,
                    "element_type": r.element_type,
                    "task_id": r.task_id,
                    "user": r.user,
                    "data": r.data,
                }
                for r in rows
            ]

    def readable(self, instance_id: str, viewer: Principal | None = None) -> list[dict[str, Any]]:
        """The instance's history as rows for people (engine.runtime.readable_history), oldest first."""
        return readable(self.events(instance_id, viewer))
