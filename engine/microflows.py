"""Microflows: plain Python functions registered by name, called by service tasks and over HTTP.

The registry is the one piece of global mutable state: decorators fill it at import time.
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import InvalidInput, NotFound

F = TypeVar("F", bound=Callable[..., Any])

MODES = ("sync", "async")
DEFAULT_RETRIES = 3
"""Retries of an async microflow after its first attempt."""
DEFAULT_BACKOFF_SECONDS = 2.0
"""First delay between attempts; doubled after each failure."""
DEFAULT_TIMEOUT_SECONDS = 60.0
"""How long one attempt may run before it is abandoned."""


class BpmnError(Exception):
    """A business error: routes the flow to the error boundary event that catches `code`."""

    def __init__(self, code: str, message: str = "", variables: dict[str, Any] | None = None) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.variables = variables or {}


@dataclass(frozen=True)
class CallContext:
    """What a running microflow may know about its call: read it with `call_context()`."""

    microflow: str
    idempotency_key: str
    instance_id: str | None = None
    task_id: str | None = None
    element_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    """The task's static headers (`zeebe:taskHeaders`), as a Zeebe job worker reads them."""
    event: str | None = None
    """For a listener's call: its event (start, end, take, create, assignment, complete, delete)."""
    fields: dict[str, Any] = field(default_factory=dict)
    """The values of the task's or listener's `camunda:field`s (Camunda 7's field injection), by name."""


_current_call: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar(
    "flowbridge_call", default=None
)


def call_context() -> CallContext | None:
    """The context of the microflow call running now, or None outside one."""
    return _current_call.get()


@dataclass(frozen=True)
class Microflow:
    """A registered function with its calling conventions."""

    name: str
    func: Callable[..., Any]
    mode: str = "sync"
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF_SECONDS
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    description: str = ""
    input_names: tuple[str, ...] = field(default=())
    required: tuple[str, ...] = field(default=())
    accepts_all: bool = False
    expose: bool | tuple[str, ...] = False
    """Who may call it alone over HTTP beside administrators and the forms that name it: everyone
    logged in (True), or the members of these groups."""

    def exposed_to(self, groups: Iterable[str]) -> bool:
        """Whether a member of `groups` may call it alone (DESIGN §6a)."""
        if isinstance(self.expose, bool):
            return self.expose
        return not set(self.expose).isdisjoint(groups)

    @classmethod
    def wrap(cls, name: str, func: Callable[..., Any], **options: Any) -> Microflow:
        """Describe `func`'s keyword parameters once, at registration."""
        names, required, accepts_all = [], [], False
        for param in inspect.signature(func).parameters.values():
            if param.kind is inspect.Parameter.VAR_KEYWORD:
                accepts_all = True
            elif param.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
                names.append(param.name)
                if param.default is inspect.Parameter.empty:
                    required.append(param.name)
        doc = inspect.getdoc(func) or ""
        return cls(
            name=name,
            func=func,
            description=doc.splitlines()[0] if doc else "",
            input_names=tuple(names),
            required=tuple(required),
            accepts_all=accepts_all,
            **options,
        )

    def bind(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments for a call with these inputs; refuses missing required ones."""
        missing = [n for n in self.required if n not in inputs]
        if missing:
            raise InvalidInput(
                f"microflow '{self.name}' needs input {', '.join(repr(m) for m in missing)}",
                missing=missing,
            )
        if self.accepts_all:
            return dict(inputs)
        return {n: inputs[n] for n in self.input_names if n in inputs}

    def call(self, inputs: dict[str, Any], context: CallContext) -> Any:
        """Run the function with `inputs`, `context` readable through `call_context()`."""
        kwargs = self.bind(inputs)
        token = _current_call.set(context)
        try:
            return self.func(**kwargs)
        finally:
            _current_call.reset(token)


class MicroflowRegistry:
    """Name → microflow."""

    def __init__(self) -> None:
        self._items: dict[str, Microflow] = {}

    def register(self, flow: Microflow) -> None:
        """Add a microflow; re-importing the same function replaces it, another function is refused."""
        existing = self._items.get(flow.name)
        if existing is not None and _origin(existing.func) != _origin(flow.func):
            raise InvalidInput(
                f"microflow '{flow.name}' is already registered by {_origin(existing.func)}",
                name=flow.name,
            )
        self._items[flow.name] = flow

    def get(self, name: str) -> Microflow:
        """The microflow called `name`."""
        try:
            return self._items[name]
        except KeyError:
            raise NotFound(f"no microflow named '{name}' is registered", name=name) from None

    def find(self, binding: dict[str, Any]) -> Microflow:
        """The microflow a task's binding names: by its name, else by its `fallback` (the simple
        name of a Camunda 7 or Flowable `class`); NotFound naming both."""
        name, fallback = binding["name"], binding.get("fallback")
        if name in self._items or not fallback:
            return self.get(name)
        if fallback in self._items:
            return self._items[fallback]
        raise NotFound(f"no microflow named '{name}' or '{fallback}' is registered", name=name)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[Microflow]:
        return iter(sorted(self._items.values(), key=lambda m: m.name))

    def unregister(self, name: str) -> None:
        """Remove a microflow (tests use this to keep the registry clean)."""
        self._items.pop(name, None)


REGISTRY = MicroflowRegistry()
"""The process-wide registry that `@microflow` fills."""


def _origin(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}"


def microflow(
    name: str | None = None,
    *,
    mode: str = "sync",
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF_SECONDS,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    expose: bool | Iterable[str] = False,
) -> Callable[[F], F]:
    """Register the decorated function as a microflow; the function itself is returned unchanged.

    `expose=True` lets everyone logged in call it alone over HTTP, `expose=["group", ...]` the
    members of those groups; otherwise only administrators, and forms that name it, may.
    """
    if mode not in MODES:
        raise ValueError(f"microflow mode must be one of {MODES}, not {mode!r}")
    exposure: bool | tuple[str, ...] = expose if isinstance(expose, bool) else tuple(expose)

    def decorate(func: F) -> F:
        REGISTRY.register(
            Microflow.wrap(
                name or func.__name__,
                func,
                mode=mode,
                retries=retries,
                backoff=backoff,
                timeout=timeout,
                expose=exposure,
            )
        )
        return func

    return decorate


def load_modules(modules: tuple[str, ...] | list[str], models_path: Path | None = None) -> list[str]:
    """Import microflow modules by dotted name, then every `.py` file in the models folder."""
    loaded = []
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise InvalidInput(f"cannot import microflow module '{module}': {exc}") from exc
        loaded.append(module)
    if models_path is not None and models_path.is_dir():
        for path in sorted(models_path.glob("*.py")):
            loaded.append(_import_file(path))
    return loaded


def _import_file(path: Path) -> str:
    """Import a Python file beside the models as `flowbridge_models.<stem>`, once per process."""
    module_name = f"flowbridge_models.{path.stem}"
    if module_name in sys.modules:
        return module_name
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InvalidInput(f"cannot load microflow file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise InvalidInput(f"microflow file {path} failed to import: {exc}") from exc
    return module_name
