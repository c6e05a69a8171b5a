"""The conformance suite's summary, printed after `pytest tests/conformance -q`."""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest

CASE_ID = re.compile(r"test_conformance\.py::test_case\[(\w+)-(\w+:[^\]]+)\]")
"""A case's test id: the database, then peer:case."""


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Per peer and database: cases passed (expected refusals among them), known gaps, failed."""
    from .test_conformance import CASES

    refused = {f"{peer}:{case.name}" for peer, case in CASES if case.refused is not None}
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for outcome in ("passed", "failed", "skipped", "xfailed"):
        for report in terminalreporter.stats.get(outcome, []):
            if report.when != "call" and outcome not in ("skipped", "xfailed"):
                continue
            found = CASE_ID.search(getattr(report, "nodeid", ""))
            if found is None:
                continue
            database, case_id = found.groups()
            peer = case_id.split(":", 1)[0]
            counts[f"{peer} on {database}"][outcome] += 1
            if case_id in refused and outcome == "passed":
                counts[f"{peer} on {database}"]["refusals"] += 1
    if not counts:
        return
    terminalreporter.section("conformance")
    for where, got in sorted(counts.items()):
        terminalreporter.write_line(
            f"{where}: {got['passed']} passed ({got['refusals']} of them expected refusals), "
            f"{got['xfailed']} known gaps, {got['failed']} failed, {got['skipped']} skipped"
        )
