"""Expressions: JUEL (Camunda 7), FEEL (Camunda 8) and Python (SpiffArena), and the script engine.

`translate` turns an editor's expression into the Python the script engine evaluates, once, at
deploy time; `feel` and `juel` are the two translators; `script_engine` evaluates scripts and
conditions at run time and calls sync microflows for service tasks.
"""

from .script_engine import ASYNC_INPUT, FlowbridgeScriptEngine
from .translate import (
    DIALECTS,
    FUNCTIONS,
    UnsupportedExpression,
    dialect_of,
    is_expression,
    literal_or_expression,
    name_of,
    to_python,
    translate,
)

__all__ = [
    "ASYNC_INPUT",
    "DIALECTS",
    "FUNCTIONS",
    "FlowbridgeScriptEngine",
    "UnsupportedExpression",
    "dialect_of",
    "is_expression",
    "literal_or_expression",
    "name_of",
    "to_python",
    "translate",
]
