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
from datetime import date, datetime
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from ..accounts.access import check_may_do
from ..accounts.service import Principal, check_name
from ..definitions import documentation, listeners
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
from ..store.models import ProcessDefinition, ProcessInstance, UserTask, parse_moment
from ..store.unit_of_work import UnitOfWork
from . import instructions, list_variables, queries
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
        self._list_facts = list_variables.ListFacts()

    def list(
        self,
        *,
        user: str | None = None,
        groups: list[str] | None = None,
        assignee: str | None = None,
        candidate_group: str | None = None,
        instance_id: str | None = None,
        scope: str = "all",
        process_key: str | None = None,
        due_before: date | str | None = None,
        search: str | None = None,
        sort: str = "created",
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Open tasks, oldest first unless `sort` says otherwise (`queries.SORTS`); with `user`,
        only those the user may do: assigned to them, or unassigned and offered to them, to one of
        `groups`, or (offered to nobody) to everyone — and of those, what `scope` holds
        (`queries.SCOPES`). `process_key`, `due_before` (an ISO date or date and time, UTC unless
        it says) and `search` (in the task's name, its process's name or key and its business key,
        ignoring case) narrow any list. Each item is the task with its `process_key`,
        `process_name`, `business_key` and `list_variables` (`list_variables`).

        With a user or a candidate group, one statement answers the page and the total (see
        `queries`); only a page past the end needs a second one for the total.
        """
        if limit < 1 or limit > 1000 or offset < 0:
            raise InvalidInput("limit must be 1..1000 and offset at least 0")
        moment = _due_before(due_before)
        search = search.strip() if isinstance(search, str) else None
        shape = queries.Shape(
            mine=user is not None,
            groups=bool(groups),
            assignee=assignee is not None,
            candidate_group=candidate_group is not None,
            instance_id=instance_id is not None,
            sqlite=self.db.is_sqlite,
            scope=_scope(scope, user),
            process_key=process_key is not None,
            due_before=moment is not None,
            search=bool(search),
            sort=_sort(sort),
        )
        page, count = queries.statements(shape)
        params = {
            "user": user,
            "groups": groups or [],
            "assignee": assignee,
            "candidate_group": candidate_group,
            "instance_id": instance_id,
            "process_key": process_key,
            "due_before": moment,
            "search": queries.escape_like(search) if search else None,
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
            self._list_facts.load(uow, {row.definition_id for row in rows})
            return {"items": [self._item(row) for row in rows], "total": total}

    def count(self, user: str, groups: Sequence[str] = ()) -> int:
        """How many open tasks `user` may do (the total of their list), in one statement."""
        shape = queries.Shape(True, bool(groups), False, False, False, self.db.is_sqlite)
        params = {"user": user, "groups": [*groups]}
        with UnitOfWork(self.db) as uow:
            return uow.session.scalar(queries.statements(shape)[1], params) or 0

    def processes(self) -> Sequence[dict[str, Any]]:
        """Every deployed process's key and latest name, by key: what a task list filters by."""
        d = ProcessDefinition
        latest = select(d.key, func.max(d.version).label("version")).group_by(d.key).subquery()
        newest = (d.key == latest.c.key) & (d.version == latest.c.version)
        with UnitOfWork(self.db) as uow:
            rows = uow.session.execute(select(d.key, d.name).join(latest, newest).order_by(d.key)).all()
        return [{"key": row.key, "name": row.name} for row in rows]

    def _item(self, row: Any) -> dict[str, Any]:
        """A list's task: its view, its process and the variables its row shows."""
        # A Core row of the task's table, not a model: `task_view` reads its columns by name all
        # the same, and a list of rows skips the ORM's identity map (the "my tasks" benchmark).
        task: Any = row
        process_key, business_key, definition_id = row[-3:]
        view = task_view(task)
        view["process_key"] = process_key
        view["process_name"] = self._list_facts.process_name(definition_id)
        view["business_key"] = business_key
        names = self._list_facts.names(definition_id, task.element_id)
        view["list_variables"] = list_variables.shown(names, task.form, task.variables)
        return view

    def check_may_call(
        self, name: str, caller: Principal, task_id: str | None = None, process_key: str | None = None
    ) -> None:
        """NotAllowed unless `caller` may call microflow `name` alone (`microflow_calls`)."""
        check_may_call(self, name, caller, task_id, process_key)

    def get(self, task_id: str) -> dict[str, Any]:
        """One task, open or closed, with its instance's business key and revision
        (`instance_revision`: each step of the instance bumps it, so a page showing the task can
        tell when the instance moved)."""
        with UnitOfWork(self.db) as uow:
            row = uow.session.get(UserTask, task_id)
            if row is None:
                raise NotFound(f"no user task {task_id}", task_id=task_id)
            instance = uow.session.get(ProcessInstance, row.instance_id)
            return {
                **task_view(row),
                **self._instructions(uow, row, instance),
                "business_key": instance.business_key if instance is not None else None,
                "instance_revision": instance.revision if instance is not None else None,
            }

    def _instructions(
        self, uow: UnitOfWork, row: UserTask, instance: ProcessInstance | None
    ) -> dict[str, str | None]:
        """SpiffArena's instructionsForEndUser, rendered with the task's data (`instructions`), and
        the task's BPMN documentation (`documentation`)."""
        template = text = None
        if instance is not None:
            spec, subprocess_specs = self.runtime.repository.spec(uow, instance.definition_id)
            template = instructions.template_of(spec, subprocess_specs, row.element_id)
            text = documentation.of_task(spec, subprocess_specs, row.element_id)
        return {**instructions.instructions(template, row.variables or {}), "documentation": text}

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
            record.add_task_event("task_claimed", task, data)

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
            record.add_task_event(
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
            record.add_task_event("task_unclaimed", task, {"previous_assignee": claimed})

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


def _scope(scope: str, user: str | None) -> str:
    if scope not in queries.SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(queries.SCOPES)}, not {scope!r}")
    if user is None and scope in ("assigned", "groups"):
        raise InvalidInput(f"the scope {scope!r} needs a user")
    return scope


def _sort(sort: str) -> str:
    if not isinstance(sort, str) or sort.removeprefix("-") not in queries.SORTS:
        sorts = ", ".join(queries.SORTS)
        raise InvalidInput(f"sort must be one of {sorts}, each with an optional leading '-', not {sort!r}")
    return sort


def _due_before(value: date | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = parse_moment(value)
    if moment is None:
        raise InvalidInput(f"due_before must be an ISO 8601 date or date and time, not {value!r}")
    return moment


def _check_user(user: Any) -> None:
    if not isinstance(user, str) or not user.strip() or len(user) > 255:
        raise InvalidInput("a task's user needs a name of 1 to 255 characters")


def _open_workflow_task(workflow: Any, task_id: str) -> Any:
    task = find_task(workflow, task_id)
    if task is None or not task.has_state(TaskState.READY) or not task.task_spec.manual:
        raise TaskAlreadyCompleted(f"task {task_id} is already closed", task_id=task_id)
    return task
