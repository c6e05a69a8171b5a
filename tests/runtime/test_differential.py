"""The persisted step path against SpiffWorkflow alone, over every model the suite has.

Each executable process of every deployable BPMN model in `tests/` and `bpmn/` runs twice with
the same decisions (tests/differential.py): in memory with SpiffWorkflow alone, and through
the engine with save, restore (no cache) and pruning between every step. Both must wait in the
same places, take the same path, and hold the same variables after every step. A bug in the
step path (a pruned task a later step needed, a subprocess removed twice, data lost in a
save) shows up as a difference, or as a step that fails in one run and not the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from lxml import etree

from engine import REGISTRY, Engine, InvalidModel
from engine.definitions import parse_files
from engine.microflows import Microflow, load_modules

from ..conftest import EXAMPLES, MODELS, TESTS
from ..differential import Twin

HOSTILE = {"billion_laughs.bpmn", "xxe.bpmn", "broken.bpmn"}
"""Models that exist to be refused."""
START_VARIABLES: dict[str, dict[str, Any]] = {
    "exclusive": {"amount": 1500},
    "inclusive": {"x": 1, "y": 0},
    "mi_parallel": {"reviewers": ["ann", "bob", "cy"]},
    "mi_sequential": {"reviewers": ["ann", "bob"]},
    "script": {"a": 2, "b": 3},
    "service_camunda7": {"x": 2, "y": 3},
    "service_spiff": {"x": 2, "y": 3},
    "loop": {"limit": 3},
    "dmn_rule": {"amount": 250},
    "loan_approval": {"customer_id": "C-1", "amount": 20000},
    "async_order": {"order_id": "D-1", "sku": "BOLT-M8", "quantity": 4},
    "esp_error": {"amount": 500},
    "compensation": {"rooms": ["r1", "r2"], "booked": []},
    "trip_booking": {"trip_id": "D-2", "nights": 1, "amount": 9000},
}
"""Start variables for processes whose first gateway or script reads one (beside start form values)."""
TASK_VALUES: dict[str, dict[str, Any]] = {
    "say_hello": {"name": "Ada"},
    "approve": {"decision": "yes"},
    "review": {"approved": True},
    "check": {"ok": False},
    "a": {"note": "from a"},
    "decide": {"keep": False},
}
"""What a person types into user tasks that have no form but whose flow reads the value."""


def _deployments() -> list[tuple[str, dict[str, bytes]]]:
    """Files deployed together: each folder of models (their called processes, DMN tables and
    form files beside them), and each file of the MIWG corpus alone."""
    found = []
    for folder in (MODELS, MODELS / "forms", EXAMPLES, TESTS / "web" / "browser" / "models"):
        files = {
            p.name: p.read_bytes()
            for p in sorted(folder.iterdir())
            if p.suffix in (".bpmn", ".dmn", ".form", ".json") and p.name not in HOSTILE
        }
        if any(name.endswith(".bpmn") for name in files):
            found.append((folder.relative_to(TESTS.parent).as_posix(), files))
    for path in sorted((TESTS / "corpus" / "miwg").rglob("*.bpmn")):
        found.append((path.relative_to(TESTS.parent).as_posix(), {path.name: path.read_bytes()}))
    return found


def _cases() -> Iterator[Any]:
    for where, files in _deployments():
        try:
            processes = parse_files(files)
        except InvalidModel:
            if "corpus" not in where:
                raise  # the suite's own models all deploy together; a refusal must not hide them
            continue  # a corpus file refused at deploy time: tests/definitions says why
        for process in processes:
            if _startable(process):
                yield pytest.param(files, process.key, id=f"{where}:{process.key}")


def _startable(process: Any) -> bool:
    """A process someone starts by key: it has a plain start event."""
    root = etree.fromstring(process.source_xml.encode())
    node = root.find(f".//{{*}}process[@id='{process.key}']")
    if node is None:
        return False
    starts = node.findall("{*}startEvent")
    return not starts or any(not any("EventDefinition" in c.tag for c in s) for s in starts)


@pytest.fixture(scope="module", autouse=True)
def _microflows() -> Iterator[None]:
    """The examples' microflows, and a stub for every other microflow a model names."""
    load_modules((), EXAMPLES)
    load_modules((), MODELS)
    stubs = []
    for _where, files in _deployments():
        try:
            processes = parse_files(files)
        except InvalidModel:
            continue
        for process in processes:
            for spec in [process.spec, *process.subprocess_specs.values()]:
                for task_spec in spec.task_specs.values():
                    binding = getattr(task_spec, "microflow", None)
                    if binding and binding["name"] not in REGISTRY:
                        REGISTRY.register(Microflow.wrap(binding["name"], _stub))
                        stubs.append(binding["name"])
    yield
    for name in stubs:  # the examples' microflows stay: their modules are imported once per process
        REGISTRY.unregister(name)


def _stub(**variables: Any) -> dict[str, Any]:
    """A microflow no module provides: it answers, deterministically, that it ran."""
    return {"stub_ran": sorted(variables)[:3]}


@pytest.mark.parametrize(("files", "key"), list(_cases()))
def test_the_persisted_path_runs_as_spiffworkflow_alone(
    engine: Engine, files: dict[str, bytes], key: str
) -> None:
    twin = Twin(engine, files, key, START_VARIABLES.get(key, {}), TASK_VALUES).run()
    for step, (memory, persisted) in enumerate(zip(twin.memory.steps, twin.persisted.steps, strict=False)):
        assert persisted == memory, f"step {step} differs: {twin.memory.errors} {twin.persisted.errors}"
    assert len(twin.persisted.steps) == len(twin.memory.steps)


def test_the_twin_sees_a_difference(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # The differential is only worth something if it can fail: lose a variable in every save.
    from engine.runtime import service

    real = service.project

    def forgetful(workflow: Any) -> Any:
        projection = real(workflow)
        return replace(projection, variables={k: v for k, v in projection.variables.items() if k != "x"})

    monkeypatch.setattr(service, "project", forgetful)
    files = {"nested_subprocess.bpmn": (MODELS / "nested_subprocess.bpmn").read_bytes()}
    twin = Twin(engine, files, "nested_subprocess", {"x": 1}).run()
    assert twin.persisted.steps[0]["variables"] == {}
    assert twin.memory.steps[0]["variables"] == {"x": 1}


def test_nested_subprocesses_ending_in_one_step_leave_the_instance_able_to_move(engine: Engine) -> None:
    files = {"nested_subprocess.bpmn": (MODELS / "nested_subprocess.bpmn").read_bytes()}
    engine.repository.deploy(files)
    instance = engine.runtime.start("nested_subprocess", {})
    [inner] = instance["tasks"]
    after = engine.tasks.complete(inner["id"], {"x": 1})
    assert [t["element_id"] for t in after["tasks"]] == ["after"]
    done = engine.tasks.complete(after["tasks"][0]["id"], {"y": 2})
    assert (done["status"], done["variables"]) == ("completed", {"x": 1, "y": 2})


def test_a_chain_of_call_activities_ending_in_one_step_completes(engine: Engine) -> None:
    files = {"call_chain.bpmn": (MODELS / "call_chain.bpmn").read_bytes()}
    engine.repository.deploy(files)
    instance = engine.runtime.start("chain_top", {})
    [bottom] = instance["tasks"]
    assert bottom["element_id"] == "bottom_task"
    done = engine.tasks.complete(bottom["id"], {"z": 3})
    assert done["status"] == "completed"
    assert done["variables"]["z"] == 3
    kinds = [(e["kind"], e["element_id"]) for e in engine.history.events(instance["id"])]
    assert ("activity_completed", "call_bottom") in kinds and ("activity_completed", "call_middle") in kinds


def _spiffworkflow_cases() -> Iterator[Any]:
    """SpiffWorkflow's own test models (tests/conformance/spiffworkflow): each deployed as its case
    deploys it, started with its case's variables; the ones whose runs differ today are expected
    to differ (strict), so the day they agree the suite says so."""
    from ..conformance.spiffworkflow import cases

    models = TESTS / "conformance" / "spiffworkflow" / "models"
    for files, key, variables, dialect in cases.DIFFERENTIAL_MODELS:
        suffix = f":{dialect}" if dialect else ""
        yield pytest.param(
            {n: (models / n).read_bytes() for n in files},
            key,
            variables,
            dialect,
            id=f"{files[0]}:{key}{suffix}",
        )
    for key, name in sorted(cases.DIFFERENTIAL_DIFFERS):
        why = "message start events: SpiffWorkflow alone and the engine start them differently"
        yield pytest.param(
            {name: (models / name).read_bytes()},
            key,
            {},
            None,
            id=f"{name}:{key}",
            marks=pytest.mark.xfail(reason=why, strict=True),
        )


@pytest.mark.parametrize(("files", "key", "variables", "dialect"), list(_spiffworkflow_cases()))
def test_spiffworkflow_test_models_run_on_the_persisted_path_as_spiffworkflow_alone(
    engine: Engine, files: dict[str, bytes], key: str, variables: dict[str, Any], dialect: str | None
) -> None:
    twin = Twin(engine, files, key, variables, TASK_VALUES, dialect=dialect).run()
    for step, (memory, persisted) in enumerate(zip(twin.memory.steps, twin.persisted.steps, strict=False)):
        assert persisted == memory, f"step {step} differs: {twin.memory.errors} {twin.persisted.errors}"
    assert len(twin.persisted.steps) == len(twin.memory.steps)
