"""Normalizing a model: the BPMN-wide rewrites and each editor's own, in the order they build on."""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from ...errors import InvalidModel
from . import camunda7, camunda8, flowable
from .compensation import rewrite_compensation
from .detect import dialect_of
from .event_subprocesses import rewrite_event_subprocesses
from .rewrite import Rewriter


def normalize(
    tree: etree._ElementTree,
    source_name: str,
    problems: list[dict[str, Any]] | None = None,
    dialect: str | None = None,
) -> tuple[etree._ElementTree, str]:
    """A rewritten copy of `tree` that SpiffWorkflow can run, and the document's dialect: the
    one detected (`dialect_of`), unless the deployment names one (`dialect`).

    Every step goes on past a refusal (each element is refused on its own, see
    `Rewriter.collect`), so all of the document's problems are found. Then, without `problems`,
    one InvalidModel names them all (file, line, element and reason of each, by line); with a
    list, the problems are appended to it and the copy is returned as far as it was rewritten.
    """
    dialect = dialect or dialect_of(tree.getroot())
    copied = copy.deepcopy(tree)
    rewriter = Rewriter(copied.getroot(), source_name, dialect)
    flowable.read_as_camunda(rewriter)  # first: every later step reads camunda: names
    rewriter.drop_processes_that_do_not_run()
    rewriter.drop_documentation_data()
    rewriter.flow_ids()
    rewriter.reserved_ids()  # early: later rewrites derive ids from these
    rewriter.check_event_references()
    rewriter.conditions()
    camunda7.unconditioned_flows(rewriter)
    rewriter.timers()
    rewriter.multi_instance(collections=(camunda7.collection, camunda8.collection))
    rewriter.scripts(readers=(camunda8.job, camunda8.script, camunda7.script))
    camunda7.check_expressions(rewriter)
    camunda8.check_expressions(rewriter)
    camunda8.called_elements(rewriter)
    camunda7.async_after(rewriter)  # before the splits: the continuation takes the outgoing flows
    rewriter.implicit_splits()
    rewriter.implicit_ends()
    rewriter.implicit_starts()
    # These two stop at their first refusal (they rewrite whole scopes): the steps before them
    # have been checked already, and one refusal of each is recorded.
    with rewriter.collect():
        rewrite_compensation(rewriter)  # after implicit starts: its handlers' wrappers start nowhere
    with rewriter.collect():
        rewrite_event_subprocesses(rewriter)  # last: it moves whole flows into a new subprocess
    found = [p for refusal in rewriter.problems for p in refusal.problems]
    found.sort(key=lambda p: p["line"] or 0)
    if problems is not None:
        problems.extend(found)
    elif found:
        raise InvalidModel.of(found)
    return copied, dialect
