"""SpiffArena's script environment in SpiffArena models (issue 14 point 12,
engine.expressions.spiffarena): its globals without import, its import, dot access on dicts, the
task-data scripts of its backend, and preScript/postScript on every kind of activity.

Cases marked "spiff-arena" are ported from sartography/spiff-arena (LGPL 2.1):
`spiffworkflow-backend/tests/spiffworkflow_backend/unit/test_restricted_script_engine.py` and
`.../scripts/test_get_task_data_value.py`, `test_generate_markdown_table.py`, `test_get_localtime.py`.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from engine import Engine, Settings
from engine.errors import StepFailed
from engine.expressions.spiffarena import generate_markdown_table, get_localtime, task_data_scripts

from ..builders import flow, model

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def spiff_model(body: str, key: str = "p", roots: str = "") -> bytes:
    """A one-process document as SpiffArena's modeler saves it (only its namespace besides BPMN's)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="{BPMN}" '
        f'xmlns:spiffworkflow="{SPIFF}" xmlns:xsi="{XSI}" id="d" targetNamespace="t">{roots}'
        f'<bpmn:process id="{key}" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    ).encode()


def script_body(script: str) -> str:
    return (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "run")
        + f'<bpmn:scriptTask id="run"><bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>'
        + flow("run", "e")
        + '<bpmn:endEvent id="e"/>'
    )


def _engine(tmp_path: Path, sandboxed: bool) -> Engine:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'spiffarena.sqlite3'}",
        models_path=tmp_path / "no-models",
        sandbox_scripts=sandboxed,
    )
    engine = Engine(settings, load_microflows=False)
    engine.upgrade()
    return engine


@pytest.fixture(params=[True, False], ids=["sandboxed", "unsandboxed"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    eng = _engine(tmp_path, request.param)
    yield eng
    eng.close()


@pytest.fixture
def sandboxed(tmp_path: Path) -> Any:
    eng = _engine(tmp_path, True)
    yield eng
    eng.close()


def run(engine: Engine, script: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    engine.repository.deploy({"p.bpmn": spiff_model(script_body(script))})
    done = engine.runtime.start("p", variables or {})
    assert done["status"] == "completed"
    return dict(done["variables"])


# -- the globals -----------------------------------------------------------------------------------

GLOBALS = """
now = datetime.now().isoformat()
tomorrow = (datetime(2026, 1, 1) + timedelta(days=1)).isoformat()
parsed = datetime.strptime("2026-03-04", "%Y-%m-%d").day
stamp = time.time() > 0
uid = len(str(uuid.uuid4()))
text = json.dumps({"n": 1})
price = str(decimal.Decimal("1.10") + decimal.Decimal("2.20"))
pick = random.choice([7])
snake = re.sub(r"(?<!^)(?=[A-Z])", "_", "CamelCase").lower()
leap = calendar.isleap(2024)
md = sanitize_for_md("a_b (c)")
"""


def test_spiffarena_scripts_see_its_globals_without_import(engine: Engine) -> None:
    variables = run(engine, GLOBALS)
    assert variables["tomorrow"] == "2026-01-02T00:00:00" and variables["parsed"] == 4
    assert datetime.datetime.fromisoformat(variables["now"]).year >= 2026
    assert variables["stamp"] is True and variables["uid"] == 36 and variables["text"] == '{"n": 1}'
    assert variables["price"] == "3.30" and variables["pick"] == 7 and variables["snake"] == "camel_case"
    assert variables["leap"] is True and variables["md"] == r"a\_b \(c\)"
    # The tools are no data.
    assert not {"datetime", "timedelta", "json", "uuid", "sanitize_for_md"} & set(variables)


def test_conditions_see_the_globals_and_dot_access_too(engine: Engine) -> None:
    condition = "datetime.now().year >= 2026 and order.total > 10"
    body = (
        '<bpmn:startEvent id="s"/>'
        + flow("s", "x")
        + '<bpmn:exclusiveGateway id="x"/>'
        + flow("x", "big", escape(condition))
        + flow("x", "small", escape(f"not ({condition})"))
        + '<bpmn:scriptTask id="big"><bpmn:script>branch = "big"</bpmn:script></bpmn:scriptTask>'
        + '<bpmn:scriptTask id="small"><bpmn:script>branch = "small"</bpmn:script></bpmn:scriptTask>'
        + flow("big", "e")
        + flow("small", "e")
        + '<bpmn:endEvent id="e"/>'
    )
    engine.repository.deploy({"p.bpmn": spiff_model(body)})
    assert engine.runtime.start("p", {"order": {"total": 20}})["variables"]["branch"] == "big"
    assert engine.runtime.start("p", {"order": {"total": 5}})["variables"]["branch"] == "small"


def test_import_datetime_is_the_class_as_in_spiffarena_and_from_imports_work(sandboxed: Engine) -> None:
    variables = run(
        sandboxed,
        "import datetime\nyear = datetime.now().year\nfrom datetime import date, timedelta as td\n"
        "day = (date(2026, 1, 1) + td(days=2)).isoformat()",
    )
    assert variables["year"] >= 2026 and variables["day"] == "2026-01-03"


def test_spiffarena_can_import_preloaded_re_module(sandboxed: Engine) -> None:
    """spiff-arena: test_can_import_preloaded_re_module."""
    variables = run(sandboxed, "import re\nsnake_case = re.sub(r'(?<!^)(?=[A-Z])', '_', 'CamelCase').lower()")
    assert variables["snake_case"] == "camel_case"


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("import pkgutil", "may not import 'pkgutil'"),  # spiff-arena: test_cannot_import_unapproved_module
        ("import os\nx = os.environ", "may not import 'os'"),  # spiff-arena: read_env.bpmn
        ("x = open('/etc/passwd').read()", "name 'open' is not defined"),  # spiff-arena: read_etc_passwd.bpmn
        ("x = datetime.now().__class__", '"__class__" is an invalid attribute name'),
        ("x = json.codecs", "module 'json' has no attribute 'codecs' in a sandbox"),
        ("x = uuid.os.getcwd()", "module 'uuid' has no attribute 'os' in a sandbox"),
        ("x = re.enum", "module 're' has no attribute 'enum' in a sandbox"),
        ("x = order.__class__", '"__class__" is an invalid attribute name'),
        ("x = order._hidden", '"_hidden" is an invalid attribute name'),
    ],
)
def test_the_spiffarena_globals_stay_in_the_sandbox(sandboxed: Engine, script: str, reason: str) -> None:
    sandboxed.repository.deploy({"p.bpmn": spiff_model(script_body(script))})
    with pytest.raises(StepFailed) as failed:
        sandboxed.runtime.start("p", {"order": {"total": 1}})
    assert reason in failed.value.message, failed.value.message


def test_other_dialects_do_not_get_the_spiffarena_globals(tmp_path: Path) -> None:
    engine = _engine(tmp_path, True)
    try:
        # tests.builders declares Camunda's namespaces: a Camunda 7 model, where `time` is a variable.
        body = script_body("x = time").replace(
            '<bpmn:scriptTask id="run">', '<bpmn:scriptTask id="run" scriptFormat="python">'
        )
        engine.repository.deploy({"c.bpmn": model(body, key="c")})
        with pytest.raises(StepFailed, match="name 'time' is not defined"):
            engine.runtime.start("c", {})
        assert engine.runtime.start("c", {"time": 5})["variables"]["x"] == 5
    finally:
        engine.close()


def test_task_data_that_shadows_a_global_is_refused_as_in_spiffarena(sandboxed: Engine) -> None:
    sandboxed.repository.deploy({"p.bpmn": spiff_model(script_body("x = 1"))})
    with pytest.raises(StepFailed, match="overwrites a predefined function"):
        sandboxed.runtime.start("p", {"json": "text"})


# -- dot access ------------------------------------------------------------------------------------

DOTS = """
name = order.customer.name
order.total = order.total + 1
order.customer.city = "London"
order.lines[0].qty = 3
count = len(order.lines)
keys = sorted(order.keys())
has = order.get("total")
"""


def test_dot_access_reads_and_writes_dicts_and_they_stay_plain_dicts(engine: Engine) -> None:
    order = {"total": 5, "customer": {"name": "Ada"}, "lines": [{"qty": 1}]}
    variables = run(engine, DOTS, {"order": order})
    assert variables["name"] == "Ada" and variables["count"] == 1 and variables["has"] == 6
    assert variables["order"] == {
        "total": 6,
        "customer": {"name": "Ada", "city": "London"},
        "lines": [{"qty": 3}],
    }
    assert variables["keys"] == ["customer", "lines", "total"]
    assert type(variables["order"]) is dict and type(variables["order"]["customer"]) is dict


def test_a_dicts_methods_come_before_its_keys_as_with_box(engine: Engine) -> None:
    variables = run(engine, "n = len(list(order.items()))\norder.items = 'x'", {"order": {"items": [1]}})
    assert variables["n"] == 1 and variables["order"] == {"items": "x"}


def test_a_missing_key_by_dot_is_an_error_naming_it(engine: Engine) -> None:
    engine.repository.deploy({"p.bpmn": spiff_model(script_body("x = order.nothing"))})
    with pytest.raises(StepFailed, match="nothing"):
        engine.runtime.start("p", {"order": {}})


# -- the backend's scripts -------------------------------------------------------------------------


def test_task_data_scripts_in_a_model(engine: Engine) -> None:
    script = (
        "a = get_task_data_value('given', 'd')\n"
        "b = get_task_data_value('missing', 'the_default_value')\n"
        "c = get_task_data_value('empty', 'fallback')\n"
        "update_task_data_with_dictionary({'added': 1, 'given': 'changed'})\n"
        "picked = extract_from_task_data('tmp_')\n"
    )
    variables = run(engine, script, {"given": "g", "empty": None, "tmp_a": 1, "tmp_b": 2})
    assert (variables["a"], variables["b"], variables["c"]) == ("g", "the_default_value", "fallback")
    assert variables["added"] == 1 and variables["given"] == "changed"
    assert variables["picked"] == {"tmp_a": 1, "tmp_b": 2}
    assert "tmp_a" not in variables and "tmp_b" not in variables


def test_get_task_data_value_gives_the_default() -> None:
    """spiff-arena: test_get_task_data_value_script (there without a task; here over empty data)."""
    assert (
        task_data_scripts({})["get_task_data_value"]("the_var_name", "the_default_value")
        == "the_default_value"
    )


MD_ROWS = [
    {"name": "Alice", "age": 30, "created_at": 1609459200},
    {"name": "Bob", "age": 25, "created_at": 1609545600},
]


def test_generate_markdown_table() -> None:
    """spiff-arena: test_generate_markdown_table_script and its variants."""
    columns: list[Any] = [
        {"property": "name", "label": "Name"},
        {"property": "age", "label": "Age"},
        {
            "property": "created_at",
            "label": "Created At",
            "formatter": "convert_seconds_to_date_time_for_display",
        },
    ]
    expected = (
        "| Name | Age | Created At |\n"
        "| ---- | ---- | ---- |\n"
        "| Alice | 30 | SPIFF_FORMAT:::convert_seconds_to_date_time_for_display(1609459200) |\n"
        "| Bob | 25 | SPIFF_FORMAT:::convert_seconds_to_date_time_for_display(1609545600) |\n"
    )
    assert generate_markdown_table(columns=columns, data=MD_ROWS) == expected
    columns[0] = "name"  # string columns for ease of use
    assert generate_markdown_table(columns, MD_ROWS) == expected
    bars = [{"name": "Alice", "description": "Alice's description | with a vertical bar"}]
    assert generate_markdown_table(["name", {"property": "description", "label": "Description"}], bars) == (
        "| Name | Description |\n| ---- | ---- |\n| Alice | Alice's description \\| with a vertical bar |\n"
    )


def test_get_localtime() -> None:
    """spiff-arena: test_get_localtime_script_directly (zoneinfo for pytz)."""
    from zoneinfo import ZoneInfo

    now = datetime.datetime.now(datetime.UTC)
    result = get_localtime(datetime=now, timezone="US/Pacific")
    assert result == now.astimezone(ZoneInfo("US/Pacific")) and result.tzinfo == ZoneInfo("US/Pacific")
    assert get_localtime("2026-01-01T12:00:00+00:00").isoformat() == "2026-01-01T07:00:00-05:00"


def test_get_localtime_in_a_model(engine: Engine) -> None:
    variables = run(
        engine,
        "moment = datetime(2026, 7, 1, 12, 0, 0).isoformat() + '+00:00'\n"
        "localtime = get_localtime(moment, timezone).isoformat()",
        {"timezone": "US/Pacific"},
    )
    assert variables["localtime"] == "2026-07-01T05:00:00-07:00"


# -- preScript and postScript on every kind of activity ---------------------------------------------


def _scripts(element: str) -> str:
    return (
        "<bpmn:extensionElements>"
        f"<spiffworkflow:preScript>seen = seen + ['{element}:pre']</spiffworkflow:preScript>"
        f"<spiffworkflow:postScript>seen = seen + ['{element}:post']</spiffworkflow:postScript>"
        "</bpmn:extensionElements>"
    )


DECISION = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{DMN}" id="dd" name="d" namespace="t">
  <decision id="grade" name="Grade"><decisionTable id="t1">
    <input id="i1"><inputExpression id="ie1" typeRef="integer"><text>score</text></inputExpression></input>
    <output id="o1" name="grade" typeRef="string"/>
    <rule id="r1"><inputEntry id="e1"><text>&gt;= 50</text></inputEntry>
      <outputEntry id="x1"><text>"pass"</text></outputEntry></rule>
    <rule id="r2"><inputEntry id="e2"><text>&lt; 50</text></inputEntry>
      <outputEntry id="x2"><text>"fail"</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>""".encode()

ACTIVITIES = (
    '<bpmn:startEvent id="s"/>'
    + flow("s", "script")
    + f'<bpmn:scriptTask id="script">{_scripts("script")}<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
    + flow("script", "user")
    + f'<bpmn:userTask id="user">{_scripts("user")}</bpmn:userTask>'
    + flow("user", "manual")
    + f'<bpmn:manualTask id="manual">{_scripts("manual")}</bpmn:manualTask>'
    + flow("manual", "plain")
    + f'<bpmn:task id="plain">{_scripts("plain")}</bpmn:task>'
    + flow("plain", "service")
    + '<bpmn:serviceTask id="service"><bpmn:extensionElements>'
    + '<spiffworkflow:serviceTaskOperator id="double_it" resultVariable="doubled"><spiffworkflow:parameters>'
    + '<spiffworkflow:parameter id="n" type="int" value="x"/>'
    + "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
    + "<spiffworkflow:preScript>seen = seen + ['service:pre']</spiffworkflow:preScript>"
    + "<spiffworkflow:postScript>seen = seen + ['service:post']</spiffworkflow:postScript>"
    + "</bpmn:extensionElements></bpmn:serviceTask>"
    + flow("service", "rule")
    + '<bpmn:businessRuleTask id="rule"><bpmn:extensionElements>'
    + "<spiffworkflow:calledDecisionId>grade</spiffworkflow:calledDecisionId>"
    + "<spiffworkflow:preScript>seen = seen + ['rule:pre']\nscore = 70</spiffworkflow:preScript>"
    + "<spiffworkflow:postScript>seen = seen + ['rule:post']</spiffworkflow:postScript>"
    + "</bpmn:extensionElements></bpmn:businessRuleTask>"
    + flow("rule", "sub")
    + f'<bpmn:subProcess id="sub">{_scripts("sub")}<bpmn:startEvent id="ss"/>'
    + flow("ss", "inner")
    + '<bpmn:scriptTask id="inner"><bpmn:script>seen = seen + ["inner"]</bpmn:script></bpmn:scriptTask>'
    + flow("inner", "se")
    + '<bpmn:endEvent id="se"/></bpmn:subProcess>'
    + flow("sub", "call")
    + f'<bpmn:callActivity id="call" calledElement="called">{_scripts("call")}</bpmn:callActivity>'
    + flow("call", "loop")
    + '<bpmn:serviceTask id="loop"><bpmn:extensionElements>'
    + '<spiffworkflow:serviceTaskOperator id="double_it" resultVariable="again"><spiffworkflow:parameters>'
    + '<spiffworkflow:parameter id="n" type="int" value="x"/>'
    + "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
    + "<spiffworkflow:preScript>seen = seen + ['loop:pre']</spiffworkflow:preScript>"
    + "<spiffworkflow:postScript>seen = seen + ['loop:post']</spiffworkflow:postScript>"
    + '</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics isSequential="true">'
    + "<bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"
    + "</bpmn:serviceTask>"
    + flow("loop", "e")
    + '<bpmn:endEvent id="e"/>'
)

CALLED = (
    '<bpmn:startEvent id="cs"/>'
    + flow("cs", "ct")
    + '<bpmn:scriptTask id="ct"><bpmn:script>seen = seen + ["called"]</bpmn:script></bpmn:scriptTask>'
    + flow("ct", "ce")
    + '<bpmn:endEvent id="ce"/>'
)


def test_pre_and_post_scripts_run_on_every_kind_of_activity(sandboxed: Engine, microflows: Any) -> None:
    microflows("double_it", lambda n: n * 2)
    sandboxed.repository.deploy(
        {
            "p.bpmn": spiff_model(ACTIVITIES),
            "called.bpmn": spiff_model(CALLED, key="called"),
            "grade.dmn": DECISION,
        }
    )
    instance = sandboxed.runtime.start("p", {"seen": []})
    [user] = instance["tasks"]
    # SpiffWorkflow's Spiff parser (and so SpiffArena) gives a script task no pre- or postscript.
    assert user["variables"]["seen"] == ["user:pre"]
    instance = sandboxed.tasks.complete(user["id"], {})
    [manual] = instance["tasks"]
    instance = sandboxed.tasks.complete(manual["id"], {})
    [plain] = instance["tasks"]  # in SpiffArena models a plain task is a manual step
    done = sandboxed.tasks.complete(plain["id"], {})
    assert done["status"] == "completed", done
    variables = done["variables"]
    assert variables["doubled"] == 2 and variables["grade"] == "pass"
    assert variables["seen"] == [
        "user:pre",
        "user:post",
        "manual:pre",
        "manual:post",
        "plain:pre",
        "plain:post",
        "service:pre",
        "service:post",
        "rule:pre",
        "rule:post",
        "sub:pre",
        "inner",
        "sub:post",
        "call:pre",
        "called",
        "call:post",
        "loop:pre",
        "loop:post",
    ]
