"""Scripts and conditions in a sandbox (RestrictedPython): what a model may run by default.

A model's Python — script tasks, conditions, and the Python that JUEL and FEEL expressions are
translated to — is compiled by RestrictedPython's policy and run with guarded globals:

- no name or attribute that starts with `_` (so no `__class__`, `__globals__`, `__subclasses__`),
  except the engine's own `_fb_*` helpers that translated expressions call;
- builtins that cannot reach the machine (no `open`, `eval`, `exec`, `compile`, `globals`,
  `getattr`, `vars`, `input`), and `import` only of `ALLOWED_MODULES`, each seen through a view
  that shows its functions and classes but none of the modules it imported itself (`uuid.os`,
  `datetime.sys` and `json.codecs` stay out of reach);
- attribute writes only on the containers scripts work with (dicts, lists), and `format` on
  strings refused (it reaches attributes by name).

It is what SpiffArena runs by default too (`SPIFFWORKFLOW_BACKEND_USE_RESTRICTED_SCRIPT_ENGINE`),
with the modules its scripts use. `FLOWBRIDGE_SANDBOX_SCRIPTS=false` turns it off for a trusted
deployment whose models need more (plain Python: a model's author then runs code as the engine).
"""

from __future__ import annotations

import builtins
import importlib
import operator
import types
from functools import lru_cache
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr_raise,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

HELPER_PREFIX = "_fb_"
"""The prefix of the engine's expression helpers (engine.expressions.translate), the only names
with a leading underscore a sandboxed expression may use; data never carries it (DESIGN §6a)."""

ALLOWED_MODULES = frozenset(
    {
        "calendar",
        "collections",
        "datetime",
        "decimal",
        "functools",
        "itertools",
        "json",
        "math",
        "random",
        "re",
        "statistics",
        "string",
        "time",
        "uuid",
        "zoneinfo",
    }
)
"""The modules a sandboxed script may import (SpiffArena's, and the standard library's pure ones)."""

_MORE_BUILTINS = (
    "all",
    "any",
    "dict",
    "enumerate",
    "filter",
    "format",
    "frozenset",
    "iter",
    "list",
    "map",
    "max",
    "min",
    "next",
    "reversed",
    "set",
    "sorted",
    "sum",
    "tuple",
    "zip",
)
"""Builtins SpiffArena's scripts use beyond RestrictedPython's safe set; none reaches the machine."""

CACHED_SOURCES = 4096
"""Compiled scripts and expressions kept (restricted compiling costs far more than running)."""


class SandboxRefused(Exception):
    """A script or expression the sandbox does not run, saying what in it was refused."""


class ModuleView:
    """A module as a sandboxed script sees it: its public functions, classes and values, without
    the modules it imported (through which the machine could be reached)."""

    def __init__(self, module: types.ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if name.startswith("_") or isinstance(value, types.ModuleType):
            raise AttributeError(f"module '{self._module.__name__}' has no attribute '{name}' in a sandbox")
        return value

    def __repr__(self) -> str:
        return f"<module '{self._module.__name__}' (sandboxed)>"


INTERNAL_IMPORTS = frozenset({"_strptime"})
"""Modules the standard library imports itself while a script runs (`datetime.strptime` and
`time.strptime` import `_strptime` through the script's `__import__`): given as they are, since no
script can name them (a name starting with `_` does not compile) nor reach `__import__`."""


def _import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    if level == 0 and name in INTERNAL_IMPORTS:
        return importlib.import_module(name)
    if level != 0 or name not in ALLOWED_MODULES:
        allowed = ", ".join(sorted(ALLOWED_MODULES))
        raise ImportError(f"a sandboxed script may not import '{name}' (it may import {allowed})")
    return ModuleView(importlib.import_module(name))


_IN_PLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "^=": operator.ixor,
    "|=": operator.ior,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    return _IN_PLACE[op](target, value)


def _apply(function: Any, *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


@lru_cache(maxsize=1)
def sandbox_globals() -> dict[str, Any]:
    """The guards and builtins every sandboxed evaluation runs with (built once; never changed:
    sandboxed code cannot reach `__builtins__`, and each evaluation copies the globals)."""
    allowed = dict(safe_builtins)
    allowed.update({name: getattr(builtins, name) for name in _MORE_BUILTINS})
    allowed["__import__"] = _import
    return {
        "__builtins__": allowed,
        "__metaclass__": type,
        "__name__": "script",
        "_getattr_": safer_getattr_raise,  # a missing attribute is an error, not None
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_apply_": _apply,
        "_print_": PrintCollector,
    }


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, letting through the engine's own `_fb_*` helpers."""

    def check_name(self, node: Any, name: str | None, allow_magic_methods: bool = False) -> None:
        if name is not None and name.startswith(HELPER_PREFIX):
            return
        super().check_name(node, name, allow_magic_methods=allow_magic_methods)


@lru_cache(maxsize=CACHED_SOURCES)
def compiled(source: str, mode: str) -> types.CodeType:
    """A script (`exec`) or an expression (`eval`) compiled under the sandbox's policy;
    SandboxRefused naming what it may not do."""
    compile_ = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_(source, "<string>", policy=_Policy)  # "<string>": SpiffWorkflow finds error lines by it
    if result.errors or result.code is None:
        raise SandboxRefused("; ".join(_plain(e) for e in result.errors) or "it does not compile")
    return result.code


def _plain(error: str) -> str:
    # "Line 1: "__class__" is an invalid attribute name because it starts with "_"." → the reason.
    return error.split(": ", 1)[1] if error.startswith("Line ") and ": " in error else error


class SandboxedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment, with every script and expression sandboxed."""

    def __init__(self, environment_globals: dict[str, Any]) -> None:
        super().__init__({**sandbox_globals(), **environment_globals})

    def evaluate(self, expression: Any, context: Any, external_context: Any = None) -> Any:
        """Evaluate an expression (or already compiled code) over `context`, sandboxed."""
        code = compiled(expression, "eval") if isinstance(expression, str) else expression
        return super().evaluate(code, context, external_context)

    def execute(self, script: Any, context: Any, external_context: Any = None) -> bool:
        """Run a script over `context`, sandboxed."""
        code = compiled(script, "exec") if isinstance(script, str) else script
        return bool(super().execute(code, context, external_context))

    def _remove_globals_and_functions_from_context(self, context: Any, external_context: Any = None) -> None:
        # Modules a script imported are its tools, not the instance's data.
        super()._remove_globals_and_functions_from_context(context, external_context)
        for name in [k for k, v in context.items() if isinstance(v, ModuleView | types.ModuleType)]:
            del context[name]
