"""Microflows called alone, not from a process (DESIGN §3, "called directly over HTTP").

A blocking call runs the microflow in a thread of its own and waits for it, up to a timeout. A
non-blocking call writes a durable `call` job that a worker runs (`JobRunner._call`); the job's
`result` or `error` is the call's outcome, polled with `engine.jobs.get`.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any

from ..errors import CallsBusy, EngineError, InvalidInput, MicroflowFailed, MicroflowTimeout
from ..microflows import BpmnError, CallContext, Microflow, MicroflowRegistry
from ..store.database import Database
from ..store.models import utcnow
from ..store.unit_of_work import UnitOfWork
from ..variables import check_json, check_variables
from .call_threads import CallThreads
from .outbox import JobPlan, new_job, save
from .queue import JobStore
from .signal import JobSignal

logger = logging.getLogger("flowbridge.calls")

MAX_CALL_SECONDS = 30.0
"""The longest a blocking call waits for its microflow by default, whatever its own timeout says
(`Settings.max_call_seconds`, FLOWBRIDGE_MAX_CALL_SECONDS)."""
BLOCKING_THREADS = 32
"""Blocking calls running at once in one process, abandoned ones included."""
BLOCKING_PER_USER = 4
"""Blocking calls one user may have running at once."""
CALL_JOB_KIND = "call"
"""The job kind of a non-blocking call."""


def run_with_timeout(
    flow: Microflow,
    inputs: dict[str, Any],
    context: CallContext,
    timeout: float | None,
    threads: CallThreads,
    user: str | None = None,
) -> Any:
    """Call `flow` in a thread of its own and wait up to `timeout` seconds (None: without limit).

    Returns what the microflow returned and raises what it raised. Python cannot stop a thread:
    one that runs too long is left to finish alone, its result dropped, and MicroflowTimeout is
    raised; it keeps its place in `threads` until it ends (`call_threads`).
    """
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["result"] = flow.call(inputs, context)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    name = f"microflow-{flow.name}-{context.idempotency_key[:8]}"
    thread = threads.start(call, name, user)  # CallsBusy when the pool is full
    thread.join(timeout)
    if thread.is_alive():
        raise MicroflowTimeout(
            f"microflow '{flow.name}' ran longer than {timeout:g} s",
            microflow=flow.name,
            timeout_seconds=timeout,
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


class MicroflowService:
    """The registered microflows: list them, call one and wait, or queue a call as a job."""

    def __init__(
        self,
        db: Database,
        registry: MicroflowRegistry,
        store: JobStore,
        signal: JobSignal,
        threads: CallThreads | None = None,
        max_call_seconds: float = MAX_CALL_SECONDS,
    ) -> None:
        self.db = db
        self.registry = registry
        self.store = store
        self.signal = signal
        self.threads = threads or CallThreads("blocking microflow call", BLOCKING_THREADS, BLOCKING_PER_USER)
        """The threads blocking calls run in: bounded in all and per user."""
        self.max_call_seconds = max_call_seconds

    def list(self) -> list[dict[str, Any]]:
        """Every registered microflow, by name."""
        return [microflow_view(flow) for flow in self.registry]

    def get(self, name: str) -> dict[str, Any]:
        """One microflow, as `list` shows it; NotFound when none has that name."""
        return microflow_view(self.registry.get(name))

    def call(
        self, name: str, input: dict[str, Any], timeout_seconds: float | None = None, user: str | None = None
    ) -> Any:
        """Run microflow `name` with `input` and wait for its JSON result.

        Waits up to `timeout_seconds` (default: the microflow's own timeout; at most
        MAX_CALL_SECONDS). Raises NotFound, InvalidInput (input), MicroflowTimeout, or
        MicroflowFailed when the microflow raised (a BpmnError too) or returned what is not JSON.
        """
        flow = self.registry.get(name)
        inputs = checked_input(flow, input)
        limit = _timeout(flow, timeout_seconds, self.max_call_seconds)
        context = CallContext(microflow=flow.name, idempotency_key=str(uuid.uuid4()))
        logger.debug("call %s (%s) by %s", flow.name, context.idempotency_key, user or "-")
        try:
            result = run_with_timeout(flow, inputs, context, limit, self.threads, user)
        except (MicroflowTimeout, CallsBusy):
            raise
        except BpmnError as err:
            raise MicroflowFailed(
                f"microflow '{flow.name}' raised BpmnError {err.code}: {err.message}",
                microflow=flow.name,
                error_type="BpmnError",
                error_code=err.code,
                error_message=err.message,
            ) from err
        except Exception as exc:
            raise MicroflowFailed(
                f"microflow '{flow.name}' raised {type(exc).__name__}: {exc}",
                microflow=flow.name,
                error_type=type(exc).__name__,
                error_message=str(exc),
            ) from exc
        try:
            check_json(result, f"the result of microflow '{flow.name}'")
        except EngineError as exc:
            # The microflow's fault, not the caller's: a failure, not bad input.
            raise MicroflowFailed(
                exc.message, microflow=flow.name, error_type=type(exc).__name__, error_message=exc.message
            ) from exc
        return result

    def call_async(self, name: str, input: dict[str, Any], user: str | None = None) -> dict[str, Any]:
        """Queue a call of microflow `name` as a durable job; the job, as `jobs.get` shows it.

        Input is checked here (NotFound, InvalidInput). A worker runs the job with the
        microflow's retries, backoff and timeout; its result lands in the job's `result`, a
        failure after the last retry in `error` with status `failed` (no incident: there is
        no instance).
        """
        flow = self.registry.get(name)
        payload: dict[str, Any] = {"input": checked_input(flow, input)}
        if user is not None:
            payload["user"] = user
        now = utcnow()
        row = new_job(
            CALL_JOB_KIND,
            payload,
            now,
            microflow=flow.name,
            max_attempts=1 + flow.retries,
            backoff=flow.backoff,
            timeout=flow.timeout,
        )
        with UnitOfWork(self.db, write=True) as uow:
            save(uow, JobPlan(insert=[row]), now)
            uow.commit()
        self.signal.notify()
        return self.store.get(row["id"])


def microflow_view(flow: Microflow) -> dict[str, Any]:
    """The API's shape of a registered microflow."""
    return {
        "name": flow.name,
        "mode": flow.mode,
        "inputs": list(flow.input_names),
        "required_inputs": list(flow.required),
        "accepts_any_input": flow.accepts_all,
        "timeout_seconds": flow.timeout,
        "retries": flow.retries,
        "backoff_seconds": flow.backoff,
        "description": flow.description or None,
    }


def checked_input(flow: Microflow, input: Any) -> dict[str, Any]:
    """`input` if it is a JSON object that names every required input of `flow` and no unknown one."""
    where = f"the input of microflow '{flow.name}'"
    if not isinstance(input, dict):
        raise InvalidInput(f"{where} must be a JSON object, not {type(input).__name__}")
    check_variables(input, where)
    if not flow.accepts_all:
        unknown = sorted(n for n in input if n not in flow.input_names)
        if unknown:
            known = ", ".join(repr(n) for n in flow.input_names) or "none"
            raise InvalidInput(
                f"microflow '{flow.name}' has no input {', '.join(repr(n) for n in unknown)} "
                f"(its inputs: {known})",
                unknown=unknown,
                inputs=list(flow.input_names),
            )
    flow.bind(input)  # refuses missing required inputs
    return input


def _timeout(flow: Microflow, timeout_seconds: Any, most: float) -> float:
    if timeout_seconds is None:
        return min(flow.timeout, most)
    if (
        isinstance(timeout_seconds, bool)
        or not isinstance(timeout_seconds, int | float)
        or not math.isfinite(timeout_seconds)
        or timeout_seconds <= 0
    ):
        raise InvalidInput(f"timeout_seconds must be a positive number of seconds, not {timeout_seconds!r}")
    return min(float(timeout_seconds), most)
