"""Task service: the open user tasks people see, and completing them through the runtime."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select

from .db import Database
from .errors import InvalidInput, NotFound
from .models import TaskCandidate, UserTask
from .runtime import RuntimeService
from .uow import UnitOfWork
from .views import task_view


class TaskService:
    """Queries over the user-task projection; completion goes through the runtime's one path."""

    def __init__(self, db: Database, runtime: RuntimeService) -> None:
        self.db = db
        self.runtime = runtime

    def list(
        self,
        *,
        user: str | None = None,
        groups: list[str] | None = None,
        assignee: str | None = None,
        candidate_group: str | None = None,
        instance_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Open tasks; with `user`, only those assigned or offered to the user or their groups."""
        if limit < 1 or limit > 1000 or offset < 0:
            raise InvalidInput("limit must be 1..1000 and offset at least 0")
        query = select(UserTask).where(UserTask.status == "open")
        if assignee is not None:
            query = query.where(UserTask.assignee == assignee)
        if instance_id is not None:
            query = query.where(UserTask.instance_id == instance_id)
        if candidate_group is not None:
            query = query.where(
                UserTask.id.in_(
                    select(TaskCandidate.task_id).where(
                        TaskCandidate.kind == "group", TaskCandidate.name == candidate_group
                    )
                )
            )
        if user is not None:
            offered = select(TaskCandidate.task_id).where(
                or_(
                    (TaskCandidate.kind == "user") & (TaskCandidate.name == user),
                    (TaskCandidate.kind == "group") & TaskCandidate.name.in_(groups or []),
                )
            )
            # Tasks with neither assignee nor candidates are open to everyone.
            query = query.where(
                or_(
                    UserTask.assignee == user,
                    UserTask.assignee.is_(None)
                    & (UserTask.id.in_(offered) | ~UserTask.id.in_(select(TaskCandidate.task_id))),
                )
            )
        with UnitOfWork(self.db) as uow:
            total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = uow.session.scalars(
                query.order_by(UserTask.created_at, UserTask.id).limit(limit).offset(offset)
            ).all()
            return {"items": [task_view(r) for r in rows], "total": total}

    def get(self, task_id: str) -> dict[str, Any]:
        """One task, open or closed."""
        with UnitOfWork(self.db) as uow:
            row = uow.session.get(UserTask, task_id)
            if row is None:
                raise NotFound(f"no user task {task_id}", task_id=task_id)
            return task_view(row)

    def complete(
        self,
        task_id: str,
        variables: dict[str, Any] | None = None,
        user: str | None = None,
        groups: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Complete a task; returns the instance after its next step."""
        return self.runtime.complete_task(task_id, variables, user=user, groups=[*groups])
