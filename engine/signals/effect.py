"""The signal step effect: `signal_subscriptions` kept in step with each instance, and the signals an
instance throws turned into one broadcast job each, in the step that threw them.

Like the message effect, it writes subscription rows only when the set of waiting signal tasks
changed, so a step that involves no signals runs no extra SQL.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from sqlalchemy import Table, bindparam, delete, insert

from .. import jobs
from ..definitions import thrown_signals
from ..store import instance_rows
from ..store.models import SignalSubscription, utcnow
from ..store.statements import Prepared
from ..store.unit_of_work import UnitOfWork
from .waits import signal_name, waiting_tasks

JOB_KIND = "signal"
"""The job kind of a signal an instance threw: it is broadcast to every other instance."""
JOB_ATTEMPTS = 3
JOB_BACKOFF_SECONDS = 1.0

SUBSCRIPTIONS: Table = SignalSubscription.__table__  # type: ignore[assignment]
_S = SUBSCRIPTIONS.c
_INSERT = Prepared(insert(SUBSCRIPTIONS))
_DELETE = Prepared(
    delete(SUBSCRIPTIONS).where(_S.instance_id == bindparam("b_instance"), _S.task_id == bindparam("b_task"))
)


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
        if waiting.keys() != token:
            gone = [{"b_instance": instance_id, "b_task": task_id} for task_id in token - waiting.keys()]
            if gone:
                _DELETE.execute_many(uow.connection, gone)
            rows = [
                {
                    "instance_id": instance_id,
                    "name": signal_name(task.task_spec),
                    "task_id": task_id,
                    "element_id": task.task_spec.bpmn_id,
                }
                for task_id, task in waiting.items()
                if task_id not in token
            ]
            if rows:
                _INSERT.execute_many(uow.connection, rows)
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
