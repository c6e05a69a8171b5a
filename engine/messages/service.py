"""Messages: correlate a message by name and correlation values to the instances that wait for it, or
start the processes whose start event it is; messages an instance throws reach the others through a job.

Waits. Catch events, receive tasks, boundary events and event-based gateways wait for a message;
each such wait is a row of `message_subscriptions`, kept as a projection by `SubscriptionEffect`,
a step effect: it compares the waiting message tasks before and after a step and writes rows only
when that set changed, so a step that involves no messages runs no extra SQL. (An instance started
for a message waits at its message start event only until the next step catches that message;
that wait is no subscription, so no other message can take it.) The instance view lists every
message wait with its correlation values (`message_waits`). A wait's values are fixed when it
begins:

- SpiffArena models: the message's correlation properties, with the values the instance's
  conversation has (`{"order_id": 7}`);
- Camunda 8 models: the message's `zeebe:subscription correlationKey`, evaluated in the waiting
  task's scope, under the name `key` (`{"key": 7}`); the parser keeps the translated expression
  on the task specs (`attach_correlation_keys`);
- Camunda 7 and plain BPMN models: none (`{}`); Camunda correlates on process variables and the
  business key, and so does the matching below.

Matching. A message matches a wait when the names are equal and every correlation value the
message gives equals the wait's value of that name or, where the wait has none, the instance's
variable of that name (`business_key`: the instance's business key). Zeebe keys are strings, so a
number and its decimal text are equal; otherwise values compare as JSON does.

Delivery. Each matching instance receives the message in a step of its own (`RuntimeService.step`),
which re-checks the match under the instance's lock, makes the waiting task catch it and merges the
message's variables into the process variables (as Camunda does); where the catching event names a
`spiffworkflow:messageVariable`, the message's payload goes there instead (as SpiffArena does).
Within an instance, one correlation reaches one wait, the oldest it matches (Camunda 7 correlates
to one execution, Zeebe to one subscription per instance); in SpiffArena models every matching
task catches it, as SpiffWorkflow's event manager does. When no instance waits, the latest version
of every process with a message start event of that name is started. When nothing waits and
nothing starts, `NotFound` says so.

Suspended instances receive nothing: as in Camunda, a suspended instance's subscriptions take no
part in correlation (they stay, and match again once it is resumed). A message that only
suspended instances wait for is a message nobody waits for: it starts the processes it starts,
else `NotFound`; it is not kept for later. An instance suspended between the match and its
delivery step is passed by in the same way.

A message id makes a repeated delivery harmless: the `delivered_messages` row records each
instance that received it in that delivery's own transaction, so a repeat returns the first
outcome, and a repeat of a delivery that stopped midway (a crash, a receiver that failed) delivers
only to the instances it had not reached.

Thrown messages. A message an instance throws (throw and end events, send tasks) that no task of
the same instance catches becomes a `message` job, written in the step that threw it; a worker
correlates it like any other (its job id is its message id). It carries, for SpiffArena models,
the `messagePayload` (its variables when it is an object) and the correlation values SpiffWorkflow
computed; for other models the instance's variables, and its Zeebe correlation key evaluated over
them, if it has one. A thrown message nobody waits for fails its job, recorded in the thrower's
history; no incident is raised, as no task of the thrower waits on it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import jobs
from ..accounts import Principal
from ..accounts.access import check_may_reach, may_send_anything
from ..errors import (
    ConcurrentChange,
    EngineError,
    InstanceEnded,
    InstanceSuspended,
    InvalidInput,
    NotFound,
    StepFailed,
)
from ..store import instance_rows, participants
from ..store.models import DeliveredMessage, MessageSubscription, ProcessDefinition, ProcessInstance, utcnow
from ..store.starters import Starters
from ..store.unit_of_work import UnitOfWork
from ..variables import check_json, check_text, check_variables
from .waits import (
    Message,
    correlations_of,
    first_line,
    is_process_start,
    matches,
    message_definitions,
    process_variables,
    same,
    waiting_tasks,
)

if TYPE_CHECKING:
    from ..jobs.queue import ClaimedJob
    from ..runtime.service import RuntimeService


INTEGRATIONS_GROUP = "integrations"
"""The group whose members may deliver any message (`Settings.integrations_group`)."""
DELIVERY_ATTEMPTS = 5
"""How often one delivery is tried when another step changed the instance meanwhile."""
MAX_NAME = 255
_CHUNK = 500
_NOT_RECEIVING = ("completed", "terminated", "suspended")
"""Statuses of instances no message reaches."""

_SUBSCRIPTIONS: Table = MessageSubscription.__table__  # type: ignore[assignment]
_S = _SUBSCRIPTIONS.c
_I = ProcessInstance.__table__.c
_D = ProcessDefinition.__table__.c
_M: Any = DeliveredMessage.__table__.c


class _NotWaiting(EngineError):
    """Under its lock, the instance no longer waits for the message: nothing is changed."""


class _Duplicate(EngineError):
    """The instance received this message id already: nothing is changed."""


@dataclass(frozen=True)
class _Candidate:
    instance_id: str
    business_key: str | None


class MessageService:
    """Correlates messages to the instances that wait for them (`engine.messages`), or starts processes."""

    def __init__(self, runtime: RuntimeService, integrations_group: str = INTEGRATIONS_GROUP) -> None:
        self.runtime = runtime
        self.integrations_group = integrations_group
        """Members deliver any message (systems correlating payments, signatures, replies)."""
        self.db = runtime.db
        self._starters = Starters(self.db, self._start_names)

    def correlate(
        self,
        name: str,
        correlation: dict[str, Any] | None = None,
        variables: dict[str, Any] | None = None,
        message_id: str | None = None,
        sender: Principal | None = None,
    ) -> dict[str, Any]:
        """Deliver a message to every instance that waits for it, else start the processes it starts.

        A `sender` (the API's caller) must be an administrator, a member of the integrations group,
        or take part in every instance the message reaches, and may start only the processes they
        may start (DESIGN §6a); else NotAllowed, and nothing is delivered.

        Returns `{"delivered_to": [instance ids], "started": [instance ids]}`; raises NotFound
        when no instance waits and no process starts with it. With `message_id`, delivering the
        same id again delivers nothing more and returns the first outcome.
        """
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise InvalidInput(f"a message needs a name of 1 to {MAX_NAME} characters")
        check_text(name, "a message name", MAX_NAME)
        if message_id is not None and (
            not isinstance(message_id, str) or not message_id.strip() or len(message_id) > MAX_NAME
        ):
            raise InvalidInput(f"a message id must be a string of 1 to {MAX_NAME} characters")
        if message_id is not None:
            check_text(message_id, "a message id", MAX_NAME)
        message = Message(
            name,
            _check_correlation(correlation),
            dict(check_variables({} if variables is None else variables, "message variables")),
            sender=sender.name if sender is not None else None,
        )
        candidates = None
        if sender is not None and not may_send_anything(sender, self.integrations_group):
            candidates = self._candidates(message)
            self._check_sender(message, sender, candidates)
        return self.deliver(message, message_id, candidates)

    def _check_sender(self, message: Message, sender: Principal, candidates: list[_Candidate]) -> None:
        with UnitOfWork(self.db) as uow:
            outside = participants.outsiders(
                uow, [c.instance_id for c in candidates], sender.name, sender.groups
            )
        started = [] if candidates else self._starters.find(message.name)
        rights = [(key, self.runtime.repository.get(key, version)["starters"]) for key, version in started]
        check_may_reach(f"message '{message.name}'", sender, outside, rights)

    def deliver(
        self, message: Message, message_id: str | None = None, candidates: list[_Candidate] | None = None
    ) -> dict[str, Any]:
        """Correlate a checked message (see `correlate`); `candidates`, when the caller found them."""
        ledger = _Ledger(self.db, message_id, message.name) if message_id is not None else None
        reached: set[str] = set()
        if ledger is not None:
            stored = ledger.load()
            if stored is not None:
                if stored.get("complete"):
                    return _outcome(stored)
                reached = set(stored["delivered_to"]) | set(stored["started"])
        delivered = []
        for candidate in candidates if candidates is not None else self._candidates(message):
            if candidate.instance_id not in reached and self._deliver_to(candidate, message, ledger):
                delivered.append(candidate.instance_id)
        started = []
        if not delivered and not reached:
            for key, version in self._starters.find(message.name):
                instance_id = self._start(key, version, message, ledger)
                if instance_id is not None:
                    started.append(instance_id)
        if ledger is not None:
            final = ledger.close()
            if final is not None:
                return _outcome(final)
        if not delivered and not started:
            how = f" with {message.correlation!r}" if message.correlation else ""
            raise NotFound(
                f"no instance waits for message '{message.name}'{how}, and no process starts with it",
                name=message.name,
                correlation=message.correlation,
            )
        return {"delivered_to": delivered, "started": started}

    # -- finding receivers ----------------------------------------------------------------------

    def _candidates(self, message: Message) -> list[_Candidate]:
        """Instances with a subscription the message matches, oldest first (read from the projection)."""
        query = (
            select(_S.instance_id, _S.correlation, _I.business_key)
            .join_from(_SUBSCRIPTIONS, ProcessInstance.__table__, _I.id == _S.instance_id)
            .where(_S.name == message.name, _I.status.not_in(_NOT_RECEIVING))
            .order_by(_I.started_at, _S.instance_id, _S.id)
        )
        verdicts: dict[str, bool | None] = {}
        business_keys: dict[str, str | None] = {}
        subscriptions: dict[str, list[dict[str, Any]]] = {}
        with UnitOfWork(self.db) as uow:
            for instance_id, correlation, business_key in uow.connection.execute(query):
                business_keys[instance_id] = business_key
                if verdicts.get(instance_id):
                    continue  # one matching subscription is enough
                verdict = _verdict(message.correlation, correlation or {}, business_key)
                if verdict is None:
                    subscriptions.setdefault(instance_id, []).append(correlation or {})
                    verdicts[instance_id] = None
                elif verdict:
                    verdicts[instance_id] = True
                else:
                    verdicts.setdefault(instance_id, False)
            undecided = [i for i, v in verdicts.items() if v is None]
            for start in range(0, len(undecided), _CHUNK):
                chunk = undecided[start : start + _CHUNK]
                rows = uow.connection.execute(select(_I.id, _I.variables).where(_I.id.in_(chunk)))
                for instance_id, variables in rows:
                    verdicts[instance_id] = any(
                        matches(message.correlation, sub, variables or {}, business_keys[instance_id])
                        for sub in subscriptions[instance_id]
                    )
        return [_Candidate(i, business_keys[i]) for i, v in verdicts.items() if v]

    def _start_names(self, uow: UnitOfWork, definition_id: int) -> frozenset[str]:
        spec, _ = self.runtime.repository.spec(uow, definition_id)
        return _message_start_names(spec)

    # -- delivering -----------------------------------------------------------------------------

    def _deliver_to(self, candidate: _Candidate, message: Message, ledger: _Ledger | None) -> bool:
        """Deliver to one instance in a step of its own; False when it no longer waits for it."""

        def change(workflow: Any, record: Any) -> None:
            receive(workflow, record, message, candidate.business_key, ledger)

        finish = ledger.noter(candidate.instance_id, "delivered_to") if ledger is not None else None
        for attempt in range(DELIVERY_ATTEMPTS):
            try:
                self.runtime.step(candidate.instance_id, change, message.sender, finish=finish)
                return True
            except (_NotWaiting, _Duplicate, InstanceEnded, InstanceSuspended, NotFound):
                return False
            except IntegrityError:
                if ledger is None:
                    raise
                return False  # the same message id, delivered concurrently: the other delivery wins
            except ConcurrentChange:
                if attempt == DELIVERY_ATTEMPTS - 1:
                    raise
        return False

    def _start(self, key: str, version: int, message: Message, ledger: _Ledger | None) -> str | None:
        """Start an instance of `key` and let its message start event catch the message."""
        business_key = message.correlation.get("business_key")
        instance = self.runtime.start(
            key,
            {},
            business_key=business_key if isinstance(business_key, str) else None,
            version=version,
            at_trigger=True,
        )
        instance_id = str(instance["id"])

        def change(workflow: Any, record: Any) -> None:
            receive(workflow, record, message, None, ledger, start=True)

        finish = ledger.noter(instance_id, "started") if ledger is not None else None
        try:
            self.runtime.step(instance_id, change, None, finish=finish)
        except (_Duplicate, IntegrityError):
            if ledger is None:
                raise
            return None  # the same message id, delivered concurrently, started an instance first
        except EngineError as exc:
            # Starting and catching are two steps (RuntimeService.start takes no change): the
            # instance stays, visibly waiting at its start event.
            raise StepFailed(
                f"process '{key}' version {version} started instance {instance_id} for "
                f"{message.describe()}, but its start event could not catch it: {exc.message}",
                instance_id=instance_id,
            ) from exc
        return instance_id

    # -- thrown messages ------------------------------------------------------------------------

    def run_job(self, job: ClaimedJob) -> str:
        """Correlate a message an instance threw; the job's outcome name."""
        body = job.payload
        message = Message(
            str(body.get("name")),
            dict(body.get("correlation") or {}),
            dict(body.get("variables") or {}),
            body.get("payload"),
            "payload" in body,
        )
        try:
            outcome = self.deliver(message, f"job:{job.id}")
        except NotFound as exc:
            return self._job_failed(job, message, exc.message)
        except EngineError as exc:
            if job.attempts < job.max_attempts:
                with UnitOfWork(self.db, write=True) as uow:
                    jobs.retry_later(uow, job, exc.message)
                    uow.commit()
                return "retry"
            return self._job_failed(job, message, exc.message)
        with UnitOfWork(self.db, write=True) as uow:
            jobs.finish(uow, job, "done", result=outcome)
            uow.commit()
        return "done"

    def _job_failed(self, job: ClaimedJob, message: Message, error: str) -> str:
        """Fail the job and say so in the thrower's history (no task of the thrower waits on it)."""
        now = utcnow()
        with UnitOfWork(self.db, write=True) as uow:
            if jobs.finish(uow, job, "failed", error=error) and job.instance_id is not None:
                data = {
                    "name": message.name,
                    "correlation": message.correlation,
                    "job_id": job.id,
                    "error": error,
                }
                event = instance_rows.history_row(
                    job.instance_id, "message_not_delivered", job.element_id, data, now
                )
                instance_rows.insert_history(uow, [event])
            uow.commit()
        return "failed"


def receive(
    workflow: Any,
    record: Any,
    message: Message,
    business_key: str | None,
    ledger: _Ledger | None,
    start: bool = False,
) -> None:
    """The change of a delivery: the waiting tasks the message matches catch it."""
    targets = []
    variables: dict[str, Any] | None = None
    for task in waiting_tasks(workflow):
        for definition in message_definitions(task.task_spec):
            if definition.name != message.name or start != is_process_start(task):
                continue
            if not start:
                if variables is None:
                    variables = process_variables(workflow)
                wanted = correlations_of(task).get(definition.name, {})
                if not matches(message.correlation, wanted, variables, business_key):
                    continue
            targets.append((task, definition))
            break
    if getattr(workflow.script_engine, "process_variables", False):
        # Camunda and Zeebe: one correlation reaches one wait of an instance, the oldest;
        # SpiffArena models (task data) let every waiting task catch it, as SpiffWorkflow does.
        targets = targets[:1]
    caught = [(t, d) for t, d in targets if t.has_state(TaskState.WAITING) and _catch(t, d, message)]
    if not caught:
        raise _NotWaiting(f"no task waits for {message.describe()}")
    for task, _definition in caught:
        record.add_task_event(
            "message_received",
            task,
            {
                "name": message.name,
                "correlation": message.correlation,
                "variables": message.variables,
                "message_id": ledger.message_id if ledger is not None else None,
            },
        )


def _catch(task: Any, definition: Any, message: Message) -> bool:
    """Make one waiting task catch the message, as SpiffWorkflow's event manager would."""
    if not task.has_state(TaskState.WAITING):
        return False  # an earlier catch of this step ended its wait (an interrupting boundary event)
    correlations = copy.deepcopy(getattr(task.workflow, "correlations", None) or {})
    event = BpmnEvent(definition, message.event_payload(), correlations=correlations)
    try:
        task.task_spec.catch(task, event)
        task.task_spec._update(task)
    except EngineError:
        raise
    except Exception as exc:
        raise StepFailed(
            f"task '{task.task_spec.bpmn_id}': {message.describe()} could not be caught: {first_line(exc)}",
            element=task.task_spec.bpmn_id,
        ) from exc
    if getattr(definition, "message_var", None) is None and message.variables:
        # Camunda: the message's variables become process variables from the catching task on.
        task.data.update(copy.deepcopy(message.variables))
    return True


def _message_start_names(spec: Any) -> frozenset[str]:
    """The messages whose start events start a process spec."""
    return frozenset(
        d.name
        for task_spec in spec.task_specs.values()
        if isinstance(task_spec, StartEvent)
        for d in message_definitions(task_spec)
    )


def _verdict(
    wanted: Mapping[str, Any], subscription: Mapping[str, Any], business_key: str | None
) -> bool | None:
    """True or False when the subscription and business key decide a match; None when variables must."""
    undecided = False
    for name, value in wanted.items():
        if name in subscription:
            if not same(value, subscription[name]):
                return False
        elif name == "business_key":
            if not same(value, business_key):
                return False
        else:
            undecided = True
    return None if undecided else True


def _check_correlation(correlation: Any) -> dict[str, Any]:
    if correlation is None:
        return {}
    if not isinstance(correlation, dict):
        raise InvalidInput(f"message correlation must be a JSON object, not {type(correlation).__name__}")
    for name, value in correlation.items():
        if not isinstance(name, str) or not name:
            raise InvalidInput(f"message correlation: names must be non-empty strings, not {name!r}")
        check_json(value, f"correlation value '{name}'")
    return dict(correlation)


def _outcome(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "delivered_to": list(stored.get("delivered_to") or []),
        "started": list(stored.get("started") or []),
    }


class _Ledger:
    """The `delivered_messages` row of one message id: who received it, noted in their deliveries' steps.

    The outcome is stored as `{"delivered_to", "started", "complete"}`; `complete` is set once a
    delivery ran to its end, so a repeat returns it, and a repeat of an interrupted one goes on.
    """

    def __init__(self, db: Any, message_id: str, name: str) -> None:
        self.db = db
        self.message_id = message_id
        self.name = name

    def load(self) -> dict[str, Any] | None:
        """The stored outcome, or None."""
        with UnitOfWork(self.db) as uow:
            outcome = uow.connection.execute(
                select(_M.outcome).where(_M.message_id == self.message_id)
            ).scalar_one_or_none()
        return outcome if isinstance(outcome, dict) else None

    def noter(self, instance_id: str, field: str) -> Any:
        """A step's `finish`: note that `instance_id` received the message, in the delivery's transaction."""

        def note(uow: UnitOfWork) -> None:
            stored = self._locked(uow)
            if stored is None:
                outcome: dict[str, Any] = {"delivered_to": [], "started": [], "complete": False}
                outcome[field] = [instance_id]
                uow.connection.execute(
                    insert(DeliveredMessage.__table__),  # type: ignore[arg-type]
                    {
                        "message_id": self.message_id,
                        "name": self.name,
                        "outcome": outcome,
                        "delivered_at": utcnow(),
                    },
                )
                return
            if instance_id in stored["delivered_to"] or instance_id in stored["started"]:
                raise _Duplicate(f"instance {instance_id} received message id {self.message_id!r} already")
            stored[field] = [*stored[field], instance_id]
            self._write(uow, stored)

        return note

    def close(self) -> dict[str, Any] | None:
        """Mark the delivery complete; the stored outcome (None when nobody received the message)."""
        with UnitOfWork(self.db, write=True) as uow:
            stored = self._locked(uow)
            if stored is not None and not stored.get("complete"):
                stored["complete"] = True
                self._write(uow, stored)
            uow.commit()
        return stored

    def _locked(self, uow: UnitOfWork) -> dict[str, Any] | None:
        query = select(_M.outcome).where(_M.message_id == self.message_id)
        if not uow.db.is_sqlite:
            query = query.with_for_update()
        outcome = uow.connection.execute(query).scalar_one_or_none()
        if not isinstance(outcome, dict):
            return None
        return {
            "delivered_to": list(outcome.get("delivered_to") or []),
            "started": list(outcome.get("started") or []),
            "complete": bool(outcome.get("complete")),
        }

    def _write(self, uow: UnitOfWork, outcome: dict[str, Any]) -> None:
        uow.connection.execute(
            update(DeliveredMessage.__table__)  # type: ignore[arg-type]
            .where(_M.message_id == self.message_id)
            .values(outcome=outcome)
        )
