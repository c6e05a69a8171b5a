"""Rows of the waits an instance's tasks hold (message and signal subscriptions), kept in step with
the instance by its step effects: rows are written only for the tasks whose wait began or ended."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert

from .statements import Prepared
from .unit_of_work import UnitOfWork


class WaitRows:
    """One table of waits, keyed by `instance_id` and `task_id`."""

    def __init__(self, table: Table) -> None:
        columns = table.c
        self._insert = Prepared(insert(table))
        self._delete = Prepared(
            delete(table).where(
                columns.instance_id == bindparam("b_instance"), columns.task_id == bindparam("b_task")
            )
        )

    def sync(
        self,
        uow: UnitOfWork,
        instance_id: str,
        before: frozenset[str],
        waiting: dict[str, Any],
        rows_of: Callable[[str, Any], Iterable[dict[str, Any]]],
    ) -> None:
        """Delete the rows of tasks that waited `before` and wait no more; insert `rows_of(task_id,
        task)` for each task of `waiting` that did not wait before. Nothing when nothing changed."""
        if waiting.keys() == before:
            return
        gone = [{"b_instance": instance_id, "b_task": task_id} for task_id in before - waiting.keys()]
        if gone:
            self._delete.execute_many(uow.connection, gone)
        rows = [
            row
            for task_id, task in waiting.items()
            if task_id not in before
            for row in rows_of(task_id, task)
        ]
        if rows:
            self._insert.execute_many(uow.connection, rows)
