"""The microflow of tests/workers/test_crash.py, imported by its worker processes
(`tests.workers.crash_flows`).

`crash_double` takes a few milliseconds, so a worker killed while jobs run is likely killed in
the middle of one, and appends one line per call (idempotency key, process id) to the file named
by $FLOWBRIDGE_CRASH_CALLS, so the test can count how often each job really ran. The line is
written with one `write` on a file opened with O_APPEND: lines of several processes never mix.
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

from engine import call_context, microflow

CALLS_ENV = "FLOWBRIDGE_CRASH_CALLS"
"""Environment variable naming the file every call is recorded in."""


@microflow("crash_double", mode="async", retries=20, backoff=0.05, timeout=30)
def crash_double(n: int) -> dict[str, Any]:
    """Double `n`, slowly (5-20 ms); record the call.

    Many retries: a job is charged an attempt whenever its worker dies holding it, and the test
    kills workers on purpose; the default three retries could turn a job into an incident.
    """
    context = call_context()
    path = os.environ.get(CALLS_ENV)
    if path and context is not None:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{context.idempotency_key} {os.getpid()}\n".encode())
        finally:
            os.close(fd)
    time.sleep(random.uniform(0.005, 0.02))
    return {"doubled": n * 2}
