"""The message step effect: `message_subscriptions` kept in step with each instance, and the
messages an instance throws turned into `message` jobs in the step that threw them.

It compares the waiting message tasks before and after a step and writes rows only when that set
changed, so a step that involves no messages runs no extra SQL.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition

from .. import jobs
from ..errors import StepFailed
from ..store import instance_rows
from ..store.models import MessageSubscription, utcnow
from ..store.unit_of_work import UnitOfWork
from ..store.wait_rows import WaitRows
from ..variables import check_json
from .waits import (
    correlation_keys,
    correlations_of,
    first_line,
    message_definitions,
    process_variables,
    subscribed_tasks,
)

JOB_KIND = "message"
"""The job kind of a message an instance threw."""
JOB_ATTEMPTS = 3
"""Tries of a thrown message's job (a receiver's failing step, a conflict) before it fails."""
JOB_BACKOFF_SECONDS = 1.0

_ROWS = WaitRows(MessageSubscription.__table__)  # type: ignore[arg-type]


# -- the step effect --------------------------------------------------------------------------------


class SubscriptionEffect:
    """Keeps `message_subscriptions` in step with the instance, and turns thrown messages into jobs."""

    def before(self, workflow: Any | None) -> frozenset[str]:
        """The ids of the tasks that wait for a message before the change."""
        if workflow is None:
            return frozenset()
        # Messages thrown in an earlier step were saved with its state after they became jobs.
        _take_thrown(workflow)
        return frozenset(str(t.id) for t in subscribed_tasks(workflow))

    def after(self, uow: UnitOfWork, workflow: Any, instance_id: str, token: frozenset[str]) -> bool:
        """Rewrite the subscriptions that changed; write a job per message thrown; True if any."""
        waiting = {str(t.id): t for t in subscribed_tasks(workflow)}

        def rows_of(task_id: str, task: Any) -> list[dict[str, Any]]:
            element = task.task_spec.bpmn_id
            return [
                {
                    "instance_id": instance_id,
                    "name": name,
                    "task_id": task_id,
                    "element_id": element,
                    "correlation": c,
                }
                for name, c in correlations_of(task).items()
            ]

        _ROWS.sync(uow, instance_id, token, waiting, rows_of)
        thrown = _take_thrown(workflow)
        if not thrown:
            return False
        now = utcnow()
        job_rows, history = [], []
        for event in thrown:
            row, record = _thrown_job(workflow, instance_id, event, now)
            job_rows.append(row)
            history.append(record)
        jobs.save(uow, jobs.JobPlan(insert=job_rows), now)
        instance_rows.insert_history(uow, history)
        return True


def _take_thrown(workflow: Any) -> list[Any]:
    """Remove the message events no task of the instance caught from the workflow; return them."""
    events = workflow.bpmn_events
    if not events:
        return []
    thrown = [e for e in events if isinstance(e.event_definition, MessageEventDefinition)]
    if thrown:
        workflow.bpmn_events = [
            e for e in events if not isinstance(e.event_definition, MessageEventDefinition)
        ]
    return thrown


def _thrown_job(
    workflow: Any, instance_id: str, event: Any, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The job that delivers a thrown message, and the thrower's history event for it."""
    definition = event.event_definition
    spec = _thrower(workflow, definition)
    element = getattr(spec, "bpmn_id", None)
    body: dict[str, Any] = {"name": definition.name}
    if getattr(definition, "expression", None) is not None:
        # SpiffArena: the messagePayload expression, and the correlations computed from it.
        payload = event.payload
        body["correlation"] = {
            prop: value
            for group in (event.correlations or {}).values()
            if isinstance(group, dict)
            for prop, value in group.items()
        }
        body["variables"] = copy.deepcopy(payload) if isinstance(payload, dict) else {}
        body["payload"] = copy.deepcopy(payload)
    else:
        variables = process_variables(workflow)
        body["correlation"] = {}
        body["variables"] = copy.deepcopy(variables)
        source = correlation_keys(spec).get(definition.name)
        if source is not None:
            try:
                key = workflow.script_engine.environment.evaluate(source, dict(variables))
            except Exception as exc:
                raise StepFailed(
                    f"task '{element}': the correlation key of message '{definition.name}' failed: "
                    f"{first_line(exc)}",
                    element=element,
                ) from exc
            body["correlation"]["key"] = key
    check_json(body, f"message '{definition.name}' thrown at '{element}'")
    row = jobs.new_job(
        JOB_KIND,
        body,
        now,
        instance_id=instance_id,
        element_id=element,
        max_attempts=JOB_ATTEMPTS,
        backoff=JOB_BACKOFF_SECONDS,
    )
    history = instance_rows.history_row(
        instance_id,
        "message_thrown",
        element,
        {"name": definition.name, "correlation": body["correlation"], "job_id": row["id"]},
        now,
    )
    return row, history


def _thrower(workflow: Any, definition: Any) -> Any:
    """The task spec whose event definition is `definition` (an object of the spec)."""
    for spec in [workflow.spec, *workflow.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if any(d is definition for d in message_definitions(task_spec)):
                return task_spec
    return None
