"""`flowbridge bench --quick`: every scenario runs and reports figures (speed is judged from its output)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.bench.api import API_QUICK, HTTP_CLIENTS
from engine.bench.common import QUICK
from engine.bench.databases import describe_database, describe_database_safely, fresh_database
from engine.cli.bench import bench

from ..conftest import _PG_SKIP, POSTGRES_URL


@pytest.fixture(scope="module")
def quick_run() -> dict:
    result = CliRunner().invoke(bench, ["--quick", "--json", "--db", "sqlite"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def records(run: dict, scenario: str) -> dict[str, dict]:
    (database,) = run["databases"]
    return {r["figure"]: r for r in database["scenarios"][scenario]["records"]}


def test_machine_info(quick_run: dict) -> None:
    machine = quick_run["machine"]
    assert machine["spiffworkflow"] == "3.2.0"
    assert machine["python"]
    assert quick_run["quick"] is True
    assert quick_run["databases"][0]["database"] == "sqlite (temporary file)"


def test_every_scenario_has_positive_medians(quick_run: dict) -> None:
    scenarios = quick_run["databases"][0]["scenarios"]
    assert set(scenarios) == {"raw", "auto", "human", "loop", "async", "tasklist", "instances", "http"}
    for name, block in scenarios.items():
        assert block["records"], name
        for record in block["records"]:
            assert record["median"] > 0, (name, record)
            assert record["count"] > 0, (name, record)


def test_persisted_scenarios_have_positive_ratios(quick_run: dict) -> None:
    for name in ("auto", "human", "loop"):
        for figure, record in records(quick_run, name).items():
            assert record["ratio"] is not None and record["ratio"] > 0, (name, figure)


def test_raw_and_persisted_figures(quick_run: dict) -> None:
    raw = records(quick_run, "raw")
    assert {"auto: instance to end", "human: start + complete"} <= raw.keys()
    auto = records(quick_run, "auto")["instance to end"]
    assert auto["extra"]["per_second"] > 0 and auto["extra"]["raw_median_ms"] > 0
    human = records(quick_run, "human")
    assert {"start + complete", "start", "complete"} <= human.keys()


def test_loop_reports_the_10_and_100_points(quick_run: dict) -> None:
    loop = records(quick_run, "loop")
    for point in (10, 100):
        assert loop[f"step after {point}"]["count"] == 21
        assert loop[f"step after {point}, no instance cache"]["count"] == 21
        assert loop[f"step after {point}"]["extra"]["reference_median_ms"] > 0
        assert loop[f"state after {point}"]["unit"] == "B"
        assert loop[f"state after {point}"]["median"] > 0
    assert loop["state after 10"]["ratio"] == 1.0


def check_async(async_records: dict[str, dict]) -> None:
    """Round trips with the embedded worker (1 and 4 threads), and instances/s with it and with processes."""
    for threads in ("1 thread", "4 threads"):
        trip = async_records[f"round trip, embedded worker, {threads}"]
        assert trip["unit"] == "ms" and trip["count"] == QUICK.async_round_trips
        assert 0 < trip["median"] <= trip["p95"]
        rate = async_records[f"instances/s, embedded worker, {threads}"]
        assert rate["unit"] == "/s" and rate["median"] > 0
        assert 0 < rate["extra"]["latency_p50_ms"] <= rate["extra"]["latency_p95_ms"]
    (processes,) = QUICK.async_processes
    rate = async_records[f"instances/s, {processes} worker processes"]
    assert rate["unit"] == "/s" and rate["median"] > 0 and rate["count"] == QUICK.async_bursts


def test_async_round_trip_and_throughput(quick_run: dict) -> None:
    check_async(records(quick_run, "async"))


@pytest.mark.skipif(_PG_SKIP is not None, reason=_PG_SKIP or "")
def test_async_on_postgresql() -> None:
    result = CliRunner().invoke(bench, ["--quick", "--json", "--scenario", "async", "--db", POSTGRES_URL])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert "SQLite" not in run["databases"][0]["server"]
    check_async(records(run, "async"))


def check_tasklist(tasklist: dict[str, dict]) -> None:
    """The "my tasks" figures through `flowbridge serve` (each page is checked against the engine's)."""
    api, query = tasklist["my tasks via API"], tasklist["my tasks, the query in-process"]
    for record in (api, query):
        assert record["unit"] == "ms" and record["count"] == API_QUICK.tasklist_requests
        assert 0 < record["median"] <= record["p95"]
        assert record["extra"]["open_tasks"] == API_QUICK.tasklist_tasks
        assert 0 < record["extra"]["visible"] < API_QUICK.tasklist_tasks
    assert api["ratio"] > 0 and api["extra"]["engine_median_ms"] == query["median"]
    assert api["extra"]["server"].startswith("serve --threads")


def check_instances(instances: dict[str, dict]) -> None:
    """The instance list through `flowbridge serve`, as a participant of a few instances and as an
    administrator (each page is checked against the engine's, filtered in the query)."""
    for who in ("participant", "administrator"):
        api = instances[f"instances via API, {who}"]
        query = instances[f"instances, the query in-process, {who}"]
        for record in (api, query):
            assert record["unit"] == "ms" and record["count"] == API_QUICK.tasklist_requests
            assert 0 < record["median"] <= record["p95"]
            assert record["extra"]["instances"] == API_QUICK.tasklist_tasks
        assert api["ratio"] > 0 and api["extra"]["engine_median_ms"] == query["median"]
    participant = instances["instances via API, participant"]["extra"]["visible"]
    administrator = instances["instances via API, administrator"]["extra"]["visible"]
    assert 0 < participant < administrator
    # The seeded instances, plus the few the engine started to clone them from.
    assert administrator >= API_QUICK.tasklist_tasks


def check_http(http: dict[str, dict]) -> None:
    """Starts (auto) and starts plus completions (human) from concurrent clients, and in-process."""
    for figure in ("auto: starts/s", "human: start + complete, completions/s"):
        record = http[f"{figure}, {HTTP_CLIENTS} clients"]
        assert record["unit"] == "/s" and record["median"] > 0 and record["count"] == API_QUICK.http_rounds
        assert record["ratio"] > 0 and record["extra"]["in_process_per_second"] > 0
        assert 0 < record["extra"]["latency_p50_ms"] <= record["extra"]["latency_p95_ms"]
        assert record["extra"]["clients"] == HTTP_CLIENTS
    human = http[f"human: start + complete, completions/s, {HTTP_CLIENTS} clients"]
    assert human["extra"]["start_p95_ms"] > 0
    assert human["extra"]["requests_per_second"] > human["median"]


def test_tasklist_and_http_through_the_api(quick_run: dict) -> None:
    check_tasklist(records(quick_run, "tasklist"))
    check_instances(records(quick_run, "instances"))
    check_http(records(quick_run, "http"))


@pytest.mark.skipif(_PG_SKIP is not None, reason=_PG_SKIP or "")
def test_api_scenarios_on_postgresql() -> None:
    scenarios = ("--scenario", "tasklist", "--scenario", "instances", "--scenario", "http")
    result = CliRunner().invoke(bench, ["--quick", "--json", *scenarios, "--db", POSTGRES_URL])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert "SQLite" not in run["databases"][0]["server"]
    check_tasklist(records(run, "tasklist"))
    check_instances(records(run, "instances"))
    check_http(records(run, "http"))


def test_table_and_one_scenario() -> None:
    result = CliRunner().invoke(bench, ["--quick", "--scenario", "raw"])
    assert result.exit_code == 0, result.output
    assert "human: start + complete" in result.stdout
    assert "\nloop " not in result.stdout and "\nraw " in result.stdout


def test_unknown_database_is_refused() -> None:
    result = CliRunner().invoke(bench, ["--quick", "--db", "mysql://u:secret@host/db"])
    assert result.exit_code == 1
    assert "SQLite and PostgreSQL" in result.stderr
    assert "secret" not in result.output


def test_database_urls_are_masked() -> None:
    assert describe_database("sqlite") == "sqlite (temporary file)"
    assert "secret" not in describe_database("postgresql+psycopg://u:secret@h/db")
    assert describe_database_safely("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"


def test_sqlite_url_gets_a_fresh_file_beside_it(tmp_path) -> None:
    target = tmp_path / "mine.sqlite3"
    target.write_bytes(b"keep")
    with fresh_database(f"sqlite:///{target}") as url:
        assert str(tmp_path) in url and "mine.sqlite3" not in url
    assert target.read_bytes() == b"keep"
    assert list(tmp_path.iterdir()) == [target]
