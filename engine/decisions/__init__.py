"""Decisions (DMN) from Camunda 7 and 8 models, evaluated with FEEL; SpiffArena's stay Python.

`model` reads a DMN file's dialect and compiles its decisions into plain data (Python source
for every expression, via `engine.expressions`), refusing what it cannot evaluate; `unary_tests`
compiles a table's input entries; `evaluation` runs a decision after the decisions it requires,
with its hit policy; `task` is the business rule task that calls one and sets its result variable.
"""

from .evaluation import DecisionFailed, evaluate
from .model import FEEL, PYTHON, add_dmn, compile_file, dialect_of
from .task import DecisionTask, decision_call, decision_ref

__all__ = [
    "FEEL",
    "PYTHON",
    "DecisionFailed",
    "DecisionTask",
    "add_dmn",
    "compile_file",
    "decision_call",
    "decision_ref",
    "dialect_of",
    "evaluate",
]
