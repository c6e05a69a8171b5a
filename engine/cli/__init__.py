"""The `flowbridge` command line (DESIGN §5a): one click group, one small module per area."""

from .app import main
from .bench import bench
from .db import db
from .definitions import definitions, deploy
from .instances import instances, show, start
from .tasks import complete, tasks

for command in (db, deploy, definitions, start, instances, show, tasks, complete, bench):
    main.add_command(command)

__all__ = ["main"]
