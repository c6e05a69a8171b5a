"""Runtime service: the one path that changes an instance (DESIGN §2), and instance queries.

Every change — start, complete a task, and later messages, timers and job results — goes
through `step`: lock the instance row, restore its workflow, apply the change, run engine
steps until every branch waits, then save state, projections and history in one commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .. import jobs
from ..accounts import Principal, check_may_start, visibility
from ..accounts.access import check_may_do
from ..definitions.repository import RepositoryService
from ..definitions.state_codec import StateCodec
from ..errors import (
    EngineError,
    InstanceEnded,
    InstanceSuspended,
    InvalidInput,
    NotAllowed,
    NotFound,
    StepFailed,
    TaskAlreadyCompleted,
)
from ..expressions.script_engine import FlowbridgeScriptEngine
from ..forms.description import validate as validate_form
from ..jobs.signal import JobSignal
from ..microflows import MicroflowRegistry
from ..store import instance_rows
from ..store.database import Database
from ..store.models import Incident, ProcessInstance, UserTask, utcnow
from ..store.unit_of_work import UnitOfWork
from ..variables import check_text, check_variables
from . import lifecycle
from .advance import run_to_wait, set_initiator, start_at_its_start_event
from .called import CalledProcesses
from .failures import describe_failure
from .history import StepRecord
from .instance_cache import WorkflowCache
from .instance_search import InstanceSearch
from .projections import CLAIM, Projection, live_tasks, make_open_task, process_variables, project
from .pruning import prune
from .views import incident_view, instance_view, open_task_view, task_view
from .waiting import InstanceChanges, wait_for_instance

MAX_ENGINE_ROUNDS = 100_000
"""Rounds of automatic tasks one step may run before it is judged an endless loop."""
PRUNE_EVERY_ROUNDS = 64
"""How often a long automatic run is pruned, so its task tree never nears SpiffWorkflow's depth limit."""

Change = Callable[[Any, StepRecord], str | None]
"""Applies one change to a restored workflow; returns the id of the user task it completed, if any."""
Lock = Callable[[UnitOfWork], "instance_rows.LockedInstance"]
"""Finds and locks an instance row, and checks under the lock that the change is still allowed."""


class StepEffect(Protocol):
    """Something more a step keeps in step with the workflow (message subscriptions, say).

    `before` sees the restored workflow before the change (None for a new instance); `after`
    writes, inside the step's transaction, what changed, and says whether it wrote jobs.
    """

    def before(self, workflow: Any | None) -> Any:
        """A token describing the workflow before the change."""

    def after(self, uow: UnitOfWork, workflow: Any, instance_id: str, token: Any) -> bool:
        """Write what the step changed; True if jobs were written."""


Finish = Callable[[UnitOfWork], None]
"""More writes for the step's transaction (a job marked done, an incident recorded)."""


class RuntimeService:
    """Starts instances, applies changes to them, and answers instance queries from projections."""

    def __init__(
        self,
        db: Database,
        repository: RepositoryService,
        registry: MicroflowRegistry,
        codec: StateCodec,
        cache_size: int,
        signal: JobSignal,
        effects: list[StepEffect] | None = None,
        sandboxed: bool = True,
    ) -> None:
        self.db = db
        self.repository = repository
        self.registry = registry
        self.codec = codec
        self.cache = WorkflowCache(cache_size)
        self.signal = signal
        """Notified after a step commits new jobs, so this process's idle workers wake at once."""
        self.changes = InstanceChanges()
        """Told after every committed start or step, so `wait` sees the change at once."""
        self.effects: list[StepEffect] = list(effects or [])
        """Kept in step with every step, in its transaction (message subscriptions, say)."""
        self.sandboxed = sandboxed
        """Models' scripts and conditions run in the sandbox (engine.expressions.sandbox)."""

    # -- changes ---------------------------------------------------------------------------

    def start(
        self,
        key: str,
        variables: dict[str, Any] | None = None,
        business_key: str | None = None,
        version: int | None = None,
        user: str | None = None,
        finish: Finish | None = None,
        at_trigger: bool = False,
        starter: Principal | None = None,
    ) -> dict[str, Any]:
        """Start an instance and run it to its first wait state or its end; return it.

        A person or a client starts a process as Camunda 7's API does: at its plain start event,
        or, when its only start event waits for a trigger (timer, message, signal, condition),
        from that start event at once; a process whose start events all wait for triggers
        refuses (InvalidInput, naming them). With `at_trigger` (a message that starts it, its
        start timer's job) the instance waits at its start event for the trigger instead.
        `finish` adds writes to the same transaction (a start job marked done, say).

        `starter`, a person or client starting it (the API, the pages, the CLI's `--user`), must be
        one the model lets start it (DESIGN §6a), and the variables must pass its start form.
        """
        variables = check_variables(variables or {}, "start variables")
        if starter is not None:
            definition = self.repository.get(key, version)
            check_may_start(key, definition["starters"], starter.name, starter.groups, starter.admin)
            variables = validate_form(definition["start_form"], variables)
            version = definition["version"]
        if business_key is not None:
            check_text(business_key, "business_key")
        instance_id = str(uuid.uuid4())
        record = StepRecord(instance_id, user)
        with UnitOfWork(self.db, write=True) as uow:
            ref = instance_rows.definition(uow, key, version)
            spec, subprocess_specs = self.repository.spec(uow, ref.id)
            keeps = self.repository.keeps_process_variables(uow, ref.id)
            scripts = FlowbridgeScriptEngine(
                self.registry, instance_id, keeps, self.sandboxed, business_key=business_key
            )
            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=scripts)
            record.add(
                "instance_started",
                element_id=key,
                data={"variables": variables, "business_key": business_key},
            )

            initiator = user if user is not None else (starter.name if starter is not None else None)

            def apply(wf: Any, _record: StepRecord) -> None:
                wf.task_tree.data.update(variables)
                set_initiator(wf, initiator)
                if not at_trigger:
                    start_at_its_start_event(wf, key)

            calls = scripts.called_process = CalledProcesses(uow, self.repository)
            projection, job_plan = self._advance(workflow, apply, record, {})
            now = utcnow()
            self._save_raised_incidents(uow, calls, instance_id, record)
            values = self._saved_values(workflow, projection, 1, now)
            instance_rows.insert_instance(
                uow,
                {
                    "id": instance_id,
                    "definition_id": ref.id,
                    "key": ref.key,
                    "version": ref.version,
                    "business_key": business_key,
                    "error": None,
                    "started_at": now,
                    **values,
                },
            )
            instance_rows.save_user_tasks(uow, instance_id, projection, set(), None, user, now, now)
            instance_rows.insert_history(uow, record.events)
            jobs.save(uow, job_plan, now)
            tokens = [effect.before(None) for effect in self.effects]
            wrote_jobs = self._after_effects(uow, workflow, instance_id, tokens)
            if finish is not None:
                finish(uow)
            uow.commit()
        self.cache.put(instance_id, 1, workflow)
        if job_plan.insert or wrote_jobs:
            self.signal.notify()
        self.changes.changed(instance_id)
        return instance_view(
            {
                "id": instance_id,
                "key": ref.key,
                "version": ref.version,
                "business_key": business_key,
                "started_at": now,
                **values,
            },
            [open_task_view(instance_id, t) for t in projection.user_tasks],
        )

    def complete_task(
        self,
        task_id: str,
        variables: dict[str, Any] | None = None,
        user: str | None = None,
        groups: list[str] | None = None,
        admin: bool = False,
    ) -> dict[str, Any]:
        """Complete an open user task with `variables` and run the instance to its next wait state.

        With `user`, only a task assigned to (or claimed by) the user, or offered to them or their
        groups; `admin` completes any task.
        """
        variables = check_variables(variables or {}, "task variables")
        check_user = user is not None and not admin

        def lock(uow: UnitOfWork) -> instance_rows.LockedInstance:
            locked, ref = lock_open_task(uow, task_id)
            if check_user:
                check_may_do(
                    task_id, user or "", groups or [], ref.assignee, ref.candidate_users, ref.candidate_groups
                )
            return locked

        def apply(wf: Any, record: StepRecord) -> str:
            task = find_task(wf, task_id)
            if task is None or not task.has_state(TaskState.READY):
                raise TaskAlreadyCompleted(f"task {task_id} is already closed", task_id=task_id)
            claimed = task.internal_data.get(CLAIM)
            if check_user and claimed is not None and claimed != user:
                # PostgreSQL: the task row read with the lock may predate the claim.
                raise NotAllowed(f"task {task_id} is claimed by another user", task_id=task_id)
            spec = task.task_spec
            extensions = spec.extensions if isinstance(spec.extensions, dict) else {}
            values = validate_form(extensions.get("form"), variables, current=task.data)
            data: dict[str, Any] = {"variables": values}
            if admin and user is not None:
                # An administrator may do anyone's task; the history says whose it was.
                assignee = make_open_task(task).assignee
                if assignee != user:
                    data.update(by_administrator=True, assignee=assignee)
            record.add(
                "user_task_completed",
                element_id=spec.bpmn_id,
                element_name=spec.bpmn_name,
                element_type=spec.description,
                task_id=task_id,
                data=data,
            )
            task.data.update(values)
            task.run()
            return task_id

        return self.step(lock, apply, user)

    def fire_timers(self, instance_id: str) -> dict[str, Any]:
        """Fire the instance's timers that are due, and run the flow on to its next wait state.

        Every step fires due timers; this is the step a timer's due time asks for.
        """
        return self.step(instance_id, lambda _wf, _record: None, None, fire_timers=True)

    def suspend(self, instance_id: str, user: str | None = None) -> dict[str, Any]:
        """Suspend a running, waiting or incident instance: nothing changes it until it is resumed.

        Returns the instance as `get` shows it; InstanceNotInState (409) for any other status.
        See engine.lifecycle.
        """
        return lifecycle.suspend(self, instance_id, user)

    def resume(self, instance_id: str, user: str | None = None) -> dict[str, Any]:
        """Resume a suspended instance (InstanceNotInState otherwise); its jobs run again."""
        return lifecycle.resume(self, instance_id, user)

    def terminate(
        self, instance_id: str, user: str | None = None, reason: str | None = None
    ) -> dict[str, Any]:
        """End an instance that has not ended (InstanceNotInState otherwise): tasks closed, jobs cancelled."""
        return lifecycle.terminate(self, instance_id, user, reason)

    def step(
        self,
        target: str | Lock,
        change: Change,
        user: str | None = None,
        finish: Finish | None = None,
        fire_timers: bool = False,
    ) -> dict[str, Any]:
        """The one path that changes an existing instance, in one transaction.

        `target` is the instance id, or a function that finds and locks the instance row
        inside the transaction and checks that the change is still allowed. `finish` adds
        writes to the same transaction; `fire_timers` lets due timers fire (a timer job's step).
        An ended instance is refused (InstanceEnded), and so is a suspended one (InstanceSuspended).
        """
        with UnitOfWork(self.db, write=True) as uow:
            locked = instance_rows.lock_instance(uow, target) if isinstance(target, str) else target(uow)
            instance_id = locked.id
            record = StepRecord(instance_id, user)
            if locked.status in ("completed", "terminated"):
                raise InstanceEnded(f"instance {instance_id} is {locked.status}", instance_id=instance_id)
            if locked.status == "suspended":
                raise InstanceSuspended(
                    f"instance {instance_id} is suspended: resume it first", instance_id=instance_id
                )
            workflow = self._restore(uow, locked)
            before = {str(t.id) for t in live_tasks(workflow, TaskState.READY) if t.task_spec.manual}
            waiting_before = jobs.waiting_jobs(workflow)
            tokens = [effect.before(workflow) for effect in self.effects]
            completed: list[str | None] = [None]

            def apply(wf: Any, rec: StepRecord) -> None:
                completed[0] = change(wf, rec)

            calls = workflow.script_engine.called_process = CalledProcesses(uow, self.repository)
            projection, job_plan = self._advance(workflow, apply, record, waiting_before, fire_timers)
            now = utcnow()
            self._save_raised_incidents(uow, calls, instance_id, record)
            revision = locked.revision + 1
            values = self._saved_values(workflow, projection, revision, now)
            instance_rows.update_instance(uow, instance_id, locked.revision, values)
            instance_rows.save_user_tasks(
                uow, instance_id, projection, before, completed[0], user, now, locked.started_at
            )
            instance_rows.insert_history(uow, record.events)
            jobs.save(uow, job_plan, now)
            wrote_jobs = self._after_effects(uow, workflow, instance_id, tokens)
            if finish is not None:
                finish(uow)
            uow.commit()
        self.cache.put(instance_id, revision, workflow)
        if job_plan.insert or wrote_jobs:
            self.signal.notify()
        self.changes.changed(instance_id)
        return instance_view(
            {
                "id": instance_id,
                "key": locked.key,
                "version": locked.version,
                "business_key": locked.business_key,
                "started_at": locked.started_at,
                **values,
            },
            [open_task_view(instance_id, t) for t in projection.user_tasks],
        )

    def _after_effects(self, uow: UnitOfWork, workflow: Any, instance_id: str, tokens: list[Any]) -> bool:
        wrote = False
        for effect, token in zip(self.effects, tokens, strict=True):
            wrote = effect.after(uow, workflow, instance_id, token) or wrote
        return wrote

    def _save_raised_incidents(
        self, uow: UnitOfWork, calls: CalledProcesses, instance_id: str, record: StepRecord
    ) -> None:
        """Write the incidents the step raised itself (a call to a process not deployed)."""
        rows = calls.incident_rows(instance_id)
        if not rows:
            return
        uow.connection.execute(Incident.__table__.insert(), rows)  # type: ignore[attr-defined]
        for row in rows:
            record.add(
                "incident_raised",
                element_id=row["element_id"],
                task_id=row["task_id"],
                data={"incident_id": row["id"], "error": row["error"]},
            )

    def _restore(self, uow: UnitOfWork, locked: instance_rows.LockedInstance) -> Any:
        workflow = self.cache.take(locked.id, locked.revision)
        if workflow is not None:
            return workflow
        spec, subprocess_specs = self.repository.spec(uow, locked.definition_id)
        workflow = self.codec.load_state(
            instance_rows.instance_state(uow, locked.id),
            spec,
            subprocess_specs,
            lambda definition_id: self.repository.spec(uow, definition_id),
        )
        keeps = self.repository.keeps_process_variables(uow, locked.definition_id)
        workflow.script_engine = FlowbridgeScriptEngine(
            self.registry, locked.id, keeps, self.sandboxed, business_key=locked.business_key
        )
        return workflow

    def _saved_values(self, workflow: Any, projection: Projection, revision: int, now: Any) -> dict[str, Any]:
        state = self.codec.dump_state(workflow)
        return {
            "status": projection.status,
            "revision": revision,
            "state": state,
            "state_size": len(state),
            "variables": projection.variables,
            "waiting": projection.waiting,
            "updated_at": now,
            "ended_at": now if projection.status == "completed" else None,
        }

    def _advance(
        self,
        workflow: Any,
        apply: Callable[[Any, StepRecord], None],
        record: StepRecord,
        waiting_before: dict[str, str],
        fire_timers: bool = False,
    ) -> tuple[Projection, jobs.JobPlan]:
        """Apply the change, run engine steps until every branch waits; prune; plan jobs; project.

        Due timers fire only in a timer's own step, so a timer whose continuation fails
        becomes an incident instead of failing every other change to the instance.
        """
        try:

            def each_round(rounds: int) -> None:
                if rounds % PRUNE_EVERY_ROUNDS == 0:
                    record.collect(workflow)
                    prune(workflow)
                if rounds > MAX_ENGINE_ROUNDS:
                    raise StepFailed(
                        f"the flow ran {MAX_ENGINE_ROUNDS} rounds of automatic tasks without waiting "
                        "(an endless loop?)"
                    )

            record.begin(workflow, process_variables(workflow))
            written = run_to_wait(workflow, lambda: apply(workflow, record), fire_timers, each_round)
            record.collect(workflow)
            prune(workflow)
            job_plan = jobs.plan(workflow, record.instance_id, waiting_before, self.registry, utcnow())
            projection = project(workflow)
            projection.variables_written = written
            record.variables_changed(projection.variables)
        except EngineError:
            self.cache.drop(record.instance_id)
            raise
        except SpiffWorkflowException as exc:
            self.cache.drop(record.instance_id)
            raise StepFailed(describe_failure(exc)) from exc
        except Exception as exc:
            self.cache.drop(record.instance_id)
            raise StepFailed(f"the step failed: {type(exc).__name__}: {exc}") from exc
        if projection.status == "completed":
            record.add("instance_completed", data={"variables": projection.variables})
        return projection, job_plan

    # -- queries ---------------------------------------------------------------------------

    def get(self, instance_id: str, viewer: Principal | None = None) -> dict[str, Any]:
        """An instance as `GET /api/process-instances/{id}` shows it, with everything it waits on.

        Besides its open tasks: `jobs`, its unfinished jobs and the failed ones behind its open
        incidents; `incidents`, its open incidents; and each wait a job ends with that job's
        status, attempts and due time. All read from rows, never from the workflow's state.
        With `viewer`, only an instance they may see (DESIGN §6a); NotFound otherwise.
        """
        with UnitOfWork(self.db) as uow:
            row = uow.session.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)
            visibility.check_may_see(uow, instance_id, viewer)
            tasks = uow.session.scalars(
                select(UserTask)
                .where(UserTask.instance_id == instance_id, UserTask.status == "open")
                .order_by(UserTask.created_at, UserTask.id)
            ).all()
            incidents = _open_incidents(uow, instance_id)
            waited_jobs = _waited_jobs(uow, instance_id, incidents)
            return instance_view(_row_dict(row), [task_view(t) for t in tasks], waited_jobs, incidents)

    def list(
        self,
        key: str | None = None,
        status: str | None = None,
        business_key: str | None = None,
        limit: int = 50,
        offset: int = 0,
        viewer: Principal | None = None,
        search: InstanceSearch | None = None,
    ) -> dict[str, Any]:
        """Instances, newest first, with the total count for paging; with `viewer`, only those they
        may see (DESIGN §6a), filtered in the query; `search` (engine.runtime.instance_search) finds more."""
        if limit < 1 or limit > 1000 or offset < 0:
            raise InvalidInput("limit must be 1..1000 and offset at least 0")
        filters = []
        if key is not None:
            filters.append(ProcessInstance.key == key)
        if status is not None:
            filters.append(ProcessInstance.status == status)
        if business_key is not None:
            filters.append(ProcessInstance.business_key == business_key)
        filters += search.filters() if search is not None else []
        ids, count = visibility.page_queries(viewer, filters, limit, offset)
        with UnitOfWork(self.db) as uow:
            total = uow.connection.execute(count).scalar() or 0
            page = [row[0] for row in uow.connection.execute(ids)]
            # Two reads: the page's ids from an index, then only those rows (without their state).
            rows = {r["id"]: r for r in _listed_rows(uow, page)}
            return {"items": [instance_view(rows[i], None) for i in page if i in rows], "total": total}

    def wait(self, instance_id: str, seconds: float) -> dict[str, Any]:
        """The instance once it has ended or waits only on people or outside events, or after
        `seconds` (0..300), whichever comes first (engine.waiting)."""
        return wait_for_instance(self, instance_id, seconds)

    def state_size(self, instance_id: str) -> int:
        """Bytes of stored live state (the benchmark and the growth tests read it)."""
        with UnitOfWork(self.db) as uow:
            size = uow.session.scalar(
                select(ProcessInstance.state_size).where(ProcessInstance.id == instance_id)
            )
            if size is None:
                raise NotFound(f"no process instance {instance_id}")
            return size


_VIEW_COLUMNS = (
    "id",
    "key",
    "version",
    "business_key",
    "status",
    "variables",
    "waiting",
    "started_at",
    "ended_at",
)
"""The instance columns its view shows (never its state)."""


def _row_dict(row: ProcessInstance) -> dict[str, Any]:
    return {c: getattr(row, c) for c in _VIEW_COLUMNS}


def _listed_rows(uow: UnitOfWork, ids: list[str]) -> list[dict[str, Any]]:
    """The view columns of these instances."""
    if not ids:
        return []
    columns = [getattr(ProcessInstance, c) for c in _VIEW_COLUMNS]
    rows = uow.session.execute(select(*columns).where(ProcessInstance.id.in_(ids)))
    return [dict(row._mapping) for row in rows]


def _open_incidents(uow: UnitOfWork, instance_id: str) -> list[dict[str, Any]]:
    """The instance's open incidents, oldest first."""
    rows = uow.session.scalars(
        select(Incident)
        .where(Incident.instance_id == instance_id, Incident.status == "open")
        .order_by(Incident.created_at)
    ).all()
    return [incident_view(r) for r in rows]


def _waited_jobs(uow: UnitOfWork, instance_id: str, incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The instance's queued and running jobs, and the failed ones its open incidents name.

    A failed job whose incident was retried is history: the retry's job took its place.
    """
    failed = {incident["job_id"] for incident in incidents}
    return [
        job
        for job in jobs.JobStore(uow.db).for_instance(uow, instance_id)
        if job["status"] != "failed" or job["id"] in failed
    ]


def find_task(workflow: Any, task_id: str) -> Any:
    """The live task with this id, in the workflow or any of its subprocesses; None when gone."""
    key = UUID(task_id)
    for wf in [workflow, *workflow.subprocesses.values()]:
        task = wf.tasks.get(key)
        if task is not None:
            return task
    return None


def lock_open_task(
    uow: UnitOfWork, task_id: str
) -> tuple[instance_rows.LockedInstance, instance_rows.TaskRef]:
    """Lock the instance of an open user task; TaskAlreadyCompleted when the task is closed."""
    locked, ref = instance_rows.lock_task_instance(uow, task_id)
    if ref.status != "open":
        raise TaskAlreadyCompleted(f"task {task_id} is already {ref.status}", task_id=task_id)
    if locked.status in ("completed", "terminated"):
        # PostgreSQL: the task row read may predate the completion that ended the instance.
        raise TaskAlreadyCompleted(
            f"task {task_id} is already closed: its instance is {locked.status}", task_id=task_id
        )
    return locked, ref
