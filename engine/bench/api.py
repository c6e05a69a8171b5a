"""The benchmark's API scenarios (DESIGN §8), measured through HTTP against `flowbridge serve`.

`tasklist`: "my tasks" (`GET /api/tasks?mine=true`) with 100,000 open tasks in the database,
one client, side by side with the same query made in this process. `http`: starts of the `auto`
flow, and starts plus completions of the `human` flow, from concurrent clients, each round
beside the same work done by as many threads in this process.

The server is a real `flowbridge serve` subprocess on the scenario's database, called with
bearer tokens over keep-alive connections (the standard library's `http.client`, one per client
thread). On a machine with few CPUs the clients share them with the server: the figures are
what one machine does, clients included.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from time import perf_counter, sleep
from typing import Any

from sqlalchemy import insert, select

from ..engine import Engine
from ..errors import StepFailed
from ..store import participants
from ..store.models import InstanceParticipant, ProcessInstance, TaskCandidate, UserTask
from .asynchronous import _MICROFLOW_FILE
from .common import AUTO_KEY, HUMAN_KEY, QUICK, Record, Sizes, interleave, p95, timing


@dataclass(frozen=True)
class ApiSizes:
    """How much the API scenarios measure."""

    tasklist_tasks: int
    """Open user tasks in the database while "my tasks" is measured."""
    tasklist_requests: int
    """Timed "my tasks" requests (and as many in-process queries beside them)."""
    http_per_client: int
    """Requests (`auto`) or cycles (`human`) each client makes per round."""
    http_rounds: int
    """Rounds per flow, each HTTP round beside an in-process one; figures are their medians."""


API_QUICK = ApiSizes(tasklist_tasks=2_000, tasklist_requests=40, http_per_client=8, http_rounds=1)
API_FULL = ApiSizes(tasklist_tasks=100_000, tasklist_requests=400, http_per_client=60, http_rounds=3)

HTTP_CLIENTS = 8
"""Concurrent clients (threads, one keep-alive connection each) in the `http` scenario."""
SERVE_THREADS = 8
"""`flowbridge serve --threads`: waitress's request threads."""
SERVE_WORKERS = 4
"""`flowbridge serve --workers`: embedded job worker threads (idle here; as `serve` runs them)."""
SERVE_START_SECONDS = 60.0
"""The longest the benchmark waits for `flowbridge serve` to listen."""
REQUEST_TIMEOUT_SECONDS = 60.0
"""The longest one benchmark request may take before the scenario fails."""


def api_sizes(sizes: Sizes) -> ApiSizes:
    """The API scenarios' sizes for a run's sizes (`--quick` or the full run)."""
    return API_QUICK if sizes == QUICK else API_FULL


# -- seeding "my tasks" -----------------------------------------------------------------------------

TASKLIST_USER = "bench-user"
"""The user whose "my tasks" the `tasklist` scenario asks for."""
TASKLIST_USER_GROUPS = ("group-7", "group-42", "group-137")
"""Their groups: 3 of the `TASKLIST_GROUPS` every offered task picks its candidate groups from."""
TASKLIST_GROUPS = 200
"""Candidate groups the seeded tasks are spread over."""
TASKLIST_OTHER_USERS = 1000
"""Other users: assignees and candidate users of the seeded tasks."""
TASKLIST_TEMPLATES = 4
"""Instances started through the engine whose rows the seeding clones."""
SEED_CHUNK = 5000
"""Rows inserted per statement while seeding."""


@dataclass(frozen=True)
class _Template:
    instance: dict[str, Any]
    task: dict[str, Any]


def _assignment(rng: random.Random) -> tuple[str | None, list[str], list[str]]:
    """A seeded task's assignee, candidate users and candidate groups.

    0.2 % are offered to nobody (open to all), 8 % were claimed (assigned, still carrying their
    groups), 4 % are offered to two users, the rest to one or two of the groups; the measured
    user is one of the users and belongs to three of the groups.
    """

    def user() -> str:
        n = rng.randrange(TASKLIST_OTHER_USERS)
        return TASKLIST_USER if n == 0 else f"user-{n}"

    def groups() -> list[str]:
        return [f"group-{g}" for g in sorted(rng.sample(range(TASKLIST_GROUPS), rng.choice((1, 2))))]

    roll = rng.random()
    if roll < 0.002:
        return None, [], []
    if roll < 0.082:
        return user(), [], groups()
    if roll < 0.122:
        return None, sorted({user(), user()}), []
    return None, [], groups()


def seed_open_tasks(engine: Engine, count: int, seed: int = 5) -> float:
    """Put `count` open user tasks (each in its own waiting `human` instance) in the database; seconds.

    Each instance has the participant rows the step path writes: a starter, and its task's people.

    A few instances are started through the engine; their rows are cloned with new ids (the
    task's id replaced in the stored state too, so every clone can be completed), spread over
    assignees and candidates by `_assignment`, created one every ten seconds up to now.
    """
    began = perf_counter()
    templates = []
    for _ in range(TASKLIST_TEMPLATES):
        instance = engine.runtime.start(HUMAN_KEY, {})
        (task,) = instance["tasks"]
        with engine.db.engine.connect() as conn:
            row = conn.execute(select(ProcessInstance).where(ProcessInstance.id == instance["id"])).one()
            task_row = conn.execute(select(UserTask).where(UserTask.id == task["id"])).one()
        templates.append(_Template(dict(row._mapping), dict(task_row._mapping)))
    rng = random.Random(seed)
    starters = random.Random(seed + 1)  # its own, so the tasks' assignments stay as they were
    newest = templates[-1].task["created_at"]
    instances: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    people: list[participants.Row] = []
    with engine.db.engine.begin() as conn:
        for index in range(count):
            template = templates[index % len(templates)]
            old_id = template.task["id"]
            instance_id, task_id = str(uuid.uuid4()), str(uuid.uuid4())
            at = newest - timedelta(seconds=10 * (count - index))
            instances.append(
                {
                    **template.instance,
                    "id": instance_id,
                    "state": template.instance["state"].replace(old_id, task_id),
                    "waiting": [{**w, "task_id": task_id} for w in template.instance["waiting"]],
                    "started_at": at,
                    "updated_at": at,
                }
            )
            assignee, users, groups = _assignment(rng)
            tasks.append(
                {
                    **template.task,
                    "id": task_id,
                    "instance_id": instance_id,
                    "assignee": assignee,
                    "candidate_users": users,
                    "candidate_groups": groups,
                    "open_to_all": not users and not groups,
                    "created_at": at,
                }
            )
            # As the store writes them (instance_rows): the task's age and assignment copied to candidates.
            copied = {"task_id": task_id, "assigned": assignee is not None, "created_at": at}
            candidates += [{**copied, "kind": "user", "name": u} for u in users]
            candidates += [{**copied, "kind": "group", "name": g} for g in groups]
            # Who takes part (store.participants): a starter of its own, and the task's people.
            starter = f"starter-{starters.randrange(TASKLIST_OTHER_USERS)}"
            seeded = participants.People(instance_id, at)
            seeded.user(starter)
            seeded.task(assignee, users, groups)
            people += seeded.rows.values()
            if len(instances) >= SEED_CHUNK or index == count - 1:
                conn.execute(insert(ProcessInstance), instances)
                conn.execute(insert(UserTask), tasks)
                if candidates:
                    conn.execute(insert(TaskCandidate), candidates)
                conn.execute(insert(InstanceParticipant), people)
                instances, tasks, candidates, people = [], [], [], []
    if not engine.db.is_sqlite:
        # What autovacuum does after a bulk insert (PostgreSQL 13+): statistics, and the
        # visibility map that lets index-only scans skip the table.
        with engine.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(
                "VACUUM ANALYZE process_instances, user_tasks, task_candidates, instance_participants"
            )
    return perf_counter() - began


# -- the server and its clients ---------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """A running `flowbridge serve`: where it listens and how it was started."""

    host: str
    port: int
    threads: int
    workers: int

    def note(self) -> str:
        return f"serve --threads {self.threads} --workers {self.workers}"


@contextmanager
def serve(url: str, threads: int = SERVE_THREADS, workers: int = SERVE_WORKERS) -> Iterator[Served]:
    """`flowbridge serve` on the database at `url` (models deployed already), stopped at the end.

    Its models folder holds only the bench microflows (the `auto` flow calls one); it listens
    on a free port it reports in its first line.
    """
    directory = Path(tempfile.mkdtemp(prefix="flowbridge-bench-serve-"))
    (directory / "bench_flows.py").write_text(_MICROFLOW_FILE)
    log_path = directory / "serve.log"
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    env.pop("FLOWBRIDGE_MICROFLOWS", None)
    command = [
        *(sys.executable, "-m", "web.cli", "--db", url, "--models", str(directory)),
        *("serve", "--port", "0", "--threads", str(threads), "--workers", str(workers)),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        port = _wait_listening(process, log_path)
        yield Served("127.0.0.1", port, threads, workers)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        shutil.rmtree(directory, ignore_errors=True)


def _wait_listening(process: subprocess.Popen[bytes], log_path: Path) -> int:
    began = perf_counter()
    while perf_counter() - began < SERVE_START_SECONDS:
        text = log_path.read_text(errors="replace")
        found = re.search(r"serving http://127\.0\.0\.1:(\d+)", text)
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            tail = " ".join(text.split()[-60:])
            raise StepFailed(f"flowbridge serve exited with code {process.returncode}: {tail}")
        sleep(0.05)
    raise StepFailed(f"flowbridge serve did not listen within {SERVE_START_SECONDS:g} s")


class Client:
    """One keep-alive HTTP connection to the server, with a bearer token."""

    def __init__(self, served: Served, token: str) -> None:
        self.connection = HTTPConnection(served.host, served.port, timeout=REQUEST_TIMEOUT_SECONDS)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        """The JSON answer; anything but the `expect`ed status fails the scenario."""
        payload = None if body is None else json.dumps(body)
        self.connection.request(method, path, body=payload, headers=self.headers)
        answer = self.connection.getresponse()
        data = answer.read()
        if answer.status != expect:
            raise StepFailed(f"{method} {path} answered {answer.status}, not {expect}: {data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.connection.close()


def _token(engine: Engine, name: str, groups: tuple[str, ...] = (), admin: bool = False) -> str:
    """A token of a new token-only user in `groups` (an administrator with `admin`)."""
    engine.accounts.create_user(name, None, groups=groups, admin=admin)
    secret, _view = engine.accounts.create_token(name)
    return secret


# -- tasklist ---------------------------------------------------------------------------------------

MY_TASKS = "/api/tasks?mine=true&limit=50"
"""The request `tasklist` measures: the first page of the caller's tasks."""


def scenario_tasklist(sizes: Sizes, engine: Engine, cold: Engine, raw: Any) -> list[Record]:
    """The "my tasks" request over the API with `tasklist_tasks` open tasks in the database.

    Batches of requests alternate with batches of the same query made in this process
    (`engine.tasks.list`), so the ratio is the API's cost over the query's on the same data.
    """
    api = api_sizes(sizes)
    seconds = seed_open_tasks(engine, api.tasklist_tasks)
    token = _token(engine, TASKLIST_USER, TASKLIST_USER_GROUPS)
    expected = engine.tasks.list(user=TASKLIST_USER, groups=[*TASKLIST_USER_GROUPS])
    with serve(engine.settings.database_url) as served:
        client = Client(served, token)
        try:

            def over_http(_index: int) -> dict[str, float]:
                start = perf_counter()
                page = client.call("GET", MY_TASKS)
                took = perf_counter() - start
                _check_page(page, expected)
                return {"request": took}

            def in_process(_index: int) -> dict[str, float]:
                start = perf_counter()
                engine.tasks.list(user=TASKLIST_USER, groups=[*TASKLIST_USER_GROUPS])
                return {"request": perf_counter() - start}

            rounds = max(1, api.tasklist_requests // 20)
            samples = interleave(
                {"api": (over_http, api.tasklist_requests // rounds), "engine": (in_process, 20)},
                rounds,
                warmup=10,
            )
        finally:
            client.close()
    notes = {
        "open_tasks": api.tasklist_tasks,
        "visible": expected["total"],
        "seeded_seconds": round(seconds, 1),
        "server": served.note(),
    }
    api_record = timing("my tasks via API", samples["api"]["request"], samples["engine"]["request"], **notes)
    api_record.extra["engine_median_ms"] = api_record.extra.pop("raw_median_ms")
    return [api_record, timing("my tasks, the query in-process", samples["engine"]["request"], **notes)]


def _check_page(page: dict[str, Any], expected: dict[str, Any]) -> None:
    ids = [t["id"] for t in page["items"]]
    if page["total"] != expected["total"] or ids != [t["id"] for t in expected["items"]]:
        raise StepFailed(
            f"the API's task list differs from the engine's: total {page['total']} "
            f"instead of {expected['total']}, {len(ids)} items"
        )


# -- http -------------------------------------------------------------------------------------------

AUTO_START = f"/api/process-definitions/{AUTO_KEY}/start"
HUMAN_START = f"/api/process-definitions/{HUMAN_KEY}/start"


@dataclass
class _Round:
    """One round of concurrent clients: how long it took and each request's latency by kind."""

    seconds: float
    latencies: dict[str, list[float]]


def _concurrently(clients: int, work: Callable[[int, dict[str, list[float]]], None]) -> _Round:
    """Run `work(client_index, latencies)` on `clients` threads released together; the round."""
    latencies: list[dict[str, list[float]]] = [{} for _ in range(clients)]
    errors: list[BaseException] = []
    ready = threading.Barrier(clients + 1)

    def run(index: int) -> None:
        try:
            ready.wait()
            work(index, latencies[index])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), name=f"bench-client-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    began = perf_counter()
    for thread in threads:
        thread.join()
    took = perf_counter() - began
    if errors:
        raise errors[0]
    merged: dict[str, list[float]] = {}
    for one in latencies:
        for kind, values in one.items():
            merged.setdefault(kind, []).extend(values)
    return _Round(took, merged)


def _timed(latencies: dict[str, list[float]], kind: str, call: Callable[..., Any], *args: Any) -> Any:
    start = perf_counter()
    result = call(*args)
    latencies.setdefault(kind, []).append(perf_counter() - start)
    return result


def _check_status(instance: dict[str, Any], status: str) -> None:
    if instance["status"] != status:
        raise StepFailed(f"instance {instance['id']} is {instance['status']}, not {status}")


def _http_auto(clients: list[Client], count: int) -> Callable[[int, dict[str, list[float]]], None]:
    def work(index: int, latencies: dict[str, list[float]]) -> None:
        client = clients[index]
        for i in range(count):
            body = {"variables": {"n": (index + i) % 6}}
            instance = _timed(latencies, "start", client.call, "POST", AUTO_START, body, 201)
            _check_status(instance, "completed")

    return work


def _engine_auto(engine: Engine, count: int) -> Callable[[int, dict[str, list[float]]], None]:
    def work(index: int, latencies: dict[str, list[float]]) -> None:
        for i in range(count):
            instance = _timed(latencies, "start", engine.runtime.start, AUTO_KEY, {"n": (index + i) % 6})
            _check_status(instance, "completed")

    return work


def _http_human(clients: list[Client], count: int) -> Callable[[int, dict[str, list[float]]], None]:
    def work(index: int, latencies: dict[str, list[float]]) -> None:
        client = clients[index]
        for _ in range(count):
            instance = _timed(latencies, "start", client.call, "POST", HUMAN_START, {"variables": {}}, 201)
            task = f"/api/tasks/{_only_task_id(instance)}/complete"
            done = _timed(latencies, "complete", client.call, "POST", task, {"variables": {}})
            _check_status(done, "completed")

    return work


def _engine_human(engine: Engine, count: int) -> Callable[[int, dict[str, list[float]]], None]:
    def work(index: int, latencies: dict[str, list[float]]) -> None:
        for _ in range(count):
            instance = _timed(latencies, "start", engine.runtime.start, HUMAN_KEY, {})
            done = _timed(latencies, "complete", engine.tasks.complete, _only_task_id(instance), {})
            _check_status(done, "completed")

    return work


def _only_task_id(instance: dict[str, Any]) -> str:
    tasks = instance.get("tasks") or []
    if len(tasks) != 1:
        raise StepFailed(f"instance {instance['id']} offers {len(tasks)} tasks instead of one")
    task_id: str = tasks[0]["id"]
    return task_id


def scenario_http(sizes: Sizes, engine: Engine, cold: Engine, raw: Any) -> list[Record]:
    """Starts of `auto`, and starts plus completions of `human`, from `HTTP_CLIENTS` clients.

    Each round through the API is followed by the same work on as many threads in this process
    (`engine.runtime.start`, `engine.tasks.complete`, no HTTP), so the ratio is what HTTP costs.
    """
    api = api_sizes(sizes)
    token = _token(engine, "bench-http")
    per_client = api.http_per_client
    records = []
    with serve(engine.settings.database_url) as served:
        clients = [Client(served, token) for _ in range(HTTP_CLIENTS)]
        try:
            flows = (
                ("auto", _http_auto(clients, per_client), _engine_auto(engine, per_client), "start"),
                ("human", _http_human(clients, per_client), _engine_human(engine, per_client), "complete"),
            )
            for flow, over_http, in_process, kind in flows:
                warm_up = max(2, per_client // 4)
                http_warm = _http_auto if flow == "auto" else _http_human
                engine_warm = _engine_auto if flow == "auto" else _engine_human
                _concurrently(HTTP_CLIENTS, http_warm(clients, warm_up))
                _concurrently(HTTP_CLIENTS, engine_warm(engine, warm_up))
                http_rounds, engine_rounds = [], []
                for _ in range(api.http_rounds):
                    http_rounds.append(_concurrently(HTTP_CLIENTS, over_http))
                    engine_rounds.append(_concurrently(HTTP_CLIENTS, in_process))
                records += _http_records(flow, kind, http_rounds, engine_rounds, served)
        finally:
            for client in clients:
                client.close()
    return records


def _http_records(
    flow: str, kind: str, http_rounds: list[_Round], engine_rounds: list[_Round], served: Served
) -> list[Record]:
    """A flow's instances per second through the API (the median of its rounds; ratio: the
    in-process rate over it), with the latency of its `kind` requests (and of its starts)."""
    per_round = sum(len(v) for v in http_rounds[0].latencies.values())
    rates = [len(r.latencies[kind]) / r.seconds for r in http_rounds]
    rate = statistics.median(rates)
    engine_rate = statistics.median([len(r.latencies[kind]) / r.seconds for r in engine_rounds])
    latencies = [v for r in http_rounds for v in r.latencies[kind]]
    extra: dict[str, Any] = {
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "latency_p95_ms": round(p95(latencies) * 1000, 2),
    }
    if kind != "start":
        starts = [v for r in http_rounds for v in r.latencies["start"]]
        extra["start_p50_ms"] = round(statistics.median(starts) * 1000, 2)
        extra["start_p95_ms"] = round(p95(starts) * 1000, 2)
    extra["requests_per_second"] = round(statistics.median([per_round / r.seconds for r in http_rounds]), 1)
    extra["in_process_per_second"] = round(engine_rate, 1)
    extra["clients"] = HTTP_CLIENTS
    extra["server"] = served.note()
    label = "auto: starts/s" if flow == "auto" else "human: start + complete, completions/s"
    ratio = engine_rate / rate if rate > 0 else None
    return [Record(f"{label}, {HTTP_CLIENTS} clients", rate, None, len(rates), "/s", ratio, extra)]
