"""Normalizing a model: the BPMN-wide rewrites and each editor's own, in the order they build on."""

from __future__ import annotations

import copy

from lxml import etree

from . import camunda7, camunda8, flowable
from .compensation import rewrite_compensation
from .detect import dialect_of
from .event_subprocesses import rewrite_event_subprocesses
from .rewrite import Rewriter


def normalize(tree: etree._ElementTree, source_name: str) -> tuple[etree._ElementTree, str]:
    """A rewritten copy of `tree` that SpiffWorkflow can run, and the document's dialect.

    Raises InvalidModel naming the file, line, element and reason for what cannot run.
    """
    dialect = dialect_of(tree.getroot())
    copied = copy.deepcopy(tree)
    rewriter = Rewriter(copied.getroot(), source_name, dialect)
    flowable.read_as_camunda(rewriter)  # first: every later step reads camunda: names
    rewriter.drop_processes_that_do_not_run()
    rewriter.drop_documentation_data()
    rewriter.flow_ids()
    rewriter.check_event_references()
    rewriter.conditions()
    camunda7.unconditioned_flows(rewriter)
    rewriter.timers()
    rewriter.multi_instance(collections=(camunda7.collection, camunda8.collection))
    rewriter.scripts(readers=(camunda8.job, camunda8.script, camunda7.script))
    camunda7.check_expressions(rewriter)
    camunda8.check_expressions(rewriter)
    camunda8.called_elements(rewriter)
    rewriter.implicit_splits()
    rewriter.implicit_ends()
    rewriter.implicit_starts()
    rewrite_compensation(rewriter)  # after implicit starts: its handlers' wrappers start nowhere
    rewrite_event_subprocesses(rewriter)  # last: it moves whole flows into a new subprocess
    return copied, dialect
