"""README's "Supported BPMN" table, made from the conformance suite's cases.

    python -m tests.conformance.table      # rewrites the table in README.md

One row per construct the cases show (each `Case.construct`), in groups: how many of each peer's
cases pass, are expected refusals (with the refusal's words) or known gaps. A case's outcome is the
one it declares — `gap=` a known gap, else `refused=` an expected refusal, else passing — and the
suite checks every declared outcome on every run (a gap is a strict expected failure), so the table
needs no run of its own: tests/conformance/test_table.py compares README's copy with it.
"""

from __future__ import annotations

import collections
import sys
from collections.abc import Iterable
from pathlib import Path

from .harness import Case
from .test_conformance import CASES

README = Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- supported-bpmn:start -->"
END = "<!-- supported-bpmn:end -->"

HEADER = "| Construct | Passing | Expected refusals | Known gaps |"

PEER_NAMES = {"camunda7": "Camunda 7", "zeebe": "Zeebe", "spiffworkflow": "SpiffWorkflow"}
"""The peers as the table names them, in its order."""

GROUPS = (
    ("Gateways", ("gateway", "event-based gateway", "join", "split")),
    (
        "Events",
        ("event", "timer", "message", "signal", "escalation", "error", "terminate", "conditional"),
    ),
    ("Multi-instance and loops", ("multi-instance", "loop")),
    ("Subprocesses and call activities", ("subprocess", "call activit", "transaction")),
    (
        "Tasks, scripts and mappings",
        (
            "task",
            "script",
            "listener",
            "initiator",
            "inputoutput",
            "iomapping",
            "io specification",
            "job worker",
        ),
    ),
    ("Data, lanes and expressions", ("data", "lane", "condition", "expression")),
)
"""The table's groups, each with the words that put a construct in it: the word found first in the
construct's name decides (so "timer boundary event on a call activity" is an event's row, "call
activity with a timer boundary event" a call activity's); a construct with none is in the last."""


def group_of(construct: str) -> str:
    """The group a construct's row is in (GROUPS)."""
    lowered = construct.lower()
    found = [
        (position, index)
        for index, (_, words) in enumerate(GROUPS)
        for word in words
        if (position := lowered.find(word)) >= 0
    ]
    return GROUPS[min(found)[1] if found else -1][0]


def outcome(case: Case) -> str:
    """What the case declares: "gap", "refused" or "passing" (the suite checks it is so)."""
    if case.gap is not None:
        return "gap"
    if case.refused is not None:
        return "refused"
    return "passing"


def table(cases: Iterable[tuple[str, Case]] = CASES) -> str:
    """The Markdown of the table, group after group, the constructs of each in alphabetical order."""
    rows: dict[str, dict[str, collections.Counter[str]]] = collections.defaultdict(
        lambda: collections.defaultdict(collections.Counter)
    )
    reasons: dict[str, dict[str, set[str]]] = collections.defaultdict(lambda: collections.defaultdict(set))
    totals: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for peer, case in cases:
        construct = case.construct or "(no construct named)"
        kind = outcome(case)
        rows[construct][kind][peer] += 1
        totals[kind][peer] += 1
        if kind == "refused" and case.refused is not None:
            reasons[construct][peer].add(case.refused)
    lines = []
    for name, _ in GROUPS:
        constructs = sorted((c for c in rows if group_of(c) == name), key=str.casefold)
        if not constructs:
            continue
        lines += [f"**{name}**", "", HEADER, "|---|---|---|---|"]
        for construct in constructs:
            got = rows[construct]
            cells = [
                _cell(construct),
                _counts(got["passing"]),
                _counts(got["refused"], reasons[construct]),
                _counts(got["gap"]),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines.append(
        f"All: {_counts(totals['passing'])} passing; {_counts(totals['refused'])} expected refusals; "
        f"{_counts(totals['gap'])} known gaps."
    )
    return "\n".join(lines) + "\n"


def _counts(counts: collections.Counter[str], reasons: dict[str, set[str]] | None = None) -> str:
    """ "Camunda 7 3, Zeebe 1" (with the refusals' words in parentheses); nothing for none."""
    parts = []
    for peer, label in PEER_NAMES.items():
        if counts[peer]:
            said = sorted(reasons[peer]) if reasons else []
            because = f" ({'; '.join(_cell(_short(r)) for r in said)})" if said else ""
            parts.append(f"{label} {counts[peer]}{because}")
    return ", ".join(parts)


def _short(reason: str, most: int = 60) -> str:
    """A refusal's words, cut at a word boundary to at most `most` characters."""
    if len(reason) <= most:
        return reason
    return reason[:most].rsplit(" ", 1)[0] + " …"


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def readme_table(readme: str) -> str:
    """README's copy of the table: the text between the markers (ValueError if they are missing)."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {START} … {END} section")
    return readme[start + len(START) : end].strip("\n") + "\n"


def rewritten(readme: str) -> str:
    """README with the table between the markers replaced by a fresh one."""
    readme_table(readme)  # the markers must be there
    start, end = readme.find(START) + len(START), readme.find(END)
    return readme[:start] + "\n" + table() + readme[end:]


def main() -> int:
    text = README.read_text(encoding="utf-8")
    fresh = rewritten(text)
    if fresh != text:
        README.write_text(fresh, encoding="utf-8")
        print(f"{README}: the Supported BPMN table is rewritten")
    else:
        print(f"{README}: the Supported BPMN table is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
