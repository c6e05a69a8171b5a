"""Triggers: move an instance on at a receive task that waits (Camunda 7's `runtimeService.signal`).

A receive task that names no message is a wait state in Camunda 7, Flowable and plain BPMN models
(`definitions.receive_tasks`); a trigger at its element ends that wait and the flow runs on, in
one step of the one step path (`RuntimeService.step`: lock, restore, apply, advance, save). As
Camunda 7's signal does, a trigger also moves on a receive task that waits for its message, at
that one task and without a message.

- The trigger's variables are written as a completion's are: checked as every outside value is,
  set on the waiting task, and so on the process's variables when it runs on (its local variables,
  its input mappings' names, stay local); its output mappings then apply.
- Several tasks may wait at one element (a parallel multi-instance receive task): a trigger moves
  one on, the one `task_id` names (as the instance's `waiting` lists it), else the first that began
  to wait. Each trigger is its own step.
- Refusals: an unknown instance, or one the sender may not see, is NotFound; an element the process
  does not have, or that is no receive task, is InvalidInput; a receive task not waiting there now
  (a trigger that came twice) is NotWaiting (409), and nothing changes; an ended or suspended
  instance gets the refusal every step gives.
- Who (DESIGN §6a), as for delivering a message: administrators, members of the integrations group,
  and the instance's participants; to anyone else the instance does not exist (NotFound).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from SpiffWorkflow.util.task import TaskState

from ..accounts import Principal
from ..accounts.access import may_send_anything
from ..definitions.receive_tasks import fire, is_receive_task, waits_at
from ..errors import InvalidInput, NotFound, NotWaiting
from ..messages.service import INTEGRATIONS_GROUP
from ..store import instance_rows, participants
from ..store.unit_of_work import UnitOfWork
from ..variables import check_text, check_variables
from .history import StepRecord
from .projections import live_tasks

if TYPE_CHECKING:
    from .service import RuntimeService


class TriggerService:
    """Moves instances on at their waiting receive tasks."""

    def __init__(self, runtime: RuntimeService, integrations_group: str = INTEGRATIONS_GROUP) -> None:
        self.runtime = runtime
        self.integrations_group = integrations_group

    def trigger(
        self,
        instance_id: str,
        element_id: str,
        variables: dict[str, Any] | None = None,
        task_id: str | None = None,
        sender: Principal | None = None,
    ) -> dict[str, Any]:
        """Move the instance on at the receive task waiting at `element_id` (the one `task_id`
        names, else the first) with `variables`, run it to its next wait state and return it (as a
        completed task's step returns it). `sender` (None: the engine's own caller) must be allowed (module
        docstring); the history records them."""
        check_text(element_id, "element_id")
        if task_id is not None:
            check_text(task_id, "task_id")
        values = check_variables(dict(variables or {}), "trigger variables")

        def lock(uow: UnitOfWork) -> instance_rows.LockedInstance:
            locked = instance_rows.lock_instance(uow, instance_id)
            self._check_sender(uow, instance_id, sender)
            return locked

        def change(workflow: Any, record: StepRecord) -> None:
            trigger_at(workflow, record, element_id, values, task_id)

        return self.runtime.step(lock, change, sender.name if sender is not None else None)

    def _check_sender(self, uow: UnitOfWork, instance_id: str, sender: Principal | None) -> None:
        if sender is None or may_send_anything(sender, self.integrations_group):
            return
        if not participants.takes_part(uow, instance_id, sender.name, sender.groups):
            raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)


def trigger_at(
    workflow: Any,
    record: StepRecord,
    element_id: str,
    variables: dict[str, Any],
    task_id: str | None = None,
) -> None:
    """The change of a trigger: the receive task waiting at `element_id` (`task_id`, else the
    first) takes `variables` and its wait ends; the step's run then moves it on."""
    task = _waiting_task(workflow, record.instance_id, element_id, task_id)
    record.add_task_event("triggered", task, {"variables": variables})
    task.data.update(variables)
    fire(task)


def _waiting_task(workflow: Any, instance_id: str, element_id: str, task_id: str | None) -> Any:
    waiting = [
        task
        for task in live_tasks(workflow, TaskState.WAITING)
        if task.task_spec.bpmn_id == element_id and waits_at(task)
    ]
    if task_id is not None:
        waiting = [task for task in waiting if str(task.id) == task_id]
    if waiting:
        return waiting[0]
    specs = [spec for process in _process_specs(workflow) for spec in process.task_specs.values()]
    found = [spec for spec in specs if spec.bpmn_id == element_id]
    if not found:
        raise InvalidInput(
            f"instance {instance_id}'s process has no element '{element_id}'",
            instance_id=instance_id,
            element_id=element_id,
        )
    if not any(is_receive_task(spec) for spec in found):
        raise InvalidInput(
            f"element '{element_id}' is a {found[0].description}, not a receive task: only a "
            "receive task is triggered",
            instance_id=instance_id,
            element_id=element_id,
        )
    which = f"task {task_id} at " if task_id is not None else ""
    raise NotWaiting(
        f"instance {instance_id} does not wait at {which}receive task '{element_id}'",
        instance_id=instance_id,
        element_id=element_id,
        task_id=task_id,
    )


def _process_specs(workflow: Any) -> list[Any]:
    return [workflow.spec, *workflow.subprocess_specs.values()]
