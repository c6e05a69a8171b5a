"""The runtime: the one path that changes an instance (DESIGN §2), and what it keeps up to date.

`service` is the step path (lock, restore, change, run, save) and the instance queries;
`lifecycle` suspends, resumes and terminates; `projections` derive what queries read from a
step; `history` records it (with `paths`, the element each one came from; `variable_changes`,
what a step changed; `readable_history`, the rows people read); `elements` are the
diagram's marks and one element's story; `views` are the shapes the API shows; `incidents`
lists and retries failed work; `waiting` lets a caller wait for an instance to settle;
`wait_details` words what it waits for; `triggers` moves an instance on at a waiting receive
task; `pruning` and `instance_cache` keep live workflows small and at hand; `statistics`
counts instances and incidents per definition and element (the cockpit's figures) and `bulk`
runs one action over many selected instances.
"""

from .bulk import BulkService
from .elements import ElementService, diagram_marks
from .history import HistoryService, StepRecord
from .incidents import IncidentService
from .instance_search import InstanceSearch
from .lifecycle import ENDED, SUSPENDABLE
from .readable_history import readable
from .service import Change, RuntimeService, StepEffect, find_task, lock_open_task
from .statistics import StatisticsService
from .triggers import TriggerService
from .views import TIMER_EVENT_TYPES, parse_iso
from .wait_details import WaitService

__all__ = [
    "ENDED",
    "SUSPENDABLE",
    "TIMER_EVENT_TYPES",
    "BulkService",
    "Change",
    "ElementService",
    "HistoryService",
    "IncidentService",
    "InstanceSearch",
    "RuntimeService",
    "StatisticsService",
    "StepEffect",
    "StepRecord",
    "TriggerService",
    "WaitService",
    "diagram_marks",
    "find_task",
    "lock_open_task",
    "parse_iso",
    "readable",
]
