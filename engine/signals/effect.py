"""The signal step effect: `signal_subscriptions` kept in step with each instance, and the signals an
instance throws turned into one broadcast job each, in the step that threw them.

Like the message effect, it writes subscription rows only when the set of waiting signal tasks
changed, so a step that involves no signals runs no extra SQL.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from sqlalchemy import Table

from .. import jobs
from ..definitions import thrown_signals
from ..store import instance_rows
from ..store.models import SignalSubscription, utcnow
from ..store.unit_of_work import UnitOfWork
from ..store.wait_rows import WaitRows
from .waits import signal_name, waiting_tasks

JOB_KIND = "signal"
"""The job kind of a signal an instance threw: it is broadcast to every other instance."""
JOB_ATTEMPTS = 3
JOB_BACKOFF_SECONDS = 1.0

SUBSCRIPTIONS: Table = SignalSubscription.__table__  # type: ignore[assignment]
_ROWS = WaitRows(SUBSCRIPTIONS)


class SignalEffect:
    """Keeps `signal_subscriptions` in step with the instance, and turns thrown signals into jobs."""

    def before(self, workflow: Any | None) -> frozenset[str]:
        """The ids of the tasks that wait for a signal before the change."""
        if workflow is None:
            return frozenset()
        thrown_signals.take(workflow)  # notes of an earlier step were broadcast by it
        return frozenset(str(t.id) for t in waiting_tasks(workflow))

    def after(self, uow: UnitOfWork, workflow: Any, instance_id: str, token: frozenset[str]) -> bool:
        """Rewrite the subscriptions that changed; write a job per signal thrown; True if any."""
        waiting = {str(t.id): t for t in waiting_tasks(workflow)}

        def rows_of(task_id: str, task: Any) -> list[dict[str, Any]]:
            spec = task.task_spec
            return [
                {
                    "instance_id": instance_id,
                    "name": signal_name(spec),
                    "task_id": task_id,
                    "element_id": spec.bpmn_id,
                }
            ]

        _ROWS.sync(uow, instance_id, token, waiting, rows_of)
        if workflow.bpmn_events:
            # A signal no task of the instance caught: the broadcast job below carries it on.
            workflow.bpmn_events = [
                e for e in workflow.bpmn_events if not isinstance(e.event_definition, SignalEventDefinition)
            ]
        thrown = thrown_signals.take(workflow)
        if not thrown:
            return False
        now = utcnow()
        job_rows, history = [], []
        for name, element_id in thrown:
            row = jobs.new_job(
                JOB_KIND,
                {"name": name, "variables": {}, "exclude": instance_id},
                now,
                instance_id=instance_id,
                element_id=element_id,
                max_attempts=JOB_ATTEMPTS,
                backoff=JOB_BACKOFF_SECONDS,
            )
            job_rows.append(row)
            data = {"name": name, "job_id": row["id"]}
            history.append(instance_rows.history_row(instance_id, "signal_thrown", element_id, data, now))
        jobs.save(uow, jobs.JobPlan(insert=job_rows), now)
        instance_rows.insert_history(uow, history)
        return True
