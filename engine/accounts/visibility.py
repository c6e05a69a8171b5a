"""Who may see an instance (DESIGN §6a): the one rule behind every instance query.

An administrator sees every instance; anyone else only those they take part in — they started
it, or have or had a task in it (`store.participants`). To anyone else an instance they may not
see does not exist: the answer is the NotFound an unknown id gets, so ids cannot be probed.

`viewer` None is the engine's own caller (the CLI without `--user`, a worker): it sees all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from ..errors import NotFound
from ..store import participants
from ..store.models import ProcessInstance
from ..store.unit_of_work import UnitOfWork
from .access import may_start
from .service import Principal


def sees_all(viewer: Principal | None) -> bool:
    """Whether `viewer` sees every instance (the engine itself, or an administrator)."""
    return viewer is None or viewer.admin


def visible_clause(viewer: Principal | None, instance_id: Any) -> ColumnElement[bool] | None:
    """The WHERE clause, on the column `instance_id` that names instances, of what `viewer` sees;
    None for everything."""
    if sees_all(viewer):
        return None
    assert viewer is not None
    return participants.visible_to(viewer.name, viewer.groups, instance_id)


def page_queries(
    viewer: Principal | None, filters: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[Select[Any], Select[Any]]:
    """The two queries of a page of the instance list `viewer` sees, newest first: the page's ids
    (first column) and the count of all, with `filters` on `process_instances`."""
    if not sees_all(viewer):
        assert viewer is not None
        return participants.page(viewer.name, viewer.groups, filters, limit, offset)
    order = ProcessInstance.started_at.desc(), ProcessInstance.id.desc()
    ids = select(ProcessInstance.id).where(*filters).order_by(*order).limit(limit).offset(offset)
    return ids, select(func.count()).select_from(ProcessInstance).where(*filters)


def may_see(uow: UnitOfWork, instance_id: str, viewer: Principal | None) -> bool:
    """Whether `viewer` may see the instance (which need not exist)."""
    if sees_all(viewer):
        return True
    assert viewer is not None
    return participants.takes_part(uow, instance_id, viewer.name, viewer.groups)


def check_may_see(uow: UnitOfWork, instance_id: str, viewer: Principal | None) -> None:
    """NotFound, as for an unknown id, unless `viewer` may see the instance."""
    if not may_see(uow, instance_id, viewer):
        raise NotFound(f"no process instance {instance_id}", instance_id=instance_id)


def check_may_see_job(
    uow: UnitOfWork, job_id: str, instance_id: str | None, caller: str | None, viewer: Principal | None
) -> None:
    """NotFound, as for an unknown id, unless `viewer` may see the job: an instance's job is seen
    with its instance; a microflow called alone, by the one who called it (`caller`)."""
    if sees_all(viewer):
        return
    assert viewer is not None
    if instance_id is not None and may_see(uow, instance_id, viewer):
        return
    if instance_id is None and caller == viewer.name:
        return
    raise NotFound(f"no job {job_id}", job_id=job_id)


def may_see_definition(
    uow: UnitOfWork, definition_id: int, starters: dict[str, list[str]] | None, viewer: Principal | None
) -> bool:
    """Whether `viewer` may read a definition version's deployed XML: one who may start the process
    (its model is what they would run), or who may see an instance of that version."""
    if sees_all(viewer):
        return True
    assert viewer is not None
    if may_start(starters, viewer.name, viewer.groups, viewer.admin):
        return True
    query = select(ProcessInstance.id).where(
        ProcessInstance.definition_id == definition_id,
        participants.visible_to(viewer.name, viewer.groups),
    )
    return uow.connection.execute(query.limit(1)).first() is not None
