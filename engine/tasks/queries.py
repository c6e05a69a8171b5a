"""The task list's SQL: a page statement and its count for each shape of list, built once.

A list's shape (`Shape`) is which of its filters it has (each given as a bound parameter), its
scope, its sort and the database's dialect; the statements of a shape are built on first use, so
SQLAlchemy finds their compiled SQL in its cache instead of compiling a new statement every time.

A user's list ("my tasks") is a union of branches, each driven by its own index: the tasks
assigned to the user; the tasks open to all; and the tasks the user's and their groups' candidate
rows name. Without other filters the last is read from the candidate index alone (`_offered`);
with filters each candidate row's task is checked by one lookup of its row (`_checked`). Every
statement answers a page of rows of a task with its process key, business key and definition id
and, for windowed lists, the total.
"""

from __future__ import annotations

from typing import Any, NamedTuple

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
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import aliased

from ..store.models import ProcessDefinition, ProcessInstance, TaskCandidate, UserTask

SCOPES = ("all", "assigned", "groups", "unassigned")
"""Which of a user's tasks a list holds: all they may do, those assigned to them, the unassigned
ones offered to one of their groups, or all unassigned ones they may do."""
SORTS = ("created", "due", "name", "process")
"""What a list sorts by (ties: newest first); a leading `-` reverses it (`-created`: newest first).
Tasks without a due date come last either way."""
SEARCH_ESCAPE = "\\"
"""The escape character of the search pattern's LIKE wildcards (`escape_like`)."""


class Shape(NamedTuple):
    """Which of its filters a task list has, its scope and sort, and the dialect: the key of the
    statements built for it."""

    mine: bool
    groups: bool
    assignee: bool
    candidate_group: bool
    instance_id: bool
    sqlite: bool
    scope: str = "all"
    process_key: bool = False
    due_before: bool = False
    search: bool = False
    sort: str = "created"

    @property
    def windowed(self) -> bool:
        """Answered by one statement over the candidate rows (`_page`), not by a plain query."""
        return self.mine or self.candidate_group

    @property
    def filtered(self) -> bool:
        """Filtered by more than status and scope: each offered task's row must be checked."""
        return (
            self.assignee
            or self.instance_id
            or self.candidate_group
            or self.process_key
            or self.due_before
            or self.search
        )

    def on(self, task: Any, group: bool = True) -> list[ColumnElement[bool]]:
        """Open and matching every filter given (the candidate group only when `group`)."""
        conditions = [task.status == "open"]
        if self.assignee:
            conditions.append(task.assignee == bindparam("assignee"))
        if self.instance_id:
            conditions.append(task.instance_id == bindparam("instance_id"))
        if self.scope in ("groups", "unassigned"):
            conditions.append(task.assignee.is_(None))
        if self.due_before:
            conditions.append(task.due_at < bindparam("due_before"))
        if self.process_key:
            instance = aliased(ProcessInstance)
            key = instance.key == bindparam("process_key")
            conditions.append(exists().where(instance.id == task.instance_id, key))
        if self.search:
            conditions.append(_matches(task))
        if group and self.candidate_group:
            conditions.append(
                exists().where(
                    TaskCandidate.task_id == task.id,
                    TaskCandidate.kind == "group",
                    TaskCandidate.name == bindparam("candidate_group"),
                )
            )
        return conditions


def escape_like(text: str) -> str:
    """The search text as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    for special in (SEARCH_ESCAPE, "%", "_"):
        text = text.replace(special, SEARCH_ESCAPE + special)
    return f"%{text}%"


def _matches(task: Any) -> ColumnElement[bool]:
    """The task's name, its process's name or key, or its instance's business key holds the search text."""
    text: BindParameter[str] = bindparam("search")
    instance, definition = aliased(ProcessInstance), aliased(ProcessDefinition)
    named = or_(
        instance.business_key.ilike(text, escape=SEARCH_ESCAPE),
        definition.name.ilike(text, escape=SEARCH_ESCAPE),
        definition.key.ilike(text, escape=SEARCH_ESCAPE),
    )
    in_process = exists().where(
        instance.id == task.instance_id, definition.id == instance.definition_id, named
    )
    return or_(task.name.ilike(text, escape=SEARCH_ESCAPE), in_process)


_Rows = Select[Any, Any] | CompoundSelect[Any, Any]
"""Rows of `id` and `created_at` of the tasks a list shows; `created_at` NULL marks a row to drop."""
_Ids = Select[Any] | CompoundSelect[Any]
"""Rows of `task_id`: the candidate rows' tasks, each once."""
_TASK = aliased(UserTask, name="task")
"""The user-task row a candidate row is checked against."""
_BUILT: dict[Shape, tuple[Executable, Executable]] = {}
"""The page and count statements of each shape of list, built on first use."""


def statements(shape: Shape) -> tuple[Executable, Executable]:
    """The page statement of a list of this shape (rows of a task, its process and, windowed, the
    total) and its count."""
    built = _BUILT.get(shape)
    if built is not None:
        return built
    if shape.windowed:
        found = _mine(shape) if shape.mine else _in_group(shape)
        every = found.subquery()
        built = _page(found, shape), select(func.count(every.c.created_at))
    else:
        built = (
            _plain_page(shape),
            select(func.count()).select_from(select(UserTask.id).where(*shape.on(UserTask)).subquery()),
        )
    _BUILT[shape] = built
    return built


def _in_group(shape: Shape) -> _Rows:
    """The open tasks offered to the candidate group (assigned or not), matching the other filters."""
    in_group = TaskCandidate.kind == "group", TaskCandidate.name == bindparam("candidate_group")
    offered = select(TaskCandidate.task_id).where(*in_group).distinct()
    return _checked(offered, shape.on(_TASK, group=False), shape.sqlite)


def _mine(shape: Shape) -> _Rows:
    """The tasks of the user's list: of those they may do (assigned to them, or unassigned and
    offered to them, one of their groups, or to everyone), the ones its scope holds.

    A list filtered by assignee, or of the scope `assigned`, is the first branch alone: a user's
    list holds no task another user holds.
    """
    user: BindParameter[str] = bindparam("user")
    assigned = select(UserTask.id, UserTask.created_at).where(*shape.on(UserTask), UserTask.assignee == user)
    if shape.assignee or shape.scope == "assigned":
        return assigned
    to_all = select(UserTask.id, UserTask.created_at).where(
        *shape.on(UserTask), UserTask.open_to_all == true(), UserTask.assignee.is_(None)
    )
    as_user = TaskCandidate.kind == "user", TaskCandidate.name == user
    in_groups = TaskCandidate.kind == "group", TaskCandidate.name.in_(bindparam("groups", expanding=True))
    branches: list[_Rows] = [assigned, to_all] if shape.scope == "all" else [to_all]
    if shape.scope == "groups":
        if not shape.groups:
            return select(UserTask.id, UserTask.created_at).where(false())
        branches, by_user = [], None
    else:
        by_user = as_user
    by_groups = in_groups if shape.groups else None
    if not shape.filtered:
        branches.append(_offered(by_user, by_groups))
    else:
        offered = _offered_ids(by_user, by_groups)
        branches.append(_checked(offered, [*shape.on(_TASK), _TASK.assignee.is_(None)], shape.sqlite))
    return union_all(*branches) if len(branches) > 1 else branches[0]


def _offered(as_user: tuple[Any, ...] | None, in_groups: tuple[Any, ...] | None) -> _Rows:
    """The unassigned tasks offered to the user and/or their groups, from the candidate index alone.

    Candidate rows exist for open tasks only and carry their task's age and whether it is
    assigned, so no task row is read; UNION (or DISTINCT) keeps a task offered twice (to the user
    and a group, or to two groups) once.
    """
    columns = (TaskCandidate.task_id.label("id"), TaskCandidate.created_at)
    free = TaskCandidate.assigned == false()
    if in_groups is None:
        assert as_user is not None
        return select(*columns).where(*as_user, free)
    to_groups = select(*columns).where(*in_groups, free)
    if as_user is None:
        return to_groups.distinct()
    # A subquery: SQLite cannot nest a parenthesized UNION inside the UNION ALL.
    both = union(select(*columns).where(*as_user, free), to_groups).subquery("offered")
    return select(both.c.id, both.c.created_at)


def _offered_ids(as_user: tuple[Any, ...] | None, in_groups: tuple[Any, ...] | None) -> _Ids:
    """The tasks the user's and/or their groups' candidate rows name, each once."""
    if as_user is None:
        assert in_groups is not None
        return select(TaskCandidate.task_id).where(*in_groups).distinct()
    offered: _Ids = select(TaskCandidate.task_id).where(*as_user).distinct()
    if in_groups is not None:
        offered = union(offered, select(TaskCandidate.task_id).where(*in_groups))
    return offered


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


def _sort_of(shape: Shape) -> tuple[str, bool]:
    """The field a list sorts by, and whether in reverse."""
    return shape.sort.lstrip("-"), shape.sort.startswith("-")


def _ordered(column: Any, descending: bool) -> Any:
    return (column.desc() if descending else column.asc()).nulls_last()


def _sort_key(field: str, task: Any) -> tuple[ColumnElement[Any], list[tuple[Any, Any]]]:
    """The column a list sorts by (other than its age) and the joins it needs from `task`."""
    if field == "due":
        return task.due_at, []
    if field == "name":
        return func.lower(func.coalesce(task.name, task.element_id)), []
    instance, definition = aliased(ProcessInstance), aliased(ProcessDefinition)
    joins = [
        (instance, instance.id == task.instance_id),
        (definition, definition.id == instance.definition_id),
    ]
    return func.lower(func.coalesce(definition.name, definition.key)), joins


def _page(rows: _Rows, shape: Shape) -> Select[Any, Any]:
    """The page of tasks in the list's order, each with the total: `count(created_at) over ()`
    counts the rows to show, and rows to drop sort last, so the page holds exactly the rows a
    separate count and ordered query would give (a page past the end may hold only dropped rows:
    then no total)."""
    found = rows.subquery("found")
    total = func.count(found.c.created_at).over().label("total")
    field, descending = _sort_of(shape)
    if field == "created":
        window = select(found.c.id, found.c.created_at, total).order_by(
            _ordered(found.c.created_at, descending), found.c.id
        )
    else:
        task = aliased(UserTask, name="sorted")
        key, joins = _sort_key(field, task)
        window = select(found.c.id, found.c.created_at, key.label("sort_key"), total).join_from(
            found, task, task.id == found.c.id
        )
        for target, condition in joins:
            window = window.join(target, condition)
        window = window.order_by(
            found.c.created_at.is_(None), _ordered(key, descending), found.c.created_at.desc(), found.c.id
        )
    page = window.limit(bindparam("limit")).offset(bindparam("offset")).subquery("page")
    return _listed(page, shape, page.c.total).where(page.c.created_at.is_not(None))


def _plain_page(shape: Shape) -> Select[Any, Any]:
    """The page of a list that is no user's nor a group's (an administrator's view of every task)."""
    field, descending = _sort_of(shape)
    if field == "created":
        query = select(UserTask.id).order_by(_ordered(UserTask.created_at, descending), UserTask.id)
    else:
        key, joins = _sort_key(field, UserTask)
        query = select(UserTask.id, key.label("sort_key"))
        for target, condition in joins:
            query = query.join(target, condition)
        query = query.order_by(_ordered(key, descending), UserTask.created_at.desc(), UserTask.id)
    page = query.where(*shape.on(UserTask)).limit(bindparam("limit")).offset(bindparam("offset"))
    return _listed(page.subquery("page"), shape)


def _listed(page: Any, shape: Shape, *extra: Any) -> Select[Any, Any]:
    """The page's tasks (rows of the task table's columns), in its order, with their instance's
    process key, business key and definition id (the definition's name comes from memory:
    `list_variables.ListFacts`, a join fewer for every list)."""
    field, descending = _sort_of(shape)
    if field == "created":
        created = UserTask.created_at.desc() if descending else UserTask.created_at
        order = [created, UserTask.id]
    else:
        order = [_ordered(page.c.sort_key, descending), UserTask.created_at.desc(), UserTask.id]
    return (
        select(
            UserTask.__table__,
            *extra,
            ProcessInstance.key.label("process_key"),
            ProcessInstance.business_key,
            ProcessInstance.definition_id,
        )
        .join(page, UserTask.id == page.c.id)
        .join(ProcessInstance, ProcessInstance.id == UserTask.instance_id)
        .order_by(*order)
    )
