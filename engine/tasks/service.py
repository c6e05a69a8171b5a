"""Task service: the open user tasks people see; claiming and completing them through the runtime.

A claim makes a user the task's assignee: it is kept in the workflow task's internal data (the
projection's assignee, over the model's), so every later step projects it again, and it is written
to the task's row in the claim's own step. Claims follow Camunda's rules: a user claims a task
offered to them or their groups (or to everyone; else NotAllowed, 403), claiming one's own task
again changes nothing, and a task another user holds (by a claim or by the model's assignment)
answers TaskClaimed (409).
Only the claimant or an administrator undoes a claim; the task then returns to its candidates.
A model's assignment is no claim: unclaiming it is TaskNotClaimed (409), as releasing it would
offer the task to everyone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, NamedTuple

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Executable,
    Select,
    bindparam,
    exists,
    false,
    func,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import aliased

from ..accounts.access import check_may_do
from ..accounts.service import Principal, check_name
from ..definitions import listeners
from ..errors import (
    EngineError,
    InvalidInput,
    NotAllowed,
    NotFound,
    TaskAlreadyCompleted,
    TaskClaimed,
    TaskNotClaimed,
)
from ..runtime.history import StepRecord
from ..runtime.projections import CLAIM, make_open_task
from ..runtime.service import Change, RuntimeService, find_task, lock_open_task
from ..runtime.views import task_view
from ..store import instance_rows
from ..store.database import Database
from ..store.models import ProcessInstance, TaskCandidate, UserTask
from ..store.unit_of_work import UnitOfWork
from . import instructions
from .microflow_calls import check_may_call

_Slot = list[str | None]
"""One value a step's change leaves for the step's `finish` (the task's new assignee)."""


class _Unchanged(EngineError):
    """The claim or unclaim changes nothing (already so): the step is rolled back, nothing is written."""


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
        """Open tasks, oldest first; with `user`, only those the user may do: assigned to them, or
        unassigned and offered to them, to one of `groups`, or (offered to nobody) to everyone.

        With a user or a candidate group, one statement answers the page and the total (see
        `_page`); only a page past the end needs a second one for the total.
        """
        if limit < 1 or limit > 1000 or offset < 0:
            raise InvalidInput("limit must be 1..1000 and offset at least 0")
        shape = _Shape(
            user is not None,
            bool(groups),
            assignee is not None,
            candidate_group is not None,
            instance_id is not None,
            self.db.is_sqlite,
        )
        page, count = _statements(shape)
        params = {
            "user": user,
            "groups": groups or [],
            "assignee": assignee,
            "candidate_group": candidate_group,
            "instance_id": instance_id,
            "limit": limit,
            "offset": offset,
        }
        with UnitOfWork(self.db) as uow:
            rows = uow.session.execute(page, params).all()
            if shape.windowed and rows:
                total = rows[0].total
            elif shape.windowed and not offset:
                total = 0
            else:
                total = uow.session.scalar(count, params) or 0
            return {"items": [task_view(row[0]) for row in rows], "total": total}

    def check_may_call(
        self, name: str, caller: Principal, task_id: str | None = None, process_key: str | None = None
    ) -> None:
        """NotAllowed unless `caller` may call microflow `name` alone (`microflow_calls`)."""
        check_may_call(self, name, caller, task_id, process_key)

    def get(self, task_id: str) -> dict[str, Any]:
        """One task, open or closed."""
        with UnitOfWork(self.db) as uow:
            row = uow.session.get(UserTask, task_id)
            if row is None:
                raise NotFound(f"no user task {task_id}", task_id=task_id)
            return {**task_view(row), **self._instructions(uow, row)}

    def _instructions(self, uow: UnitOfWork, row: UserTask) -> dict[str, str | None]:
        """SpiffArena's instructionsForEndUser, rendered with the task's data (`instructions`)."""
        instance = uow.session.get(ProcessInstance, row.instance_id)
        template = None
        if instance is not None:
            spec, subprocess_specs = self.runtime.repository.spec(uow, instance.definition_id)
            template = instructions.template_of(spec, subprocess_specs, row.element_id)
        return instructions.instructions(template, row.variables or {})

    def complete(
        self,
        task_id: str,
        variables: dict[str, Any] | None = None,
        user: str | None = None,
        groups: Sequence[str] = (),
        admin: bool = False,
    ) -> dict[str, Any]:
        """Complete a task; returns the instance after its next step. `admin` may complete any task."""
        return self.runtime.complete_task(task_id, variables, user=user, groups=[*groups], admin=admin)

    def claim(
        self, task_id: str, user: str, groups: Sequence[str] = (), admin: bool = False
    ) -> dict[str, Any]:
        """Make `user` the assignee of an open task offered to them or their groups; the task.

        NotAllowed (403) when it is not offered to the user (checked first, so that users who may
        not have it do not learn who does), TaskClaimed (409) when another user holds it,
        TaskAlreadyCompleted (409) when it is closed. Claiming one's own task is a no-op. An
        `admin` claims any task, also one another user holds (the history names them).
        """
        _check_user(user)
        assignee: _Slot = [user]

        def change(wf: Any, record: StepRecord) -> None:
            task = _open_workflow_task(wf, task_id)
            current = make_open_task(task)
            if current.assignee == user:
                raise _Unchanged(f"task {task_id} is {user}'s already")
            if not admin:
                # Whether it is offered to them comes first (assignee None): others must not learn who
                # holds it.
                check_may_do(task_id, user, groups, None, current.candidate_users, current.candidate_groups)
                if current.assignee is not None:
                    raise TaskClaimed(
                        f"task {task_id} is claimed by another user",
                        task_id=task_id,
                        assignee=current.assignee,
                    )
            task.internal_data[CLAIM] = user
            listeners.run(task, "assignment")
            data = {"assignee": user}
            if current.assignee is not None:
                data["previous_assignee"] = current.assignee
            _record(record, "task_claimed", task, data)

        return self._assign(task_id, change, user, assignee)

    def assign(self, task_id: str, assignee: str, user: str, admin: bool = False) -> dict[str, Any]:
        """Give an open task to `assignee` (an administrator's act: NotAllowed otherwise); the task.

        The task leaves its candidates' lists as a claim does; the history records who gave it to
        whom and who held it before. Giving it to its assignee is a no-op.
        """
        _check_user(user)
        check_name(assignee, "user")
        if not admin:
            raise NotAllowed("only administrators may assign a task to someone", task_id=task_id)
        slot: _Slot = [assignee]

        def change(wf: Any, record: StepRecord) -> None:
            task = _open_workflow_task(wf, task_id)
            current = make_open_task(task)
            if current.assignee == assignee:
                raise _Unchanged(f"task {task_id} is {assignee}'s already")
            task.internal_data[CLAIM] = assignee
            listeners.run(task, "assignment")
            _record(
                record,
                "task_assigned",
                task,
                {"assignee": assignee, "previous_assignee": current.assignee, "by": user},
            )

        return self._assign(task_id, change, user, slot)

    def unclaim(
        self, task_id: str, user: str, groups: Sequence[str] = (), admin: bool = False
    ) -> dict[str, Any]:
        """Undo the claim on an open task; the task, back with its candidates.

        Only the claimant or an `admin` (NotAllowed, 403, for others). A task nobody claimed is
        returned unchanged to its candidates and admins (others get NotAllowed, as for `claim`),
        unless its model assigned it: that is TaskNotClaimed (409).
        """
        _check_user(user)
        assignee: _Slot = [None]

        def change(wf: Any, record: StepRecord) -> None:
            task = _open_workflow_task(wf, task_id)
            claimed = task.internal_data.get(CLAIM)
            current = make_open_task(task)
            if not admin and claimed != user:
                # Neither its claimant nor an admin: only a candidate learns anything about the task.
                check_may_do(task_id, user, groups, None, current.candidate_users, current.candidate_groups)
            if claimed is None:
                assigned = current.assignee
                if assigned is None:
                    raise _Unchanged(f"task {task_id} is not claimed")
                raise TaskNotClaimed(
                    f"task {task_id} is assigned to {assigned} by its model: there is no claim to undo",
                    task_id=task_id,
                    assignee=assigned,
                )
            if claimed != user and not admin:
                raise NotAllowed(
                    f"task {task_id} is claimed by another user: only they or an admin may unclaim it",
                    task_id=task_id,
                )
            del task.internal_data[CLAIM]
            assignee[0] = make_open_task(task).assignee
            _record(record, "task_unclaimed", task, {"previous_assignee": claimed})

        return self._assign(task_id, change, user, assignee)

    def _assign(self, task_id: str, change: Change, user: str, assignee: _Slot) -> dict[str, Any]:
        """Run a claim's change in the instance's one step path; its finish writes the task row's new
        assignee (`assignee[0]`, as the change left it). Returns the task."""

        instance: list[instance_rows.LockedInstance] = []

        def lock(uow: UnitOfWork) -> instance_rows.LockedInstance:
            locked = lock_open_task(uow, task_id)[0]
            instance[:] = [locked]
            return locked

        def finish(uow: UnitOfWork) -> None:
            instance_rows.set_task_assignee(uow, instance[0], task_id, assignee[0])

        with contextlib.suppress(_Unchanged):
            self.runtime.step(lock, change, user, finish=finish)
        return self.get(task_id)


class _Shape(NamedTuple):
    """Which of its filters a task list has (each given as a bound parameter), and the dialect:
    the key of the statements built for it."""

    mine: bool
    groups: bool
    assignee: bool
    candidate_group: bool
    instance_id: bool
    sqlite: bool

    @property
    def windowed(self) -> bool:
        """Answered by one statement over the candidate rows (`_page`), not by a plain query."""
        return self.mine or self.candidate_group

    def on(self, task: Any, group: bool = True) -> list[ColumnElement[bool]]:
        """Open and matching every filter given (the candidate group only when `group`)."""
        conditions = [task.status == "open"]
        if self.assignee:
            conditions.append(task.assignee == bindparam("assignee"))
        if self.instance_id:
            conditions.append(task.instance_id == bindparam("instance_id"))
        if group and self.candidate_group:
            conditions.append(
                exists().where(
                    TaskCandidate.task_id == task.id,
                    TaskCandidate.kind == "group",
                    TaskCandidate.name == bindparam("candidate_group"),
                )
            )
        return conditions


_Rows = Select[Any, Any] | CompoundSelect[Any, Any]
"""Rows of `id` and `created_at` of the tasks a list shows; `created_at` NULL marks a row to drop."""
_Ids = Select[Any] | CompoundSelect[Any]
"""Rows of `task_id`: the candidate rows' tasks, each once."""
_TASK = aliased(UserTask, name="task")
"""The user-task row a candidate row is checked against."""
_BUILT: dict[_Shape, tuple[Executable, Executable]] = {}
"""The page and count statements of each shape of list, built on first use (SQLAlchemy then
finds their compiled SQL in its cache instead of compiling a new statement every time)."""


def _statements(shape: _Shape) -> tuple[Executable, Executable]:
    """The page statement of a list of this shape (rows of a task and the total) and its count."""
    built = _BUILT.get(shape)
    if built is not None:
        return built
    if shape.windowed:
        found = _mine(shape) if shape.mine else _in_group(shape)
        every = found.subquery()
        built = _page(found), select(func.count(every.c.created_at))
    else:
        query = select(UserTask).where(*shape.on(UserTask))
        page = query.order_by(UserTask.created_at, UserTask.id)
        built = (
            page.limit(bindparam("limit")).offset(bindparam("offset")),
            select(func.count()).select_from(query.subquery()),
        )
    _BUILT[shape] = built
    return built


def _in_group(shape: _Shape) -> _Rows:
    """The open tasks offered to the candidate group (assigned or not), matching the other filters."""
    in_group = TaskCandidate.kind == "group", TaskCandidate.name == bindparam("candidate_group")
    offered = select(TaskCandidate.task_id).where(*in_group).distinct()
    return _checked(offered, shape.on(_TASK, group=False), shape.sqlite)


def _mine(shape: _Shape) -> _Rows:
    """The tasks the user may do: assigned to them, or unassigned and offered to them, one of
    their groups, or to everyone (offered to nobody).

    Three branches, each driven by its own index: the user's assigned tasks; the tasks open to
    all; and the tasks the user's and their groups' candidate rows name, each checked by one
    lookup of its row (`_checked`).
    """
    user: BindParameter[str] = bindparam("user")
    assigned = select(UserTask.id, UserTask.created_at).where(*shape.on(UserTask), UserTask.assignee == user)
    to_all = select(UserTask.id, UserTask.created_at).where(
        *shape.on(UserTask), UserTask.open_to_all == true(), UserTask.assignee.is_(None)
    )
    as_user = TaskCandidate.kind == "user", TaskCandidate.name == user
    in_groups = TaskCandidate.kind == "group", TaskCandidate.name.in_(bindparam("groups", expanding=True))
    if not (shape.assignee or shape.instance_id or shape.candidate_group):
        return union_all(assigned, to_all, _offered(as_user, in_groups if shape.groups else None))
    offered: _Ids = select(TaskCandidate.task_id).where(*as_user).distinct()
    if shape.groups:
        offered = union(offered, select(TaskCandidate.task_id).where(*in_groups))
    checked = _checked(offered, [*shape.on(_TASK), _TASK.assignee.is_(None)], shape.sqlite)
    return union_all(assigned, to_all, checked)


def _offered(as_user: tuple[Any, ...], in_groups: tuple[Any, ...] | None) -> _Rows:
    """The unassigned tasks offered to the user or their groups, from the candidate index alone.

    Candidate rows exist for open tasks only and carry their task's age and whether it is
    assigned, so no task row is read; UNION keeps a task offered twice (to the user and a group,
    or to two groups) once.
    """
    columns = (TaskCandidate.task_id.label("id"), TaskCandidate.created_at)
    free = TaskCandidate.assigned == false()
    to_user = select(*columns).where(*as_user, free)
    if in_groups is None:
        return to_user
    # A subquery: SQLite cannot nest a parenthesized UNION inside the UNION ALL.
    both = union(to_user, select(*columns).where(*in_groups, free)).subquery("offered")
    return select(both.c.id, both.c.created_at)


def _checked(task_ids: _Ids, conditions: list[ColumnElement[bool]], join: bool) -> Select[Any, Any]:
    """The tasks `task_ids` names (each once: DISTINCT or UNION, which also keeps SQLite from
    folding them into the join) that meet `conditions`, driven by those ids.

    Each id costs one index lookup of its task, so neither database may start from the other
    side (every open task). PostgreSQL would (its cost model prices a few thousand lookups above
    a scan), so there each id gets a correlated subquery, evaluated per id, whose `created_at` is
    NULL where the conditions fail. SQLite gets a plain join: it starts from a materialized
    union by itself, and only a join lets it use the covering index instead of the primary key.
    """
    ids = task_ids.subquery("offered")
    if join:
        return (
            select(_TASK.id, _TASK.created_at)
            .join_from(ids, _TASK, _TASK.id == ids.c.task_id)
            .where(*conditions)
        )
    created = select(_TASK.created_at).where(_TASK.id == ids.c.task_id, *conditions).scalar_subquery()
    return select(ids.c.task_id.label("id"), created.label("created_at"))


def _page(rows: _Rows) -> Select[UserTask, int]:
    """The page of tasks, oldest first, each with the total: `count(created_at) over ()` counts the
    rows to show, and NULLs sort last, so the page holds exactly the rows a separate count and
    ordered query would give (a page past the end may hold only dropped rows: then no total)."""
    found = rows.subquery("found")
    page = (
        select(found.c.id, found.c.created_at, func.count(found.c.created_at).over().label("total"))
        .order_by(found.c.created_at.asc().nulls_last(), found.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("page")
    )
    return (
        select(UserTask, page.c.total)
        .join(page, UserTask.id == page.c.id)
        .where(page.c.created_at.is_not(None))
        .order_by(UserTask.created_at, UserTask.id)
    )


def _check_user(user: Any) -> None:
    if not isinstance(user, str) or not user.strip() or len(user) > 255:
        raise InvalidInput("a task's user needs a name of 1 to 255 characters")


def _open_workflow_task(workflow: Any, task_id: str) -> Any:
    task = find_task(workflow, task_id)
    if task is None or not task.has_state(TaskState.READY) or not task.task_spec.manual:
        raise TaskAlreadyCompleted(f"task {task_id} is already closed", task_id=task_id)
    return task


def _record(record: StepRecord, kind: str, task: Any, data: dict[str, Any]) -> None:
    spec = task.task_spec
    record.add(
        kind,
        element_id=spec.bpmn_id,
        element_name=spec.bpmn_name,
        element_type=spec.description,
        task_id=str(task.id),
        data=data,
    )
