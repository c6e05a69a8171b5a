"""The API over real HTTP: `flowbridge serve` in a subprocess, called with urllib.

Hostile uploads, an oversized body and malformed JSON against the live server, and the README's
curl session step by step. `LiveServer` is also what the fuzz and database-down tests serve with.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from web import MAX_UPLOAD_BYTES

from ..conftest import MODELS, ROOT

EXAMPLES = ROOT / "bpmn"


class LiveServer:
    """`python -m web.cli serve --port 0` on a database, with an administrator and their token."""

    def __init__(self, database_url: str, models: Path, log: Path, workers: int = 2) -> None:
        self.cli_prefix = [sys.executable, "-m", "web.cli", "--db", database_url, "--models", str(models)]
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.log = log
        self.cli("users", "create", "ada", "--admin", "--no-password")
        self.token = self.cli("tokens", "create", "ada").split()[-1]
        self.process = self._start(workers)
        self.url = f"http://127.0.0.1:{self._port()}"

    def cli(self, *args: str) -> str:
        """Run a `flowbridge` command on the server's database; its standard output."""
        done = subprocess.run(
            [*self.cli_prefix, *args], capture_output=True, text=True, env=self.env, timeout=60
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def _start(self, workers: int) -> subprocess.Popen[bytes]:
        with self.log.open("wb") as out:
            return subprocess.Popen(
                [*self.cli_prefix, "serve", "--port", "0", "--workers", str(workers)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
            )

    def _port(self) -> int:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"serving http://127\.0\.0\.1:(\d+)", self.output())
            if found:
                return int(found.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"the server did not start:\n{self.output()}")

    def output(self) -> str:
        """What the server printed so far (standard output and error)."""
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM, then wait for it to finish its running jobs and exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
        token: bool = True,
        timeout: float = 30,
    ) -> tuple[int, Any, dict[str, str]]:
        """One HTTP request; the status, the body (JSON when it is JSON) and the headers."""
        sent = {**(self.auth if token else {}), **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.url + path, data=body, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                status, raw, got = answer.status, answer.read(), dict(answer.headers)
        except urllib.error.HTTPError as err:
            status, raw, got = err.code, err.read(), dict(err.headers)
        try:
            return status, json.loads(raw), got
        except ValueError:
            return status, raw.decode(errors="replace"), got

    def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        status, body, _headers = self.request("GET", path, **kwargs)
        return status, body

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        status, body, _headers = self.request("POST", path, json_body=json_body, **kwargs)
        return status, body

    def deploy(self, *files: tuple[str, bytes]) -> tuple[int, Any]:
        """A multipart upload of `files`, as `curl -F files=@NAME` sends it."""
        boundary = uuid.uuid4().hex
        parts = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
            for name, content in files
        )
        body = parts + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, answer, _headers = self.request("POST", "/api/process-definitions", body, headers)
        return status, answer


@contextmanager
def served(database_url: str, models: Path, tmp_path: Path, workers: int = 2) -> Iterator[LiveServer]:
    """A live server for the block; stopped (and its log shown on failure) afterwards."""
    server = LiveServer(database_url, models, tmp_path / "serve.log", workers)
    try:
        yield server
    except BaseException:
        print(f"--- server output ---\n{server.output()}")
        raise
    finally:
        server.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on a fresh SQLite file with the example models of bpmn/ deployed."""
    tmp = tmp_path_factory.mktemp("live")
    with served(f"sqlite:///{tmp / 'live.sqlite3'}", EXAMPLES, tmp) as server:
        yield server


def assert_error_shape(body: Any, code: str | None = None) -> None:
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert {"code", "message", "details"} <= set(body["error"]), body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    if code is not None:
        assert body["error"]["code"] == code, body


def test_xxe_and_billion_laughs_uploads_are_400_and_deploy_nothing(live: LiveServer) -> None:
    status, before = live.get("/api/process-definitions")
    assert status == 200
    for name in ("xxe.bpmn", "billion_laughs.bpmn"):
        began = time.monotonic()
        status, body = live.deploy((name, (MODELS / name).read_bytes()))
        assert status == 400, (name, body)
        assert_error_shape(body)
        assert "root:" not in json.dumps(body), "the XXE read /etc/passwd"
        # Expanded, the laughs are 10^9 strings: minutes of work and gigabytes, not this.
        assert time.monotonic() - began < 60, f"{name}: the entities were expanded"
        # Together with a good file: the whole deployment is refused.
        status, body = live.deploy(
            (name, (MODELS / name).read_bytes()), ("ok.bpmn", (MODELS / "script.bpmn").read_bytes())
        )
        assert status == 400, (name, body)
    assert live.get("/api/process-definitions") == (200, before)
    for key in ("xxe", "billion_laughs", "script"):
        assert live.get(f"/api/process-definitions/{key}")[0] == 404, key


def test_an_oversized_body_is_413_with_the_error_shape(live: LiveServer) -> None:
    filler = b"<!-- " + b"x" * (MAX_UPLOAD_BYTES + 1024 * 1024) + b" -->"
    status, body = live.deploy(("huge.bpmn", filler))
    assert status == 413, body
    assert_error_shape(body, "too_large")
    status, body = live.post("/api/process-definitions/hello_task/start", body=filler)
    assert status == 413, body
    assert_error_shape(body, "too_large")
    assert live.get("/api/health") == (200, {"database": "ok"})


def test_malformed_json_is_400_and_other_media_types_415(live: LiveServer) -> None:
    json_type = {"Content-Type": "application/json"}
    instances = live.get("/api/process-instances")[1]["total"]
    for path in (
        "/api/process-definitions/hello_task/start",
        "/api/messages",
        "/api/microflows/credit_score/call",
        "/api/tasks/no-such-task/complete",
    ):
        for bad in (b"{not json", b'{"variables": ', b"\xff\xfe", b"[1, 2]", b'"text"', b"null"):
            status, body, headers = live.request("POST", path, bad, json_type)
            assert status == 400, (path, bad, body)
            assert headers["Content-Type"] == "application/json", (path, bad)
            assert_error_shape(body)
    # A body that is not JSON is refused, not ignored (it would start with default values).
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body, _headers = live.request("POST", "/api/process-definitions/hello_task/start", b"a=1", form)
    assert status == 415, body
    assert_error_shape(body, "unsupported_media_type")
    assert live.get("/api/process-instances")[1]["total"] == instances


def test_without_a_token_every_path_but_health_and_the_document_is_401(live: LiveServer) -> None:
    for path in ("/api/tasks", "/api/process-definitions", "/api/jobs/x"):
        status, body = live.get(path, token=False)
        assert status == 401, path
        assert_error_shape(body, "unauthorized")
    assert live.get("/api/health", token=False) == (200, {"database": "ok"})
    status, spec = live.get("/api/openapi.json", token=False)
    assert status == 200 and spec["openapi"].startswith("3.")
    status, body, headers = live.request("PATCH", "/api/tasks")
    assert status == 405 and "GET" in headers["Allow"]
    assert_error_shape(body, "method_not_allowed")


def poll_job(live: LiveServer, job_id: str, seconds: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        status, job = live.get(f"/api/jobs/{job_id}")
        assert status == 200, job
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.05)


def test_the_readme_curl_session(live: LiveServer) -> None:
    """README.md "HTTP API", step by step, as curl sends it."""
    assert live.get("/api/health", token=False) == (200, {"database": "ok"})
    # curl -F files=@bpmn/hello_task.bpmn .../api/process-definitions: serve deployed it already.
    status, deployed = live.deploy(("hello_task.bpmn", (EXAMPLES / "hello_task.bpmn").read_bytes()))
    assert status == 200, deployed
    assert [(d["key"], d["version"], d["created"]) for d in deployed] == [("hello_task", 1, False)]

    status, instance = live.post("/api/process-definitions/hello_task/start", {"variables": {}})
    assert status == 201, instance
    assert instance["status"] == "waiting"
    [task] = instance["tasks"]
    assert task["name"] == "Say hello"

    status, mine = live.get("/api/tasks?mine=true")
    assert status == 200 and task["id"] in [t["id"] for t in mine["items"]]
    status, found = live.get("/api/tasks?mine=true&q=hello&process_key=hello_task&sort=-created")
    assert status == 200 and found["items"][0]["id"] == task["id"]  # the newest first
    assert (found["items"][0]["process_name"], found["items"][0]["list_variables"]) == ("Hello task", [])
    status, count = live.get("/api/tasks/count")
    assert status == 200 and count["open"] >= 1

    status, done = live.post(f"/api/tasks/{task['id']}/complete", {"variables": {"name": "Ada"}})
    assert status == 200, done
    assert (done["status"], done["variables"]["greeting"]) == ("completed", "Hello, Ada")
    status, again = live.post(f"/api/tasks/{task['id']}/complete", {"variables": {"name": "Bob"}})
    assert status == 409 and again["error"]["code"] == "task_already_completed"

    status, flows = live.get("/api/microflows")
    assert status == 200 and {"credit_score", "reserve_stock", "price_order"} <= {f["name"] for f in flows}

    call = "/api/microflows/credit_score/call"
    status, answer = live.post(call, {"input": {"customer_id": "C-7", "amount": 9000}})
    assert (status, answer) == (200, {"result": 650})

    status, accepted, headers = live.request(
        "POST", call, json_body={"input": {"customer_id": "C-7", "amount": 3000}, "mode": "async"}
    )
    assert status == 202, accepted
    assert headers["Location"].endswith(f"/api/jobs/{accepted['job_id']}")
    job = poll_job(live, accepted["job_id"])
    assert (job["status"], job["result"], job["kind"]) == ("done", 750, "call")

    status, missing = live.get("/api/process-instances/no-such-instance")
    assert status == 404
    assert_error_shape(missing, "not_found")
