"""`execution` in the Python scripts of Camunda 7 and Flowable models, as Camunda binds it.

Camunda 7 runs a script with its engine's `autoStoreScriptVariables` off: the script reads the
variables by name, but the names it assigns are its own and vanish with it; only
`execution.setVariable(name, value)` sets a process variable. `ScriptExecution` is that
`execution`: the variable methods of Camunda's DelegateExecution over the task's data, and the
properties JUEL's read-only `execution` shows (engine.expressions.juel_objects), as properties and
as getters (`processBusinessKey`, `getProcessBusinessKey()`).

Variables a script removes (`removeVariable`) are not offered: process variables are kept by
scopes that carry values, not deletions (engine.runtime.scopes).
"""

from __future__ import annotations

import copy
from typing import Any

from ..variables import check_json, check_names
from .juel_objects import EXECUTION, Evaluation, getters

INTERNAL_KEYS = frozenset({"data_objects"})
"""Task data SpiffWorkflow keeps for itself, never a variable a script sees through `execution`."""
_GETTERS = getters(EXECUTION)


class ScriptExecution:
    """Camunda 7's `execution` for one script run: writes go to the task's data (and to the
    script's own names, so `foo` reads what `setVariable('foo', …)` wrote)."""

    def __init__(self, evaluation: Evaluation, script_names: dict[str, Any]) -> None:
        self._evaluation = evaluation
        self._names = script_names

    @property
    def _data(self) -> dict[str, Any]:
        data: dict[str, Any] = self._evaluation.task.data
        return data

    def getVariable(self, name: str) -> Any:
        """The variable `name`, or None when it is not set."""
        return copy.deepcopy(self._data.get(name)) if name not in INTERNAL_KEYS else None

    getVariableLocal = getVariable  # a Flowbridge element's locals are among its variables

    def hasVariable(self, name: str) -> bool:
        """Whether the variable `name` is set."""
        return name in self._data and name not in INTERNAL_KEYS

    hasVariableLocal = hasVariable

    def getVariables(self) -> dict[str, Any]:
        """Every variable, by name (a copy)."""
        return {k: copy.deepcopy(v) for k, v in self._data.items() if k not in INTERNAL_KEYS}

    def getVariableNames(self) -> list[str]:
        """The names of the variables."""
        return [k for k in self._data if k not in INTERNAL_KEYS]

    def setVariable(self, name: str, value: Any) -> None:
        """Set the process variable `name` (a JSON value)."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"a variable name must be a non-empty string, not {name!r}")
        check_names({name: value}, "execution.setVariable")
        check_json(value, f"variable '{name}'")
        self._data[name] = copy.deepcopy(value)
        self._names[name] = copy.deepcopy(value)

    def __getattr__(self, name: str) -> Any:
        # processBusinessKey, activityId, … and their getters, as JUEL's execution shows them.
        if name in EXECUTION:
            return EXECUTION[name](self._evaluation)
        if name in _GETTERS:
            return lambda: EXECUTION[_GETTERS[name]](self._evaluation)
        raise AttributeError(f"execution has no '{name}' (it offers {', '.join(_offer())})")


def _offer() -> list[str]:
    methods = [m for m in vars(ScriptExecution) if m[:1].islower()]
    return [*methods, *EXECUTION, *(f"{g}()" for g in _GETTERS)]
