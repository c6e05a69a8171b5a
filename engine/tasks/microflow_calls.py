"""Who may call a microflow alone over HTTP (DESIGN §6a): the one rule the API applies.

An administrator may call any microflow. Others may call one registered with `expose=True`, or
with `expose=[groups]` when they are in one of those groups, and one that a form they may fill
right now names (a field's sync microflow, a button's async one): the call names the open task
whose form it is, or the process whose start form it is, and the engine checks that the caller
may do that task, or start that process, and that the form names the microflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..accounts import Principal, may_do_view, may_start
from ..errors import NotAllowed

if TYPE_CHECKING:
    from .service import TaskService


def check_may_call(
    tasks: TaskService,
    name: str,
    caller: Principal,
    task_id: str | None = None,
    process_key: str | None = None,
) -> None:
    """NotAllowed, saying why, unless `caller` may call microflow `name` (NotFound if there is none)."""
    flow = tasks.runtime.registry.get(name)
    if caller.admin or flow.exposed_to(caller.groups):
        return
    if task_id is not None:
        task = tasks.get(task_id)
        if task["status"] == "open" and may_do_view(task, caller.name, caller.groups):
            if name in form_microflows(task["form"]):
                return
            raise NotAllowed(f"the form of task {task_id} does not name microflow '{name}'", name=name)
        raise NotAllowed(f"task {task_id} is not open for {caller.name}", task_id=task_id)
    if process_key is not None:
        definition = tasks.runtime.repository.get(process_key)
        if may_start(definition["starters"], caller.name, caller.groups, caller.admin):
            if name in form_microflows(definition["start_form"]):
                return
            raise NotAllowed(f"the start form of '{process_key}' does not name microflow '{name}'", name=name)
        raise NotAllowed(f"{caller.name} may not start process '{process_key}'", key=process_key)
    raise NotAllowed(
        f"microflow '{name}' is not exposed to {caller.name}: call it from a form that names it "
        "(task_id or process_key), or register it with expose",
        name=name,
    )


def form_microflows(form: dict[str, Any] | None) -> set[str]:
    """The microflows a form description names: its fields' and its buttons'."""
    if not form:
        return set()
    named = {f.get("microflow") for f in form.get("fields") or []}
    named |= {a.get("microflow") for a in form.get("actions") or []}
    return {n for n in named if isinstance(n, str)}
