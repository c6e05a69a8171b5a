"""Who may do a user task: the one rule the runtime, the task service, the API and the pages apply.

A task assigned to a user is theirs alone. An unassigned task is offered to its candidate users
and groups; one offered to nobody in particular is open to everyone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from ..errors import NotAllowed


def may_do(
    user: str,
    groups: Iterable[str],
    assignee: str | None,
    candidate_users: Collection[str],
    candidate_groups: Collection[str],
) -> bool:
    """Whether `user` (a member of `groups`) may do the task."""
    if assignee is not None:
        return assignee == user
    if not candidate_users and not candidate_groups:
        return True
    return user in candidate_users or not set(groups).isdisjoint(candidate_groups)


def check_may_do(
    task_id: str,
    user: str,
    groups: Iterable[str],
    assignee: str | None,
    candidate_users: Collection[str],
    candidate_groups: Collection[str],
) -> None:
    """NotAllowed, saying why, unless `user` may do the task."""
    if may_do(user, groups, assignee, candidate_users, candidate_groups):
        return
    if assignee is not None:
        raise NotAllowed(f"task {task_id} is assigned to another user", task_id=task_id)
    raise NotAllowed(f"task {task_id} is not offered to {user} or their groups", task_id=task_id)


def may_do_view(task: dict[str, Any], user: str, groups: Iterable[str]) -> bool:
    """`may_do` for a task view (as `TaskService.get` returns it)."""
    return may_do(
        user, groups, task["assignee"], task["candidate_users"] or [], task["candidate_groups"] or []
    )


def check_may_see(task: dict[str, Any], user: str, groups: Iterable[str], admin: bool) -> None:
    """NotAllowed unless `user` may see the task view `task`: an administrator, the user who
    completed it, or one who may do it."""
    if admin or task["completed_by"] == user:
        return
    users, offered_groups = task["candidate_users"] or [], task["candidate_groups"] or []
    check_may_do(task["id"], user, groups, task["assignee"], users, offered_groups)


def may_start(starters: dict[str, Any] | None, user: str, groups: Iterable[str], admin: bool) -> bool:
    """Whether `user` (a member of `groups`) may start a process whose model lets `starters` start it
    (None: anyone; Camunda's candidateStarterUsers / candidateStarterGroups)."""
    if admin or not starters:
        return True
    return user in (starters.get("users") or []) or not set(groups).isdisjoint(starters.get("groups") or [])


def check_may_start(
    key: str, starters: dict[str, Any] | None, user: str, groups: Iterable[str], admin: bool
) -> None:
    """NotAllowed, naming who may, unless `user` may start process `key`."""
    if may_start(starters, user, groups, admin):
        return
    who = ", ".join(
        [*(starters or {}).get("users", []), *(f"group {g}" for g in (starters or {}).get("groups", []))]
    )
    raise NotAllowed(f"{user} may not start process '{key}': it is started by {who}", key=key)


def may_send_anything(sender: Any, integrations_group: str) -> bool:
    """Whether `sender` may send any message or signal: an administrator, or a member of the
    integrations group (systems that correlate payments, signatures, replies; DESIGN §6a)."""
    return bool(sender.admin) or integrations_group in sender.groups


def check_may_reach(
    what: str, sender: Any, outside: int, started: list[tuple[str, dict[str, Any] | None]]
) -> None:
    """NotAllowed unless `sender`, who may not send anything (`may_send_anything`), may send `what`
    (a message or a signal): it reaches no instance they take no part in (`outside` counts those)
    and starts only processes they may start (`started`: each key with its starters)."""
    if outside:
        why = f"it reaches {outside} instance(s) they take no part in"
        raise NotAllowed(f"{sender.name} may not send {what}: {why}")
    for key, starters in started:
        check_may_start(key, starters, sender.name, sender.groups, sender.admin)
