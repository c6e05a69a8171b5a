"""History: the step records what happened as append-only events; the service reads them back."""

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

_KINDS = {
    TaskState.COMPLETED: "activity_completed",
    TaskState.CANCELLED: "activity_cancelled",
    TaskState.ERROR: "activity_failed",
}


class StepRecord:
    """The events of one step, collected from the workflow before pruning removes finished tasks."""

    def __init__(self, instance_id: str, user: str | None = None) -> None:
        self.instance_id = instance_id
        self.user = user
        self.events: list[dict[str, Any]] = []
        self._since = time.time()
        self._seen: set[Any] = set()

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
        """Append one event."""
        self.events.append(
            {
                "instance_id": self.instance_id,
                "at": datetime.fromtimestamp(at if at is not None else time.time(), UTC),
                "kind": kind,
                "element_id": element_id,
                "element_name": element_name,
                "element_type": element_type,
                "task_id": task_id,
                "user": self.user,
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
                self.add(
                    "compensation_thrown", element_id=spec.bpmn_id, task_id=str(task.id), data=data, at=at
                )
                continue
            self._seen.add(task.id)
            self.add(
                _KINDS[task.state],
                element_id=spec.bpmn_id,
                element_name=spec.bpmn_name,
                element_type=spec.description,
                task_id=str(task.id),
                at=at,
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
