"""`flowbridge trigger`: move an instance on at a waiting receive task; `show` says how."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..runtime.test_triggers import MAPPED, PLAIN, document
from .test_cli import Run, as_json, cli, db_url, ok, refused  # noqa: F401


def started(cli: Run, tmp_path: Path, body: str, *options: str) -> dict[str, Any]:  # noqa: F811
    path = tmp_path / "p.bpmn"
    path.write_bytes(document(body))
    ok(cli("deploy", str(path)))
    instance: dict[str, Any] = as_json(cli("start", "p", "--json", *options))
    return instance


def test_trigger_moves_the_instance_on_with_its_variables(cli: Run, tmp_path: Path) -> None:  # noqa: F811
    instance = started(cli, tmp_path, MAPPED, "--var", "amount=21")
    shown = ok(cli("show", instance["id"])).stdout
    assert 'trigger    wait, local {"local": 42}; task ' in shown
    assert f"move on: flowbridge trigger {instance['id']} wait" in shown

    done = as_json(cli("trigger", instance["id"], "wait", "--var", 'note="ok"', "--json"))
    assert done["status"] == "completed"
    assert done["variables"] == {"amount": 21, "doubled": 42, "note": "ok"}


def test_trigger_prints_the_new_status_and_refuses_in_one_line(cli: Run, tmp_path: Path) -> None:  # noqa: F811
    instance = started(cli, tmp_path, PLAIN)
    assert ok(cli("trigger", instance["id"], "wait")).stdout.startswith(f"{instance['id']}  p v1  completed")
    refused(cli("trigger", instance["id"], "wait"), "is completed")
    refused(cli("trigger", "nope", "wait"), "no process instance nope")


def test_a_second_trigger_finds_nothing_waiting(cli: Run, tmp_path: Path) -> None:  # noqa: F811
    body = PLAIN.replace('<bpmn:endEvent id="e"/>', '<bpmn:userTask id="e"/>')
    instance = started(cli, tmp_path, body)
    ok(cli("trigger", instance["id"], "wait"))
    refused(
        cli("trigger", instance["id"], "wait"), f"instance {instance['id']} does not wait at receive task"
    )


def test_trigger_as_a_user_is_refused_unless_they_take_part(cli: Run, tmp_path: Path) -> None:  # noqa: F811
    instance = started(cli, tmp_path, PLAIN, "--user", "carol")
    refused(cli("trigger", instance["id"], "wait", "--user", "bob"), f"no process instance {instance['id']}")
    assert as_json(cli("show", instance["id"], "--json"))["status"] == "waiting"
    assert "completed" in ok(cli("trigger", instance["id"], "wait", "--user", "carol")).stdout
    assert "need --user" in cli("trigger", instance["id"], "wait", "--admin").output
