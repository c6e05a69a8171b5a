"""The database goes away under a live server: 503s, never 500s, and it recovers by itself.

`flowbridge serve` reaches PostgreSQL through a TCP proxy that the test controls. Taking the
proxy down refuses new connections and cuts the open ones (the pool's, the workers' listener),
as a database restart or a network failure does; bringing it back must be enough.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from ..conftest import POSTGRES_URL, postgres_schema
from .test_api_live import EXAMPLES, LiveServer, assert_error_shape, poll_job, served


class Proxy:
    """Forwards 127.0.0.1:<port> to a TCP address, until told to go down (and back up)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.up()
        self._thread = threading.Thread(target=self._accept, name="proxy", daemon=True)
        self._thread.start()

    def up(self) -> None:
        """Listen (again, on the same port)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener

    def down(self) -> None:
        """Refuse new connections and cut every open one."""
        with self._lock:
            listener, self._listener = self._listener, None
            opened, self._open = self._open, set()
        if listener is not None:
            listener.close()
        for sock in opened:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.down()
        self._stopped.set()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            with self._lock:
                listener = self._listener
            if listener is None:
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([listener], [], [], 0.05)
                if not ready:
                    continue
                client, _address = listener.accept()
            except (OSError, ValueError):  # closed by down() meanwhile
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    url = make_url(POSTGRES_URL)
    running = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield running
    running.close()


@pytest.fixture
def server(proxy: Proxy, tmp_path: Path) -> Iterator[LiveServer]:
    """`serve` on a PostgreSQL schema of its own, reached through the proxy."""
    through_proxy = make_url(POSTGRES_URL).set(host="127.0.0.1", port=proxy.port)
    with (
        postgres_schema(through_proxy.render_as_string(hide_password=False)) as url,
        served(url, EXAMPLES, tmp_path) as live,
    ):
        yield live


def wait_for(check: Any, seconds: float = 20) -> Any:
    """Call `check` until it returns something true; that value (or fail after `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def test_an_unreachable_database_is_503_and_the_server_recovers_by_itself(
    proxy: Proxy, server: LiveServer
) -> None:
    assert server.get("/api/health") == (200, {"database": "ok"})
    status, instance = server.post("/api/process-definitions/hello_task/start", {"variables": {}})
    assert status == 201, instance
    [task] = instance["tasks"]

    proxy.down()
    status, health = server.get("/api/health")
    assert status == 503 and health["database"].startswith("unavailable"), health
    for method, path, body in [
        ("GET", "/api/tasks", None),
        ("GET", f"/api/process-instances/{instance['id']}", None),
        ("GET", "/api/process-definitions", None),
        ("POST", "/api/process-definitions/hello_task/start", {"variables": {}}),
        ("POST", f"/api/tasks/{task['id']}/complete", {"variables": {"name": "Ada"}}),
    ]:
        for _attempt in range(2):  # the first meets the pool's cut connections, the next a refusal
            status, answer, headers = server.request(method, path, json_body=body)
            assert status == 503, (method, path, status, answer)
            assert headers["Content-Type"] == "application/json"
            assert_error_shape(answer, "database_unavailable")
    time.sleep(1.5)  # the embedded workers meet the outage too (they poll at least once a second)

    proxy.up()
    wait_for(lambda: server.get("/api/health") == (200, {"database": "ok"}))
    status, tasks = server.get("/api/tasks")
    assert status == 200 and [t["id"] for t in tasks["items"]] == [task["id"]]
    status, done = server.post(f"/api/tasks/{task['id']}/complete", {"variables": {"name": "Ada"}})
    assert (status, done["status"], done["variables"]["greeting"]) == (200, "completed", "Hello, Ada")
    # The workers are back too: an async call is run.
    call = {"input": {"customer_id": "C-1", "amount": 9000}, "mode": "async"}
    status, accepted = server.post("/api/microflows/credit_score/call", call)
    assert status == 202, accepted
    job = poll_job(server, accepted["job_id"])
    assert (job["status"], job["result"]) == ("done", 650), job

    assert "unexpected error" not in server.output(), server.output()
    server.stop()
    assert server.process.returncode == 0, server.output()
