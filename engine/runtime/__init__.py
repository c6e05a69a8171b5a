"""The runtime: the one path that changes an instance (DESIGN §2), and what it keeps up to date.

`service` is the step path (lock, restore, change, run, save) and the instance queries;
`lifecycle` suspends, resumes and terminates; `projections` derive what queries read from a
step; `history` records it; `views` are the shapes the API shows; `incidents` lists and retries
failed work; `waiting` lets a caller wait for an instance to settle; `triggers` moves an
instance on at a waiting receive task; `pruning` and `instance_cache` keep live workflows small
and at hand.
"""

from .history import HistoryService, StepRecord
from .incidents import IncidentService
from .lifecycle import ENDED, SUSPENDABLE
from .service import Change, RuntimeService, StepEffect, find_task, lock_open_task
from .triggers import TriggerService
from .views import TIMER_EVENT_TYPES, parse_iso

__all__ = [
    "ENDED",
    "SUSPENDABLE",
    "TIMER_EVENT_TYPES",
    "Change",
    "HistoryService",
    "IncidentService",
    "RuntimeService",
    "StepEffect",
    "StepRecord",
    "TriggerService",
    "find_task",
    "lock_open_task",
    "parse_iso",
]
