"""User tasks: the open tasks people see, claiming them and completing them through the runtime.

`service` holds the task service; `queries` the task list's SQL (its scopes and sorts);
`list_variables` what a list row shows of a task's variables; `instructions` SpiffArena's
instructions for the person doing a task; `microflow_calls` who may call a form's microflows.
"""

from .queries import SCOPES, SORTS
from .service import TaskService

__all__ = ["SCOPES", "SORTS", "TaskService"]
