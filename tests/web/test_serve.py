"""`flowbridge serve`: a real server process with its embedded workers; the app's error shape."""

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
from pathlib import Path
from typing import Any

from engine import Engine
from web import create_app

from ..conftest import ROOT

ASYNC_FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="served" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="serve_double"
        camunda:asyncBefore="true"/>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
MICROFLOW = """from engine import microflow


@microflow("serve_double")
def serve_double(n: int) -> dict:
    return {"doubled": n * 2}
"""


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_serve_runs_the_api_and_its_workers_until_sigterm(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "served.bpmn").write_text(ASYNC_FLOW)
    (models / "served_microflows.py").write_text(MICROFLOW)
    db = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    base = [sys.executable, "-m", "web.cli", "--db", db, "--models", str(models)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [*base, "serve", "--port", "0", "--workers", "2"], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        port = None
        lines = []
        deadline = time.time() + 120
        while port is None and time.time() < deadline:
            line = server.stdout.readline() if server.stdout else ""
            lines.append(line)
            found = re.search(r"serving http://127\.0\.0\.1:(\d+)", line)
            port = int(found.group(1)) if found else None
        assert port, lines
        assert "served version 1 (new)\n" in lines
        status, body = get(f"http://127.0.0.1:{port}/api/health")
        assert (status, body) == (200, {"database": "ok"})
        status, body = get(f"http://127.0.0.1:{port}/api/no-such-thing")
        assert status == 404 and body["error"]["code"] == "not_found"

        started = subprocess.run(
            [*base, "start", "served", "--var", "n=21", "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        instance_id = json.loads(started.stdout)["id"]
        shown: dict[str, Any] = {}
        deadline = time.time() + 120
        while time.time() < deadline:
            shown = json.loads(
                subprocess.run(
                    [*base, "show", instance_id, "--json"],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                ).stdout
            )
            if shown["status"] == "completed":
                break
            time.sleep(0.2)
        assert shown["status"] == "completed" and shown["variables"]["doubled"] == 42
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "flowbridge stopped" in out


def test_the_app_answers_errors_as_json(engine: Engine) -> None:
    client = create_app(engine).test_client()
    assert client.get("/api/health").get_json() == {"database": "ok"}
    answer = client.post("/api/health")
    assert answer.status_code == 405 and answer.get_json()["error"]["code"] == "method_not_allowed"
    assert client.get("/api/openapi.json").get_json()["paths"]["/api/health"]
