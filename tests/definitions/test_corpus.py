"""The BPMN MIWG test suite: every file deploys or is refused with one line a modeller understands.

The files are the BPMN MIWG test suite (bpmn-miwg/bpmn-miwg-test-suite), CC BY 3.0; see
tests/corpus/README.md for their source and attribution.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine import REGISTRY, Engine
from engine.errors import InvalidModel

from ..conftest import TESTS

CORPUS = TESTS / "corpus" / "miwg"
FILES = sorted(CORPUS.rglob("*.bpmn"))
INTERNALS = re.compile(r"Traceback|Error:|Exception|<Element|object at 0x|NoneType|\bKeyError\b")


def _deploy(engine: Engine, files: list[Path]) -> str:
    """One row of the table: deployed keys, or the refusal."""
    try:
        deployed = engine.repository.deploy({f.name: f.read_bytes() for f in files})
    except InvalidModel as exc:
        message = exc.message
        assert "\n" not in message, message
        assert not INTERNALS.search(message), message
        # One problem: its line; several: "3 problems in C.1.1.bpmn: " and each problem's line.
        assert re.match(rf"(\d+ problems in )?({'|'.join(re.escape(f.name) for f in files)})", message)
        return f"refused: {message}"
    keys = sorted(d.key for d in deployed)
    assert keys
    return "deployed: " + ", ".join(keys)


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Deploy every corpus file on its own into one SQLite database; print the table."""
    from tests.conftest import make_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'corpus.sqlite3'}"
    engine = make_engine(url)
    try:
        rows = {f"{f.parent.name}/{f.name}": _deploy(engine, [f]) for f in FILES}
    finally:
        engine.close()
    width = max(len(name) for name in rows)
    print("\nMIWG corpus (file, result):")
    for name, result in rows.items():
        print(f"  {name:<{width}}  {result}")
    return rows


def test_every_file_deploys_or_is_refused_in_one_line(table: dict[str, str]) -> None:
    assert len(table) == 42
    deployed = [name for name, result in table.items() if result.startswith("deployed")]
    # What can run, runs: every file whose executable process is complete (see test_named_outcomes).
    assert len(deployed) >= 5, table


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Nothing executable: named, with the attribute that says so.
        ("Reference/A.1.0.bpmn", r"process 'WFP-6-' is not executable \(isExecutable=false\)"),
        ("Reference/B.1.0.bpmn", r"is not executable \(isExecutable=false\) \(nor are 3 more\)"),
        # A data store and an XPath condition: the store documents; the condition is named.
        ("Reference/C.1.1.bpmn", r"sequenceFlow 'invoiceApproved': condition .* is not supported"),
        # JUEL conditions and a delegate expression from Camunda 7 (prefix bound to Activiti's
        # namespace) run; the other pool's process only documents the collaboration.
        ("Reference/C.1.0.bpmn", r"^deployed: bpmn-miwg-test-case-c.1.0$"),
        # A called process that is not in the deployment is named.
        ("Reference/C.9.0.bpmn", r"calls decision 'risk_check', which is not in this deployment"),
        # A business rule task with a zeebe:taskDefinition (type "DMN") is a job for a worker, as in
        # Zeebe: it deploys, and calls the microflow "DMN" when reached.
        ("Reference/C.8.1.bpmn", r"^deployed: VacationRequestProcess$"),
        # A collapsed subprocess with nothing inside runs as an empty one.
        ("bpmn.io-camunda-modeler-18.6.1/A.3.0-export.bpmn", r"^deployed: Process_1qh1mjw$"),
        # bpmn.io leaves timers empty: named.
        ("bpmn.io-camunda-modeler-18.6.1/B.1.0-export.bpmn", r"startEvent 'StartEvent_1': timer has no time"),
        ("bpmn.io-camunda-modeler-18.6.1/C.5.0-export.bpmn", r"names no process to call \(calledElement\)"),
        ("Reference/C.4.0.bpmn", r"without a condition and is not its default flow"),
        ("Reference/C.9.1.bpmn", r"^deployed: requestDocument_en$"),
        ("bpmn.io-camunda-modeler-18.6.1/C.2.0-export.bpmn", r"^deployed: Process_1h3m6w5$"),
    ],
)
def test_named_outcomes(table: dict[str, str], name: str, expected: str) -> None:
    assert re.search(expected, table[name]), table[name]


def test_a_called_process_in_another_file_is_found_or_named(engine: Engine) -> None:
    # C.9.0 calls C.9.2's process, which calls C.9.1's (their <import>s name the files). A process
    # called from a file deployed alone is found when the call is reached; the deployment warns.
    ref = CORPUS / "Reference"
    [alone] = engine.repository.deploy({"C.9.2.bpmn": (ref / "C.9.2.bpmn").read_bytes()})
    # (Its send task's job type, a microflow nobody registered, warns too.)
    [warning, microflow] = alone.warnings
    assert "sendTask 'SendTask_NotifyCustomerDelay': calls microflow 'notifyCustomerDelay'" in microflow
    assert (
        "callActivity 'CallActivity_RequestDocument' calls process 'requestDocument_en', which is not"
        in warning
    )
    together = _deploy(engine, [ref / "C.9.2.bpmn", ref / "C.9.1.bpmn"])
    assert together == "deployed: ManualCheck, requestDocument_en", together
    # All three: C.9.0's business rule task needs a DMN decision the suite does not ship.
    three = _deploy(engine, [ref / "C.9.0.bpmn", ref / "C.9.1.bpmn", ref / "C.9.2.bpmn"])
    assert "calls decision 'risk_check', which is not in this deployment (deploy its DMN file" in three, three


def test_what_deploys_also_runs(engine: Engine, microflows: Any) -> None:
    """Every deployed corpus process starts and runs to its first wait state or its end (its job
    workers, which the corpus only names, stand in as microflows that return nothing)."""
    for path in FILES:
        for job_type in set(re.findall(r'taskDefinition type="([^"]+)"', path.read_text(errors="replace"))):
            if job_type not in REGISTRY:
                microflows(job_type, lambda: {})
    outcomes = {}
    for path in FILES:
        try:
            deployed = engine.repository.deploy({path.name: path.read_bytes()})
        except InvalidModel:
            continue
        for definition in deployed:
            instance = engine.runtime.start(definition.key)
            outcomes[f"{path.name}:{definition.key}"] = instance["status"]
    assert outcomes and set(outcomes.values()) <= {"waiting", "completed"}, outcomes
