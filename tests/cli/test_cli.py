"""`flowbridge` end to end through click, on a fresh SQLite file and the example models in bpmn/."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from engine import Engine, Settings
from engine.cli import main
from engine.cli.options import parse_vars
from engine.cli.output import parse_time

from ..conftest import EXAMPLES

Run = Callable[..., Result]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'x.sqlite3'}"


@pytest.fixture
def cli(db_url: str) -> Run:
    """Run `flowbridge --db <tmp> --models bpmn/ ARGS...` in-process."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner(env=env).invoke(main, ["--db", db_url, "--models", str(EXAMPLES), *args])

    return run


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result


def refused(result: Result, *words: str) -> str:
    """Exit 1 with one `error: ...` line on stderr, no traceback; returns the line."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def as_json(result: Result) -> Any:
    return json.loads(ok(result).stdout)


@pytest.fixture
def deployed(cli: Run) -> Run:
    ok(cli("deploy", str(EXAMPLES)))
    return cli


def start_hello(cli: Run) -> dict[str, Any]:
    return as_json(cli("start", "hello_task", "--json"))


# -- deploy ------------------------------------------------------------------------------------


def test_deploy_folder_prints_versions_then_unchanged(cli: Run) -> None:
    first = ok(cli("deploy", str(EXAMPLES))).stdout.splitlines()
    assert [line.split() for line in first] == [
        ["async_order", "version", "1", "(new)"],
        ["hello_task", "version", "1", "(new)"],
        ["loan_application", "version", "1", "(new)"],
        ["loan_approval", "version", "1", "(new)"],
        ["order_camunda7", "version", "1", "(new)"],
        ["order_camunda8", "version", "1", "(new)"],
        ["order_spiff", "version", "1", "(new)"],
        ["trip_booking", "version", "1", "(new)"],
    ]
    again = ok(cli("deploy", str(EXAMPLES))).stdout
    assert "hello_task        version 1 (unchanged)" in again
    assert "order_spiff       version 1 (unchanged)" in again


def test_deploy_changed_file_makes_a_new_version(cli: Run, tmp_path: Path) -> None:
    model = tmp_path / "hello_task.bpmn"
    model.write_bytes((EXAMPLES / "hello_task.bpmn").read_bytes())
    ok(cli("deploy", str(model)))
    model.write_text(model.read_text().replace('name="Say hello"', 'name="Say hi"'))
    assert as_json(cli("deploy", str(model), "--json")) == [
        {"id": 2, "key": "hello_task", "version": 2, "name": "Hello task", "created": True, "warnings": []}
    ]
    listed = ok(cli("definitions")).stdout
    assert "hello_task" in listed and " 2 " in listed


def test_deploy_may_choose_the_dialect(cli: Run) -> None:
    hello = str(EXAMPLES / "hello_task.bpmn")
    ok(cli("deploy", hello))
    assert "hello_task  version 2 (new)" in ok(cli("deploy", hello, "--dialect", "spiff")).stdout
    assert "unknown dialect 'jbpm'" in refused(cli("deploy", hello, "--dialect", "jbpm"))


def test_deploy_missing_file_is_refused(cli: Run, tmp_path: Path) -> None:
    refused(cli("deploy", str(tmp_path / "missing.bpmn")), "missing.bpmn", "No such file")


def test_deploy_empty_folder_is_refused(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    refused(cli("deploy", str(tmp_path / "empty")), "no .bpmn or .dmn files")


def test_deploy_xxe_file_is_refused(cli: Run, tmp_path: Path) -> None:
    evil = tmp_path / "evil.bpmn"
    evil.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        '<bpmn:process id="evil" isExecutable="true"><bpmn:documentation>&xxe;</bpmn:documentation>'
        "</bpmn:process></bpmn:definitions>\n"
    )
    line = refused(cli("deploy", str(evil)), "evil.bpmn", "DOCTYPE")
    assert "root:" not in line


def test_deploy_malformed_xml_names_file_and_line(cli: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text('<?xml version="1.0"?>\n<definitions>\n<process id="p">\n</definitions>\n')
    refused(cli("deploy", str(broken)), "broken.bpmn:")


# -- start, tasks, complete, show, instances ---------------------------------------------------


def test_start_json_is_the_instance_the_engine_returns(deployed: Run, db_url: str) -> None:
    started = start_hello(deployed)
    assert started["key"] == "hello_task" and started["status"] == "waiting"
    assert [t["element_id"] for t in started["tasks"]] == ["say_hello"]
    engine = Engine(Settings(database_url=db_url), load_microflows=False)
    try:
        shown = engine.runtime.get(started["id"])
        # `get` adds the instance's jobs (read from the job rows); a step's answer has none of its own.
        assert shown.pop("jobs") == []
        assert same_times(started) == same_times(shown)
    finally:
        engine.close()


def same_times(value: Any) -> Any:
    """`value` with every `*_at` timestamp as an aware datetime (SQLite reads them back naive)."""
    if isinstance(value, list):
        return [same_times(v) for v in value]
    if isinstance(value, dict):
        return {k: parse_time(v) if k.endswith("_at") else same_times(v) for k, v in value.items()}
    return value


def test_start_human_output_names_instance_status_and_task(deployed: Run) -> None:
    out = ok(deployed("start", "hello_task", "--business-key", "B-1", "--wait", "5")).stdout
    first, *rest = out.splitlines()
    instance_id, key, status = first.split()[0], first.split()[1], first.split()[-1]
    assert (key, status) == ("hello_task", "waiting")
    assert "waits on:" in rest[0]
    assert "Say hello" in out
    assert as_json(deployed("show", instance_id, "--json"))["business_key"] == "B-1"


def test_tasks_complete_and_show(deployed: Run) -> None:
    started = start_hello(deployed)
    page = as_json(deployed("tasks", "--json"))
    assert page["total"] == 1
    (task,) = page["items"]
    assert task["instance_id"] == started["id"] and task["element_id"] == "say_hello"

    table = ok(deployed("tasks")).stdout
    assert task["id"] in table and "hello_task" in table and "Say hello" in table

    done = ok(deployed("complete", task["id"], "--var", "name=Ada", "--user", "ada"))
    assert f"completed task {task['id']}" in done.stdout
    assert "completed" in done.stdout.splitlines()[1]

    shown = as_json(deployed("show", started["id"], "--json"))
    assert shown["status"] == "completed"
    assert shown["variables"] == {"name": "Ada", "greeting": "Hello, Ada"}
    assert shown["tasks"] == []

    human = ok(deployed("show", started["id"])).stdout
    assert "status       completed" in human
    assert 'greeting = "Hello, Ada"' in human
    assert "user_task_completed" in human and "by ada" in human
    assert "instance_completed" in human
    assert as_json(deployed("tasks", "--json"))["total"] == 0


def test_completing_a_task_twice_is_refused(deployed: Run) -> None:
    task_id = start_hello(deployed)["tasks"][0]["id"]
    ok(deployed("complete", task_id, "--var", 'name="Ada"'))
    refused(deployed("complete", task_id, "--var", 'name="Ada"'), "already")


def test_tasks_for_a_user_and_their_groups(deployed: Run) -> None:
    loan = as_json(
        deployed("start", "loan_approval", "--var", "customer_id=c-1", "--var", "amount=9000", "--json")
    )
    assert loan["status"] == "waiting"
    review = loan["tasks"][0]
    assert review["candidate_groups"] == ["credit_officers"]

    mine = as_json(deployed("tasks", "--user", "ann", "--json"))
    assert review["id"] not in [t["id"] for t in mine["items"]]
    officer = as_json(deployed("tasks", "--user", "ann", "--group", "credit_officers", "--json"))
    assert review["id"] in [t["id"] for t in officer["items"]]
    assert "groups:credit_officers" in ok(deployed("tasks")).stdout

    refused(deployed("complete", review["id"], "--user", "ann"), "not offered")
    ok(
        deployed(
            "complete", review["id"], "--user", "ann", "--group", "credit_officers", "--var", "approved=true"
        )
    )


def test_instances_filter_by_status_and_key(deployed: Run) -> None:
    waiting = start_hello(deployed)
    auto = as_json(
        deployed("start", "loan_approval", "--var", "customer_id=c-2", "--var", "amount=100", "--json")
    )
    assert auto["status"] == "completed"
    assert auto["variables"]["approved"] is True

    completed = as_json(deployed("instances", "--status", "completed", "--json"))
    assert [i["id"] for i in completed["items"]] == [auto["id"]] and completed["total"] == 1
    by_key = as_json(deployed("instances", "--key", "hello_task", "--json"))
    assert [i["id"] for i in by_key["items"]] == [waiting["id"]]

    table = ok(deployed("instances", "--status", "waiting")).stdout
    assert waiting["id"] in table and auto["id"] not in table
    assert ok(deployed("instances", "--status", "terminated")).stdout.strip() == "no process instances"


LOAN_VARS = (
    *("--var", "customer_id=c-1", "--var", "applicant=Ann", "--var", "email=ann@example.com"),
    *("--var", "amount=5000", "--var", "term_months=36"),
)


def test_user_sees_only_the_instances_they_take_part_in(deployed: Run) -> None:
    """`--user` (and `--group`) reads as that user would (DESIGN §6a): a loan application started
    by ann, its review offered to the credit officers, is not a warehouse clerk's to read."""
    loan = as_json(deployed("start", "loan_application", "--user", "ann", *LOAN_VARS, "--json"))
    officer = ("--user", "olga", "--group", "credit_officers")
    for who in (("--user", "ann"), officer, ()):
        page = as_json(deployed("instances", *who, "--json"))
        assert [i["id"] for i in page["items"]] == [loan["id"]], who
        assert as_json(deployed("show", loan["id"], *who, "--json"))["id"] == loan["id"]
    clerk = ("--user", "walt", "--group", "warehouse")
    assert as_json(deployed("instances", *clerk, "--json")) == {"items": [], "total": 0}
    assert ok(deployed("instances", *clerk)).stdout.strip() == "no process instances"
    refused(deployed("show", loan["id"], *clerk), f"no process instance {loan['id']}")
    assert as_json(deployed("incidents", *clerk, "--json")) == []
    assert deployed("instances", "--group", "warehouse").exit_code == 2  # --group needs --user


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    env = {"FLOWBRIDGE_DATABASE_URL": url, "FLOWBRIDGE_MODELS": str(EXAMPLES)}
    ok(CliRunner(env=env).invoke(main, ["deploy", str(EXAMPLES)]))
    assert (tmp_path / "env.sqlite3").exists()
    ok(CliRunner(env=env).invoke(main, ["db", "upgrade"]))


# -- refusals ----------------------------------------------------------------------------------


def test_start_unknown_key_is_refused(deployed: Run) -> None:
    refused(deployed("start", "no_such_process"), "no_such_process")


def test_complete_unknown_task_is_refused(deployed: Run) -> None:
    refused(deployed("complete", "00000000-0000-0000-0000-000000000000"), "no user task")


def test_show_unknown_instance_is_refused(deployed: Run) -> None:
    refused(deployed("show", "nope"), "no process instance")


@pytest.mark.parametrize("bad", ["name", "=1", " =1"])
def test_malformed_var_is_refused(deployed: Run, bad: str) -> None:
    refused(deployed("start", "hello_task", "--var", bad), "NAME=VALUE")


def test_step_failure_is_refused_without_traceback(deployed: Run) -> None:
    # The script does "Hello, " + name: a number cannot be added to a string.
    task_id = start_hello(deployed)["tasks"][0]["id"]
    refused(deployed("complete", task_id, "--var", "name=42"))
    assert as_json(deployed("tasks", "--json"))["total"] == 1


def test_unknown_microflow_module_is_refused(cli: Run) -> None:
    refused(cli("--microflows", "no_such_module_xyz", "instances"), "no_such_module_xyz")


def test_unreachable_postgresql_is_refused() -> None:
    result = CliRunner().invoke(main, ["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "instances"])
    refused(result, "unavailable", "127.0.0.1")


def test_usage_errors_exit_2(deployed: Run) -> None:
    assert deployed("instances", "--status", "bogus").exit_code == 2
    assert deployed("tasks", "--group", "g").exit_code == 2
    assert deployed("no-such-command").exit_code == 2


# -- --var values ------------------------------------------------------------------------------


def test_signal_reaches_nobody_and_says_so(cli: Run) -> None:
    result = ok(cli("signal", "nobody_listens", "--var", "level=2"))
    assert "no instance waits for signal 'nobody_listens'" in result.output
    assert as_json(cli("signal", "nobody_listens", "--json")) == {"delivered_to": [], "started": []}


def test_var_values_are_json_else_strings() -> None:
    assert parse_vars(
        [
            "n=42",
            "f=1.5",
            "b=true",
            "z=null",
            'l=[1, "a"]',
            'o={"k": 1}',
            's="Ada"',
            "plain=Ada Lovelace",
            "empty=",
            "nan=NaN",
            "eq=a=b",
        ]
    ) == {
        "n": 42,
        "f": 1.5,
        "b": True,
        "z": None,
        "l": [1, "a"],
        "o": {"k": 1},
        "s": "Ada",
        "plain": "Ada Lovelace",
        "empty": "",
        "nan": "NaN",
        "eq": "a=b",
    }


def test_start_as_a_user_honours_the_models_starters(cli: Run, tmp_path: Path) -> None:
    from ..web.test_api_starters import restricted

    (tmp_path / "orders.bpmn").write_bytes(restricted())
    ok(cli("deploy", str(tmp_path / "orders.bpmn")))
    refused(cli("start", "orders", "--user", "bob", "--group", "clerks"), "may not start process")
    manager = as_json(cli("start", "orders", "--user", "carol", "--group", "managers", "--json"))
    assert manager["status"] == "waiting"
    assert as_json(cli("start", "orders", "--json"))["status"] == "waiting"  # the operator's own start
