"""The `flowbridge` command line (DESIGN §5a): one click group, one small module per area."""

from .app import main
from .bench import bench
from .db import db
from .definitions import definitions, deploy
from .incidents import incidents
from .instances import instances, resume, show, start, suspend, terminate
from .jobs import jobs
from .messages import message
from .microflows import call, microflows
from .signals import signal
from .tasks import assign, claim, complete, tasks, unclaim
from .triggers import trigger
from .users import tokens, users
from .worker import worker

for command in (db, deploy, definitions, start, instances, show, tasks, complete, bench):
    main.add_command(command)

for command in (worker, incidents, jobs):
    main.add_command(command)
main.add_command(message)
main.add_command(signal)
main.add_command(trigger)

for command in (suspend, resume, terminate, claim, unclaim, assign):
    main.add_command(command)
for command in (microflows, call):
    main.add_command(command)
for command in (users, tokens):
    main.add_command(command)

__all__ = ["main"]
