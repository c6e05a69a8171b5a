"""The `flowbridge` command line (DESIGN §5a): one click group, one small module per area."""

from .app import main
from .bench import bench
from .db import db
from .definitions import definitions, deploy
from .incidents import incidents
from .instances import instances, show, start
from .jobs import jobs
from .messages import message
from .tasks import complete, tasks
from .worker import worker

for command in (db, deploy, definitions, start, instances, show, tasks, complete, bench):
    main.add_command(command)

for command in (worker, incidents, jobs):
    main.add_command(command)
main.add_command(message)

__all__ = ["main"]
