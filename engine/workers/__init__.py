"""Workers: threads that claim due jobs and run them, applying each outcome through the runtime.

`runner` runs one claimed job of any kind (a microflow outside any lock, a timer, a start, a
call, and the kinds other services own); `worker` is the pool of threads, leases and wake-ups.
"""

from .runner import JobRunner
from .worker import LEASE_SECONDS, Worker

__all__ = ["LEASE_SECONDS", "JobRunner", "Worker"]
