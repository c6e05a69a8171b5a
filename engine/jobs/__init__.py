"""Jobs: durable rows that say "do this later" — an async microflow, a timer, a thrown message.

`outbox` is what a step writes in its own transaction (and what ends with an instance); `queue`
is what workers and clients do with the rows (claim, lease, finish, retry, query); `signal` wakes
idle worker threads; `calls` runs microflows called alone, blocking or as a job. The workers that
run jobs through the runtime live in `engine.workers`, above the runtime that writes them.
"""

from .calls import MicroflowService, microflow_view, run_with_timeout
from .outbox import (
    INCIDENT,
    JOB_DUE,
    JOB_ID,
    NOTIFY_CHANNEL,
    TASK_JOB_KINDS,
    JobPlan,
    cancel_for_instance,
    new_job,
    plan,
    resume_for_instance,
    save,
    suspend_for_instance,
    waiting_jobs,
)
from .queue import ClaimedJob, JobStore, finish, job_view, retry_later
from .signal import JobSignal

__all__ = [
    "INCIDENT",
    "JOB_DUE",
    "JOB_ID",
    "NOTIFY_CHANNEL",
    "TASK_JOB_KINDS",
    "ClaimedJob",
    "JobPlan",
    "JobSignal",
    "JobStore",
    "MicroflowService",
    "cancel_for_instance",
    "finish",
    "job_view",
    "microflow_view",
    "new_job",
    "plan",
    "resume_for_instance",
    "retry_later",
    "run_with_timeout",
    "save",
    "suspend_for_instance",
    "waiting_jobs",
]
