"""The server-rendered pages (DESIGN §6) on the `pages` blueprint: one module per area.

Views parse the request, call the engine's facade and render a template; they never touch the
database. `blueprint` holds the blueprint, its guards, error page and filters, and the helpers the
views share; `auth`, `tasks`, `processes`, `instances`, `incidents`, `cockpit` and `deploy` are the areas;
`forms` turns the engine's form descriptions into page forms and back; `explain` puts the error
page's refusals and failures into words; `task_filters` reads the task list's filters from the
address, and `task_next` says where completing a task leads; `instance_waits` (routes loaded with
`instances`) words an instance's waits and history and takes the administrators' acts on waits.
"""

from . import auth, cockpit, deploy, incidents, instances, processes, tasks  # noqa: F401  (their routes)
from .blueprint import pages

__all__ = ["pages"]
