"""README's "Supported BPMN" table is the one the cases make (tests/conformance/table.py).

The table comes from the cases' declared outcomes, which test_conformance.py checks on every run,
so this test runs no case: it only compares README's copy with a fresh one.
"""

from __future__ import annotations

from .harness import Case
from .table import README, group_of, outcome, readme_table, table


def test_readme_table_is_up_to_date() -> None:
    shown = readme_table(README.read_text(encoding="utf-8"))
    assert shown == table(), "README's Supported BPMN table is stale: run `python -m tests.conformance.table`"


def test_a_case_counts_as_what_it_declares() -> None:
    case = Case(name="c", source="s", files=())
    assert outcome(case) == "passing"
    assert outcome(Case(name="c", source="s", files=(), refused="words")) == "refused"
    # refused and a gap: the peer refuses, Flowbridge does not — a gap
    assert outcome(Case(name="c", source="s", files=(), refused="words", gap="how")) == "gap"


def test_a_construct_is_in_the_group_of_its_first_word() -> None:
    assert group_of("timer boundary event on a call activity") == "Events"
    called = "call activity with interrupting signal event subprocess"
    assert group_of(called) == "Subprocesses and call activities"
    assert group_of("event-based gateway (signal, timer)") == "Gateways"
    assert group_of("lanes, embedded subprocess") == "Data, lanes and expressions"
