"""The conformance suite: every peer's ported cases, on SQLite and PostgreSQL (harness.py).

Each peer is a folder here (`camunda7/`, `zeebe/`, `spiffworkflow/`) with `cases.py`, whose
`CASES` lists its cases, and `models/`, the model files they deploy; README.md says where each
came from and under which licence.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import Engine

from ..differential import Clock
from .harness import HERE, Case, run_case

PEERS = ("camunda7", "zeebe", "spiffworkflow")
"""The peers whose engine tests are ported, each a folder here."""


def peer_cases() -> list[tuple[str, Case]]:
    """(peer, case) for every ported case: each peer's `cases*.py` modules' CASES, in order."""
    found = []
    for peer in PEERS:
        for path in sorted((HERE / peer).glob("cases*.py")):
            module = importlib.import_module(f"tests.conformance.{peer}.{path.stem}")
            found += [(peer, case) for case in module.CASES]
    return found


CASES = peer_cases()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """SpiffWorkflow's clock, moved by the cases' `Wait` steps."""
    with Clock().installed() as shifted:
        yield shifted


@pytest.mark.parametrize(("peer", "case"), CASES, ids=[f"{peer}:{case.name}" for peer, case in CASES])
def test_case(peer: str, case: Case, engine: Engine, clock: Clock, request: pytest.FixtureRequest) -> None:
    if case.gap is not None:
        request.applymarker(pytest.mark.xfail(reason=case.gap, strict=True))
    run_case(engine, case, Path(HERE / peer / "models"), clock)


def test_every_case_is_named_once_and_its_files_exist() -> None:
    names = [(peer, case.name) for peer, case in CASES]
    assert len(names) == len(set(names)), "two cases of a peer share a name"
    for peer, case in CASES:
        for name in case.files:
            assert (HERE / peer / "models" / name).is_file(), f"{peer}:{case.name}: no file {name}"
        assert case.source, f"{peer}:{case.name} names no source"
