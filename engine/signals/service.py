"""Signals: broadcast one to every instance that waits for it, and start every process it starts.

A signal, unlike a message, has no receiver in particular (BPMN 2.0 §10.5.6, Camunda's
`signalEventReceived`): each instance that waits for it — at an intermediate catch event, a
boundary event, an event-based gateway or an event subprocess's start event — receives it once
in a step of its own, and the latest version of each process with a signal start event of that
name starts one instance for it. A signal nobody waits for is lost, as BPMN has it: the
broadcast reaches nobody and says so (an empty outcome), which is no error.

A broadcast's variables become process variables of each receiver from the catching task on,
and the start variables of the instances it starts. A signal an instance throws (intermediate
or end event) reaches the catchers of that instance at once, as SpiffWorkflow delivers it, and
every other instance through a `signal` job (`effect`), which carries no variables (Camunda
passes none unless the model maps them).

Suspended and ended instances receive nothing. An instance that no longer waits when its step
runs (another step took the wait) is passed by.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .. import jobs
from ..accounts import Principal
from ..accounts.access import check_may_reach, may_send_anything
from ..errors import ConcurrentChange, EngineError, InstanceEnded, InstanceSuspended, InvalidInput, NotFound
from ..store import participants
from ..store.models import ProcessDefinition, ProcessInstance
from ..store.starters import Starters
from ..store.unit_of_work import UnitOfWork
from ..variables import check_text, check_variables
from .effect import SUBSCRIPTIONS
from .waits import is_process_start, signal_definition, signal_name, start_names

if TYPE_CHECKING:
    from ..jobs.queue import ClaimedJob
    from ..runtime.service import RuntimeService

MAX_NAME = 255
DELIVERY_ATTEMPTS = 5
"""How often one delivery is tried when another step changed the instance meanwhile."""
_NOT_RECEIVING = ("completed", "terminated", "suspended")
_S = SUBSCRIPTIONS.c
_I = ProcessInstance.__table__.c
_D = ProcessDefinition.__table__.c


class _NotWaiting(EngineError):
    """Under its lock, the instance no longer waits for the signal: nothing is changed."""


class SignalService:
    """Broadcasts signals (`engine.signals`)."""

    def __init__(self, runtime: RuntimeService, integrations_group: str = "integrations") -> None:
        self.runtime = runtime
        self.integrations_group = integrations_group
        self.db = runtime.db
        self._starters = Starters(self.db, self._start_names)

    def broadcast(
        self,
        name: str,
        variables: dict[str, Any] | None = None,
        exclude: str | None = None,
        sender: Principal | None = None,
    ) -> dict[str, Any]:
        """Deliver signal `name` to every instance that waits for it (but `exclude`), then start the
        processes whose signal start event it is; `{"delivered_to": [...], "started": [...]}`.

        A `sender` (the API's caller) is held to the rule messages are (DESIGN §6a)."""
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise InvalidInput(f"a signal needs a name of 1 to {MAX_NAME} characters")
        check_text(name, "a signal name", MAX_NAME)
        variables = dict(check_variables({} if variables is None else variables, "signal variables"))
        receivers, starts = self._receivers(name), self._starters.find(name)
        if sender is not None and not may_send_anything(sender, self.integrations_group):
            with UnitOfWork(self.db) as uow:
                outside = participants.outsiders(uow, receivers, sender.name, sender.groups)
            rights = [(key, self.runtime.repository.get(key, version)["starters"]) for key, version in starts]
            check_may_reach(f"signal '{name}'", sender, outside, rights)
        delivered = [
            instance_id
            for instance_id in receivers
            if instance_id != exclude and self._deliver_to(instance_id, name, variables)
        ]
        started = [self._start(key, version, name, variables) for key, version in starts]
        return {"delivered_to": delivered, "started": started}

    def _receivers(self, name: str) -> list[str]:
        """Instances that wait for the signal, oldest first (read from the projection)."""
        query = (
            select(_S.instance_id)
            .join_from(SUBSCRIPTIONS, ProcessInstance.__table__, _I.id == _S.instance_id)
            .where(_S.name == name, _I.status.not_in(_NOT_RECEIVING))
            .group_by(_S.instance_id, _I.started_at)
            .order_by(_I.started_at, _S.instance_id)
        )
        with UnitOfWork(self.db) as uow:
            return [row[0] for row in uow.connection.execute(query)]

    def _start_names(self, uow: UnitOfWork, definition_id: int) -> frozenset[str]:
        spec, _ = self.runtime.repository.spec(uow, definition_id)
        return start_names(spec)

    def _deliver_to(self, instance_id: str, name: str, variables: dict[str, Any]) -> bool:
        """Deliver to one instance in a step of its own; False when it no longer waits for it."""

        def change(workflow: Any, record: Any) -> None:
            receive(workflow, record, name, variables)

        for attempt in range(DELIVERY_ATTEMPTS):
            try:
                self.runtime.step(instance_id, change, None)
                return True
            except (_NotWaiting, InstanceEnded, InstanceSuspended, NotFound):
                return False
            except ConcurrentChange:
                if attempt == DELIVERY_ATTEMPTS - 1:
                    raise
        return False

    def _start(self, key: str, version: int, name: str, variables: dict[str, Any]) -> str:
        """Start an instance of `key` at its signal start event, which catches the signal."""
        instance = self.runtime.start(key, {}, version=version, at_trigger=True)
        instance_id = str(instance["id"])

        def change(workflow: Any, record: Any) -> None:
            receive(workflow, record, name, variables, start=True)

        self.runtime.step(instance_id, change, None)
        return instance_id

    def run_job(self, job: ClaimedJob) -> str:
        """Broadcast a signal an instance threw to the other instances; the job's outcome name."""
        body = job.payload
        try:
            outcome = self.broadcast(
                str(body.get("name")), dict(body.get("variables") or {}), body.get("exclude")
            )
        except EngineError as exc:
            with UnitOfWork(self.db, write=True) as uow:
                if job.attempts < job.max_attempts:
                    jobs.retry_later(uow, job, exc.message)
                    uow.commit()
                    return "retry"
                jobs.finish(uow, job, "failed", error=exc.message)
                uow.commit()
            return "failed"
        with UnitOfWork(self.db, write=True) as uow:
            jobs.finish(uow, job, "done", result=outcome)
            uow.commit()
        return "done"


def receive(workflow: Any, record: Any, name: str, variables: dict[str, Any], start: bool = False) -> None:
    """The change of a delivery: every task of the instance that waits for the signal catches it."""
    definition = SignalEventDefinition(name)
    waiting = [
        task
        for task in list(workflow.event_manager.tasks.values())
        if task.has_state(TaskState.WAITING)
        and signal_name(task.task_spec) == name
        and is_process_start(task) == start
    ]
    caught = 0
    for task in waiting:
        if not task.has_state(TaskState.WAITING):
            continue  # an earlier catch of this step ended its wait (an interrupting boundary event)
        # The task's own definition: an event-based gateway catches only the events it waits for.
        task.task_spec.catch(task, BpmnEvent(signal_definition(task.task_spec) or definition))
        task.task_spec._update(task)
        if variables:
            # Camunda: the signal's variables become process variables from the catching task on.
            task.data.update(copy.deepcopy(variables))
        caught += 1
        record.add_task_event("signal_received", task, {"name": name, "variables": variables})
    if not caught:
        raise _NotWaiting(f"no task waits for signal '{name}'")
