"""A worker process for tests/workers/test_crash.py (and a stand-in while `flowbridge worker` lacks options).

    python -m tests.workers.crash_worker URL [--concurrency N] [--lease S] [--idle S] [--microflows M,...]

Runs one `Worker` on the database at URL until SIGTERM or SIGINT, then stops after the running
jobs. It prints `ready` once its threads run. SIGKILL, of course, stops it anywhere.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from engine import Engine, Settings
from engine.workers import Worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.workers.crash_worker")
    parser.add_argument("url")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--lease", type=float, default=30.0, help="job lease in seconds")
    parser.add_argument("--idle", type=float, default=1.0, help="longest idle sleep in seconds")
    parser.add_argument("--microflows", default="tests.workers.crash_flows")
    args = parser.parse_args(argv)
    modules = tuple(m for m in args.microflows.split(",") if m)
    engine = Engine(
        Settings(database_url=args.url, models_path=Path("no-such-folder"), microflow_modules=modules)
    )
    worker = Worker(
        engine, concurrency=args.concurrency, lease_seconds=args.lease, max_idle_seconds=args.idle
    )
    stop = threading.Event()

    def request_stop(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    worker.start()
    print("ready", flush=True)
    while not stop.wait(0.5):
        pass
    worker.stop()
    engine.close()
    print(f"stopped: {worker.outcomes}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
