"""Running one claimed job: call its microflow (outside any lock) or fire its timer, then apply the
outcome through the runtime's one step path, finishing the job in that same transaction.

Delivery is at least once: a worker that dies after the microflow returned but before the step
committed leaves the job to be claimed again, and the microflow runs again with the same
idempotency key (the job id). A result is applied at most once: the step that applies it also
moves the job from `running` to `done`, and a task applies only the result of the job it waits for.
A job whose instance is suspended while it runs applies nothing (the step refuses the instance);
suspending held the job, and resuming queues it to run again (engine.lifecycle).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.util.task import TaskState

from .. import jobs
from ..errors import ConcurrentChange, EngineError, InstanceEnded, InstanceSuspended, NotFound
from ..jobs.call_threads import CallThreads
from ..jobs.calls import run_with_timeout
from ..jobs.outbox import INCIDENT, JOB_ID
from ..jobs.queue import ClaimedJob, JobStore
from ..microflows import BpmnError, CallContext, MicroflowRegistry
from ..runtime.service import RuntimeService, find_task
from ..store.models import Incident, utcnow
from ..store.unit_of_work import UnitOfWork
from ..variables import check_json

logger = logging.getLogger("flowbridge.jobs")

APPLY_ATTEMPTS = 5
"""How often applying an outcome is tried when another step changed the instance meanwhile."""
DEFERRED = "deferred"
"""The outcome of a job whose instance was suspended while it ran: nothing was applied, and
suspending gave the job back its attempt, to run again when the instance is resumed."""


JobKind = Callable[[ClaimedJob], str]
"""Runs a claimed job of a kind another service owns; the outcome's name."""


class MicroflowTimeout(Exception):
    """An attempt ran longer than its microflow's timeout and was abandoned."""


class JobLost(ConcurrentChange):
    """Another worker finished the job first (this worker's lease ran out): nothing is applied."""


JOB_THREADS = CallThreads("job microflow", 64)
"""The threads this process's workers run microflows in: a job's microflow that hangs past its
timeout holds one until it ends, so at most this many hang before new ones wait their retry."""


class JobRunner:
    """Runs claimed jobs of every kind."""

    def __init__(
        self,
        runtime: RuntimeService,
        store: JobStore,
        registry: MicroflowRegistry,
        kinds: Mapping[str, JobKind] | None = None,
        threads: CallThreads | None = None,
    ) -> None:
        self.runtime = runtime
        self.store = store
        self.registry = registry
        self.kinds: dict[str, JobKind] = dict(kinds or {})
        """Job kinds other services run (`message`: the MessageService), by kind."""
        self.threads = threads or JOB_THREADS
        """The threads jobs' microflows run in (one bound per process: hanging ones hold theirs)."""

    @classmethod
    def for_engine(cls, engine: Any) -> JobRunner:
        """A runner of every job kind the engine knows, its services' kinds included."""
        return cls(engine.runtime, engine.jobs, engine.registry, engine.job_kinds)

    def run(self, job: ClaimedJob) -> str:
        """Run one job to its outcome; the outcome's name (for logs and tests)."""
        try:
            if job.attempts > job.max_attempts:
                # Its workers died mid-attempt more often than it may be tried.
                return self._exhausted(job, "its worker stopped during every attempt")
            if job.kind == "microflow":
                return self._microflow(job)
            if job.kind == "timer":
                return self._timer(job)
            if job.kind == "call":
                return self._call(job)
            if job.kind == "start":
                return self._start(job)
            handler = self.kinds.get(job.kind)
            if handler is None:
                return self._finish_alone(job, "failed", error=f"unknown job kind '{job.kind}'")
            return handler(job)
        except Exception:
            logger.exception("job %s (%s) failed unexpectedly; its lease will expire", job.id, job.kind)
            return "crashed"

    # -- kinds ----------------------------------------------------------------------------------

    def _microflow(self, job: ClaimedJob) -> str:
        assert job.instance_id is not None and job.microflow is not None
        try:
            result = self._call_with_timeout(job)
        except BpmnError as err:
            error = err  # `err` is unbound after the except block; the lambda runs later
            routed = {"error_code": err.code, "error_message": err.message}
            return self._apply(
                job, lambda wf, task: wf.script_engine.fail_async(task, error), "bpmn_error", routed
            )
        except Exception as exc:
            return self._failed_attempt(job, _describe(exc, job))
        try:
            check_json(result, f"the result of microflow '{job.microflow}'")
        except EngineError as exc:
            return self._failed_attempt(job, exc.message)
        return self._apply(job, lambda wf, task: wf.script_engine.finish_async(task, result), "done", result)

    def _timer(self, job: ClaimedJob) -> str:
        assert job.instance_id is not None
        refused = self._step(job, lambda _wf, _record: None, _finisher(job), fire_timers=True)
        return refused or "done"

    def _start(self, job: ClaimedJob) -> str:
        """A deployment's timer start event: start the instance that waits for it."""

        try:
            # Finished in the start's own transaction: a worker that dies here starts nothing twice.
            self.runtime.start(
                job.payload["key"], version=job.payload.get("version"), finish=_finisher(job), at_trigger=True
            )
        except JobLost:
            return "lost"
        except EngineError as exc:
            return self._failed_attempt(job, exc.message)
        return "done"

    def _call(self, job: ClaimedJob) -> str:
        """A microflow called alone (not from a process): its result is the job's result."""
        try:
            result = self._call_with_timeout(job)
            check_json(result, f"the result of microflow '{job.microflow}'")
        except BpmnError as err:
            return self._finish_alone(job, "failed", error=f"BpmnError {err.code}: {err.message}")
        except EngineError as exc:
            return self._failed_attempt(job, exc.message)
        except Exception as exc:
            return self._failed_attempt(job, _describe(exc, job))
        return self._finish_alone(job, "done", result=result)

    # -- outcomes -------------------------------------------------------------------------------

    def _apply(self, job: ClaimedJob, outcome: Any, status: str, result: Any) -> str:
        """Apply a microflow's outcome to the task that waits for this job, or record it as stale."""
        applied = [False]

        def change(wf: Any, record: Any) -> None:
            task = find_task(wf, job.task_id or "")
            if (
                task is None
                or not task.has_state(TaskState.STARTED)
                or task.internal_data.get(JOB_ID) != job.id
            ):
                record.add(
                    "job_result_ignored",
                    element_id=job.element_id,
                    task_id=job.task_id,
                    data={"job_id": job.id, "reason": "the task no longer waits for this job"},
                )
                return
            record.add(
                "microflow_returned",
                element_id=job.element_id,
                element_name=task.task_spec.bpmn_name,  # the history names the element as drawn
                task_id=job.task_id,
                data={"job_id": job.id, "microflow": job.microflow, "result": result},
            )
            outcome(wf, task)
            applied[0] = True

        # A failing step here is the flow after the task failing (a script, a sync microflow).
        refused = self._step(job, change, _finisher(job, result))
        return refused or (status if applied[0] else "ignored")

    def _step(self, job: ClaimedJob, change: Any, finish: Any, fire_timers: bool = False) -> str | None:
        """Run the job's step on its instance (retrying concurrent changes); None when it was
        applied, else the job's outcome: lost, deferred (suspended), cancelled (the instance
        ended) or a failed attempt."""
        try:
            self._retrying(
                lambda: self.runtime.step(
                    job.instance_id or "", change, None, finish=finish, fire_timers=fire_timers
                )
            )
        except JobLost:
            return "lost"
        except InstanceSuspended:
            return DEFERRED
        except (InstanceEnded, NotFound) as exc:
            return self._finish_alone(job, "cancelled", error=exc.message)
        except EngineError as exc:
            return self._failed_attempt(job, exc.message)
        return None

    def _failed_attempt(self, job: ClaimedJob, error: str) -> str:
        if job.attempts < job.max_attempts:
            with UnitOfWork(self.store.db, write=True) as uow:
                jobs.retry_later(uow, job, error)
                uow.commit()
            return "retry"
        return self._exhausted(job, error)

    def _exhausted(self, job: ClaimedJob, error: str) -> str:
        """Raise an incident on the job's task: the instance waits there, visibly, for a retry."""
        if job.instance_id is None:
            return self._finish_alone(job, "failed", error=error)
        incident_id = str(uuid.uuid4())

        def change(wf: Any, record: Any) -> None:
            task = find_task(wf, job.task_id or "")
            if task is not None and task.internal_data.get(JOB_ID) == job.id:
                task.internal_data[INCIDENT] = {"id": incident_id, "error": error, "job_id": job.id}
            record.add(
                "incident_raised",
                element_id=job.element_id,
                task_id=job.task_id,
                data={"incident_id": incident_id, "job_id": job.id, "error": error},
            )

        def record_incident(uow: UnitOfWork) -> None:
            if not jobs.finish(uow, job, "failed", error=error):
                raise JobLost(f"job {job.id} was finished by another worker")
            uow.connection.execute(
                Incident.__table__.insert(),  # type: ignore[attr-defined]
                {
                    "id": incident_id,
                    "instance_id": job.instance_id,
                    "job_id": job.id,
                    "task_id": job.task_id,
                    "element_id": job.element_id,
                    "error": error,
                    "status": "open",
                    "created_at": utcnow(),
                    "resolved_at": None,
                },
            )

        try:
            self._retrying(
                lambda: self.runtime.step(job.instance_id or "", change, None, finish=record_incident)
            )
        except JobLost:
            return "lost"
        except InstanceSuspended:
            return DEFERRED
        except (InstanceEnded, NotFound) as exc:
            return self._finish_alone(job, "failed", error=f"{error} (and the instance: {exc.message})")
        return "incident"

    def _finish_alone(
        self, job: ClaimedJob, status: str, result: Any = None, error: str | None = None
    ) -> str:
        with UnitOfWork(self.store.db, write=True) as uow:
            jobs.finish(uow, job, status, result=result, error=error)
            uow.commit()
        return status

    # -- helpers --------------------------------------------------------------------------------

    def _call_with_timeout(self, job: ClaimedJob) -> Any:
        """Call the job's microflow in a thread of its own; abandon it after its timeout."""
        flow = self.registry.get(job.microflow or "")
        context = CallContext(
            microflow=flow.name,
            idempotency_key=job.id,
            instance_id=job.instance_id,
            task_id=job.task_id,
            element_id=job.element_id,
            headers=dict(job.payload.get("headers") or {}),
            fields=dict(job.payload.get("fields") or {}),
        )
        inputs = dict(job.payload.get("input") or {})
        return run_with_timeout(flow, inputs, context, job.timeout_seconds, self.threads)

    @staticmethod
    def _retrying(step: Any) -> Any:
        for attempt in range(APPLY_ATTEMPTS):
            try:
                return step()
            except JobLost:
                raise
            except ConcurrentChange:
                if attempt == APPLY_ATTEMPTS - 1:
                    raise
        return None


def _finisher(job: ClaimedJob, result: Any = None) -> Any:
    """The `finish` that marks the job done in the transaction of the step it ran: a job another
    worker finished meanwhile (its lease ran out) makes the step roll back (JobLost)."""

    def done(uow: UnitOfWork) -> None:
        if not jobs.finish(uow, job, "done", result=result):
            raise JobLost(f"job {job.id} was finished by another worker")

    return done


def _describe(exc: BaseException, job: ClaimedJob) -> str:
    if isinstance(exc, MicroflowTimeout):
        return str(exc)
    if isinstance(exc, EngineError):
        return exc.message
    return f"microflow '{job.microflow}' raised {type(exc).__name__}: {exc}"
