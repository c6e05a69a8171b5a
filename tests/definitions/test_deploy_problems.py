"""Deploy tells all (issue 14, point 13): every problem of a deployment at once, each with file,
line, element and reason; warnings beside a deployment for what may still work later (a microflow
no registered module provides, a called process not deployed yet); no exception's repr."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine import Engine, InvalidModel
from engine.cli import main
from engine.definitions import parsing
from engine.definitions.dialects import normalize
from engine.definitions.safe_xml import parse_xml

from ..builders import flow, model
from ..conftest import MODELS, Api

GROOVY = (
    '<bpmn:scriptTask id="groovy" scriptFormat="groovy"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
)
NO_TIME = '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition/></bpmn:intermediateCatchEvent>'
NO_MICROFLOW = '<bpmn:serviceTask id="charge"/>'
GROOVY_REASON = "script task is written in groovy; Flowbridge runs Python"
NO_TIME_REASON = "timer has no time (timeDate, timeDuration or timeCycle)"
NO_MICROFLOW_REASON = "service task names no microflow"


def lines(body: str, key: str = "p") -> bytes:
    """The model with each element on a line of its own, so that problems have distinct lines."""
    return model(body, key).replace(b"><", b">\n<")


def chain(*nodes: str, prefix: str = "") -> str:
    """A start event, then the nodes in a row (their ids read from them), then an end event."""
    start, end = f"{prefix}s", f"{prefix}e"
    ids = [start, *(re.search(r'id="([^"]+)"', n).group(1) for n in nodes), end]  # type: ignore[union-attr]
    flows = "".join(flow(a, b) for a, b in itertools.pairwise(ids))
    return f'<bpmn:startEvent id="{start}"/>' + "".join(nodes) + f'<bpmn:endEvent id="{end}"/>' + flows


def refusal(engine: Engine, files: dict[str, bytes]) -> InvalidModel:
    with pytest.raises(InvalidModel) as refused:
        engine.repository.deploy(files)
    return refused.value


def problems_of(refused: InvalidModel) -> list[tuple[Any, ...]]:
    return [(p["file"], p["element"], p["reason"]) for p in refused.details["problems"]]


# -- every problem at once -----------------------------------------------------------------------


def test_every_problem_of_a_file_is_named_at_once(engine: Engine) -> None:
    refused = refusal(engine, {"order.bpmn": lines(chain(GROOVY, NO_TIME))})
    assert problems_of(refused) == [
        ("order.bpmn", "groovy", GROOVY_REASON),
        ("order.bpmn", "wait", NO_TIME_REASON),
    ]
    first, second = refused.details["problems"]
    assert isinstance(first["line"], int) and first["line"] < second["line"]
    assert first["message"] == f"order.bpmn:{first['line']}: scriptTask 'groovy': {GROOVY_REASON}"
    assert refused.message == f"2 problems in order.bpmn: {first['message']}; {second['message']}"


def test_the_parsers_first_error_follows_the_rewrites_problems(engine: Engine) -> None:
    # SpiffWorkflow's parse checks what the rewrite does not (a service task names its microflow):
    # it reaches the service task although the rewrite refused two elements before it.
    refused = refusal(engine, {"order.bpmn": lines(chain(GROOVY, NO_TIME, NO_MICROFLOW))})
    assert [p[1] for p in problems_of(refused)] == ["groovy", "wait", "charge"]
    assert refused.details["problems"][2]["reason"].startswith(NO_MICROFLOW_REASON)
    for reason in (GROOVY_REASON, NO_TIME_REASON, NO_MICROFLOW_REASON):
        assert reason in refused.message


def test_what_the_parser_says_of_a_refused_element_is_not_repeated(engine: Engine) -> None:
    # Both the rewrite and SpiffWorkflow refuse a multi-instance activity with nothing to loop over.
    loop = '<bpmn:task id="each"><bpmn:multiInstanceLoopCharacteristics/></bpmn:task>'
    refused = refusal(engine, {"p.bpmn": lines(chain(loop))})
    [(file, element, reason)] = problems_of(refused)
    assert (file, element) == ("p.bpmn", "each")
    assert reason == "multi-instance activity names neither a cardinality nor a collection to loop over"


def test_every_refused_expression_of_a_concern_is_named(engine: Engine) -> None:
    gateway = '<bpmn:exclusiveGateway id="gw" default="gw_c"/><bpmn:task id="a"/><bpmn:task id="b"/>'
    body = (
        '<bpmn:startEvent id="s"/>'
        + gateway
        + '<bpmn:task id="c"/>'
        + flow("s", "gw")
        + flow("gw", "a", "${bean.check(x)}")
        + flow("gw", "b", "${other.check(x)}")
        + flow("gw", "c")
    )
    refused = refusal(engine, {"p.bpmn": lines(body)})
    assert [p[1] for p in problems_of(refused)] == ["gw_a", "gw_b"]
    assert "method call 'bean.check(x)' is not supported" in refused.message
    assert "method call 'other.check(x)' is not supported" in refused.message


def test_every_file_of_a_deployment_is_checked(engine: Engine) -> None:
    files = {
        "broken.bpmn": (MODELS / "broken.bpmn").read_bytes(),
        "scripts.bpmn": lines(chain(GROOVY), "scripts"),
        "fine.bpmn": (MODELS / "script.bpmn").read_bytes(),
        "timers.bpmn": lines(chain(NO_TIME), "timers"),
    }
    refused = refusal(engine, files)
    assert [(p[0], p[1]) for p in problems_of(refused)] == [
        ("broken.bpmn", None),
        ("scripts.bpmn", "groovy"),
        ("timers.bpmn", "wait"),
    ]
    assert refused.details["problems"][0]["line"] == 5
    assert refused.message.startswith("3 problems in broken.bpmn, scripts.bpmn, timers.bpmn: broken.bpmn:5: ")
    assert engine.repository.list_latest() == []  # nothing of a refused deployment is stored


def test_every_missing_decision_is_named(engine: Engine) -> None:
    rule = '<bpmn:businessRuleTask id="{0}"><bpmn:extensionElements><spiffworkflow:calledDecisionId>{0}_table'
    rule += "</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>"
    refused = refusal(engine, {"rules.bpmn": lines(chain(rule.format("price"), rule.format("risk")))})
    assert [p[1] for p in problems_of(refused)] == ["price", "risk"]
    assert "decision 'price_table', which is not in this deployment" in refused.message
    assert "decision 'risk_table', which is not in this deployment" in refused.message


def test_one_problem_keeps_its_message_and_details(engine: Engine) -> None:
    refused = refusal(engine, {"p.bpmn": lines(chain(GROOVY))})
    [problem] = refused.details["problems"]
    assert (
        refused.message
        == problem["message"]
        == f"p.bpmn:{problem['line']}: scriptTask 'groovy': {GROOVY_REASON}"
    )
    assert (refused.details["line"], refused.details["element"]) == (problem["line"], "groovy")


def test_a_refusal_raised_with_a_message_only_is_one_problem() -> None:
    refused = InvalidModel("model.bpmn:12: userTask 'review': names form file 'x.form', which is missing")
    assert refused.details["problems"] == [
        {
            "file": "model.bpmn",
            "line": 12,
            "element": "review",
            "reason": "names form file 'x.form', which is missing",
            "message": refused.message,
        }
    ]


def test_normalize_alone_raises_once_naming_every_problem() -> None:
    tree = parse_xml(lines(chain(GROOVY, NO_TIME)), "p.bpmn")
    with pytest.raises(InvalidModel) as refused:
        normalize(tree, "p.bpmn")
    assert [p["element"] for p in refused.value.details["problems"]] == ["groovy", "wait"]
    found: list[dict[str, Any]] = []
    normalize(tree, "p.bpmn", found)
    assert [p["element"] for p in found] == ["groovy", "wait"]


def test_an_unexpected_parser_failure_shows_no_exception_type_or_repr(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(specs: Any) -> None:
        raise KeyError("Flow_7")

    monkeypatch.setattr(parsing.specs, "arm", broken)
    refused = refusal(engine, {"script.bpmn": (MODELS / "script.bpmn").read_bytes()})
    assert refused.message == (
        "script.bpmn: process 'script' cannot be parsed: it refers to 'Flow_7', which it does not define"
    )
    assert "KeyError" not in refused.message and '"' not in refused.message


# -- warnings beside a deployment ----------------------------------------------------------------


def test_a_service_task_calling_an_unregistered_microflow_is_a_warning(
    engine: Engine, microflows: Callable[..., None]
) -> None:
    [deployed] = engine.repository.deploy({"svc.bpmn": (MODELS / "service_camunda7.bpmn").read_bytes()})
    assert deployed.created
    [warning] = deployed.warnings
    assert re.fullmatch(
        r"svc\.bpmn:15: serviceTask 'call_microflow': calls microflow 'add', "
        r"which no registered module provides",
        warning,
    ), warning
    microflows("add", lambda a, b: a + b)
    [again] = engine.repository.deploy({"svc.bpmn": (MODELS / "service_camunda7.bpmn").read_bytes()})
    assert (again.created, again.warnings) == (False, ())


@pytest.mark.parametrize("name", ["service_spiff.bpmn", "service_zeebe.bpmn"])
def test_every_dialects_microflow_is_checked(engine: Engine, name: str) -> None:
    [deployed] = engine.repository.deploy({name: (MODELS / name).read_bytes()})
    [warning] = deployed.warnings
    assert warning.startswith(f"{name}:") and "calls microflow 'add', which no registered module" in warning


def test_a_zeebe_job_worker_on_an_end_event_is_checked(engine: Engine) -> None:
    end = (
        '<bpmn:endEvent id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="notify_shop"/>'
        "</bpmn:extensionElements></bpmn:endEvent>"
    )
    body = '<bpmn:startEvent id="s"/>' + end + flow("s", "notify")
    [deployed] = engine.repository.deploy({"z.bpmn": lines(body)})
    assert [re.sub(r":\d+:", ":N:", w) for w in deployed.warnings] == [
        "z.bpmn:N: endEvent 'notify': calls microflow 'notify_shop', which no registered module provides"
    ]


def test_a_camunda7_class_is_found_by_its_simple_name(
    engine: Engine, microflows: Callable[..., None]
) -> None:
    task = '<bpmn:serviceTask id="remind" camunda:class="com.acme.SendReminder"/>'
    [deployed] = engine.repository.deploy({"c.bpmn": lines(chain(task))})
    [warning] = deployed.warnings
    assert "calls microflow 'com.acme.SendReminder' (or 'SendReminder'), which no registered" in warning
    microflows("SendReminder", lambda: None)
    [again] = engine.repository.deploy({"c.bpmn": lines(chain(task))})
    assert again.warnings == ()


def test_a_microflow_of_a_subprocess_is_its_process_warning(engine: Engine) -> None:
    inner = (
        '<bpmn:subProcess id="sub">'
        + chain('<bpmn:serviceTask id="pay" camunda:type="external" camunda:topic="pay"/>', prefix="sub_")
        + "</bpmn:subProcess>"
    )
    caller = '<bpmn:callActivity id="call" calledElement="p"/>'
    files = {"sub.bpmn": lines(chain(inner)), "caller.bpmn": lines(chain(caller), "caller")}
    deployed = {d.key: d.warnings for d in engine.repository.deploy(files)}
    # The subprocess's task warns in its own process only, not again in the process calling it.
    assert [w.split(": ", 1)[1] for w in deployed["p"]] == [
        "serviceTask 'pay': calls microflow 'pay', which no registered module provides"
    ]
    assert deployed["caller"] == ()


# -- clients -------------------------------------------------------------------------------------


def test_the_api_answers_every_problem(api: Api) -> None:
    status, body = api.deploy(("order.bpmn", lines(chain(GROOVY, NO_TIME))))
    assert status == 400
    error = body["error"]
    assert error["code"] == "invalid_model"
    assert error["message"].startswith("2 problems in order.bpmn: ")
    assert [(p["file"], p["element"], p["reason"]) for p in error["details"]["problems"]] == [
        ("order.bpmn", "groovy", GROOVY_REASON),
        ("order.bpmn", "wait", NO_TIME_REASON),
    ]
    assert all(isinstance(p["line"], int) for p in error["details"]["problems"])


def test_the_api_answers_a_microflow_warning_beside_the_deployment(api: Api) -> None:
    status, body = api.deploy(("svc.bpmn", (MODELS / "service_zeebe.bpmn").read_bytes()))
    assert status == 201
    [definition] = body
    [warning] = definition["warnings"]
    assert "calls microflow 'add', which no registered module provides" in warning


def test_the_cli_prints_one_line_per_problem(tmp_path: Path) -> None:
    (tmp_path / "order.bpmn").write_bytes(lines(chain(GROOVY, NO_TIME, NO_MICROFLOW)))
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = CliRunner().invoke(main, ["--db", db, "--models", str(tmp_path), "deploy", str(tmp_path)])
    assert result.exit_code == 1, result.output
    printed = result.stderr.splitlines()
    assert [re.sub(r":\d+:", ":N:", line).split(" (")[0] for line in printed] == [
        f"error: order.bpmn:N: scriptTask 'groovy': {GROOVY_REASON}",
        f"error: order.bpmn:N: intermediateCatchEvent 'wait': {NO_TIME_REASON.split(' (')[0]}",
        f"error: order.bpmn:N: serviceTask 'charge': {NO_MICROFLOW_REASON}",
    ]
    assert "Traceback" not in result.output


def test_the_cli_prints_a_microflow_warning(tmp_path: Path) -> None:
    (tmp_path / "svc.bpmn").write_bytes((MODELS / "service_zeebe.bpmn").read_bytes())
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = CliRunner().invoke(main, ["--db", db, "--models", str(tmp_path), "deploy", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [warning] = result.stderr.splitlines()
    assert warning.startswith("warning: svc.bpmn:")
    assert warning.endswith("calls microflow 'add', which no registered module provides")
