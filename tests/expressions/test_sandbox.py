"""Scripts and conditions run sandboxed by default (issue 13 point 12, engine.expressions.sandbox):
the Python a model's author writes may compute, use the allowed modules and the engine's helpers,
but not import the machine, reach dunder attributes or frames, open files or start processes.
A refused script fails its step with the reason, and nothing of the step is saved.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from engine import Engine, Settings
from engine.errors import StepFailed
from engine.expressions.sandbox import SandboxedEnvironment, SandboxRefused
from engine.expressions.translate import FUNCTIONS

from ..builders import flow, model


def _script_model(script: str, key: str = "p") -> bytes:
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "run")
        + f'<bpmn:scriptTask id="run" scriptFormat="python"><bpmn:script>{escape(script)}</bpmn:script>'
        + "</bpmn:scriptTask>"
        + flow("run", "e")
        + '<bpmn:endEvent id="e"/>'
    )
    return model(body, key=key)


def _engine(tmp_path: Path, sandboxed: bool = True) -> Engine:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        models_path=tmp_path / "no-models",
        sandbox_scripts=sandboxed,
    )
    engine = Engine(settings, load_microflows=False)
    engine.upgrade()
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = _engine(tmp_path)
    yield eng  # type: ignore[misc]
    eng.close()


ALLOWED = """
import datetime, json, math
from decimal import Decimal
def double(n):
    return n * 2
total = 0
for item in items:
    total += item
doubled = [double(i) for i in items]
root = math.sqrt(16)
day = datetime.date(2026, 12, 3).isoformat()
text = json.dumps({"n": total}, sort_keys=True)
price = str(Decimal("1.10") + Decimal("2.20"))
first, second = items[:2]
counts = {}
counts["seen"] = len(items)
print("printing is harmless")
"""


def test_ordinary_scripts_run_sandboxed(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": _script_model(ALLOWED)})
    done = engine.runtime.start("p", {"items": [1, 2, 3]})
    assert done["status"] == "completed"
    variables = done["variables"]
    assert variables["total"] == 6 and variables["doubled"] == [2, 4, 6] and variables["root"] == 4.0
    assert variables["day"] == "2026-12-03" and variables["text"] == '{"n": 6}'
    assert variables["price"] == "3.30" and (variables["first"], variables["second"]) == (1, 2)
    assert variables["counts"] == {"seen": 3}
    assert not {"datetime", "json", "math", "Decimal", "double"} & set(variables)  # tools, not data


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("import os\nx = os.getcwd()", "may not import 'os'"),
        ("import subprocess", "may not import 'subprocess'"),
        ("from os import path", "may not import 'os'"),
        ("x = ().__class__.__base__.__subclasses__()", '"__class__" is an invalid attribute name'),
        ("x = open('/etc/passwd').read()", "name 'open' is not defined"),
        ("x = __import__('os')", '"__import__" is an invalid variable name'),
        ("x = eval('1 + 1')", "Eval calls are not allowed"),
        ("x = getattr(items, 'pop')", "name 'getattr' is not defined"),
        ("g = (i for i in items)\nx = g.gi_frame.f_back", '"gi_frame" is a restricted name'),
        ("import uuid\nx = uuid.os.getcwd()", "module 'uuid' has no attribute 'os' in a sandbox"),
        ("import json\nx = json.codecs", "module 'json' has no attribute 'codecs' in a sandbox"),
        ("x = '{0.__class__}'.format(items)", "format*() methods of `str` is not safe"),
    ],
)
def test_a_script_that_reaches_the_machine_is_refused_and_nothing_is_saved(
    engine: Engine, script: str, reason: str
) -> None:
    engine.repository.deploy({"p.bpmn": _script_model(script)})
    with pytest.raises(StepFailed) as failed:
        engine.runtime.start("p", {"items": [1, 2]})
    assert reason in failed.value.message, failed.value.message
    assert "run" in failed.value.message  # the element
    assert engine.runtime.list()["total"] == 0


def _gateway(big: str, small: str) -> str:
    return (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "x")
        + '<bpmn:exclusiveGateway id="x"/>'
        + flow("x", "big", big)
        + flow("x", "small", small)
        + '<bpmn:endEvent id="big"/><bpmn:endEvent id="small"/>'
    )


def test_conditions_and_translated_expressions_are_sandboxed_too(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": model(_gateway("amount.__class__ is int", "amount &lt;= 10"))})
    with pytest.raises(StepFailed, match="__class__"):
        engine.runtime.start("p", {"amount": 50})
    # JUEL and FEEL become Python that calls the engine's `_fb_*` helpers: those run.
    juel = _gateway("${amount &gt; 10}", "${amount &lt;= 10}")
    engine.repository.deploy({"q.bpmn": model(juel, key="q")})
    assert engine.runtime.start("q", {"amount": 50})["status"] == "completed"


def test_a_trusted_deployment_turns_the_sandbox_off(tmp_path: Path) -> None:
    engine = _engine(tmp_path, sandboxed=False)
    try:
        engine.repository.deploy({"p.bpmn": _script_model("import os\nsep = os.sep\ndel os")})
        assert engine.runtime.start("p", {})["variables"]["sep"] == "/"
    finally:
        engine.close()


def test_the_setting_is_read_from_the_environment() -> None:
    assert Settings.from_env({}).sandbox_scripts is True
    assert Settings.from_env({"FLOWBRIDGE_SANDBOX_SCRIPTS": "false"}).sandbox_scripts is False
    with pytest.raises(ValueError, match="FLOWBRIDGE_SANDBOX_SCRIPTS must be true or false"):
        Settings.from_env({"FLOWBRIDGE_SANDBOX_SCRIPTS": "maybe"})


def test_compiling_is_cached_and_a_refusal_names_the_construct() -> None:
    environment = SandboxedEnvironment(dict(FUNCTIONS))
    assert environment.evaluate("a + 1", {"a": 1}) == 2
    assert environment.evaluate("a + 1", {"a": 41}) == 42
    with pytest.raises(SandboxRefused, match="_secret"):
        environment.evaluate("a._secret", {"a": 1})
