"""Prepared statements: Core statements compiled once per dialect and run on the DBAPI cursor.

The step path runs the same handful of statements thousands of times a second. SQLAlchemy's
per-execution work (cache key, parameter and result setup) costs several times what SQLite
spends running such a statement, so the step's statements are compiled once and executed
directly, with SQLAlchemy's own type processors applied to parameters and results: what is
stored and read back is exactly what the ORM would store and read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import Compiled

Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement compiled for one dialect and one set of parameter keys."""

    def __init__(self, statement: Any, dialect: Dialect, keys: Sequence[str] | None) -> None:
        self.compiled: Compiled = statement.compile(dialect=dialect, column_keys=keys)
        self.sql = self.compiled.string
        # Keyed by the names the compiled SQL uses, which anonymous literals get only here.
        names = self.compiled.bind_names
        self.binds: dict[str, Processor] = {
            names[bind]: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for bind in self.compiled.binds.values()
        }
        self.positions: list[str] | None = (
            list(self.compiled.positiontup or []) if self.compiled.positional else None
        )
        columns = getattr(statement, "selected_columns", None) if statement.is_select else None
        self.results: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns or []
        ]

    def parameters(self, params: dict[str, Any]) -> Any:
        """The DBAPI parameters: SQLAlchemy's bind names and defaults, processed per type."""
        values = self.compiled.construct_params(params)
        assert values is not None
        for name, process in self.binds.items():
            if process is not None:
                values[name] = process(values[name])
        if self.positions is not None:
            return [values[name] for name in self.positions]
        return values

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        """A result row with each column's type processor applied."""
        return tuple(v if p is None or v is None else p(v) for p, v in zip(self.results, raw, strict=True))


class Prepared:
    """A Core statement ready to run on a connection's DBAPI cursor."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...] | None], _Compiled] = {}

    def _for(self, dialect: Dialect, params: dict[str, Any]) -> _Compiled:
        # INSERTs compile to the columns given, so a database-assigned key stays unnamed.
        keys = tuple(params) if self.statement.is_insert else None
        entry = self._compiled.get((dialect.name, keys))
        if entry is None:
            entry = self._compiled[(dialect.name, keys)] = _Compiled(self.statement, dialect, keys)
        return entry

    def execute(self, connection: Connection, params: dict[str, Any]) -> int:
        """Run once; the number of rows it changed."""
        compiled = self._for(connection.dialect, params)
        parameters = compiled.parameters(params)
        cursor = _cursor(connection)
        try:
            cursor.execute(compiled.sql, parameters)
            return int(cursor.rowcount)
        except Exception as exc:
            raise _wrap(connection, compiled.sql, parameters, exc) from exc
        finally:
            cursor.close()

    def execute_many(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """Run once per row, in one call to the driver; every row has the same keys."""
        if not rows:
            return
        compiled = self._for(connection.dialect, rows[0])
        parameters = [compiled.parameters(row) for row in rows]
        cursor = _cursor(connection)
        try:
            cursor.executemany(compiled.sql, parameters)
        except Exception as exc:
            raise _wrap(connection, compiled.sql, parameters, exc) from exc
        finally:
            cursor.close()

    def first(self, connection: Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """Run a SELECT; its first row, or None."""
        compiled = self._for(connection.dialect, params)
        parameters = compiled.parameters(params)
        cursor = _cursor(connection)
        try:
            cursor.execute(compiled.sql, parameters)
            raw = cursor.fetchone()
        except Exception as exc:
            raise _wrap(connection, compiled.sql, parameters, exc) from exc
        finally:
            cursor.close()
        return None if raw is None else compiled.row(raw)


def _cursor(connection: Connection) -> Any:
    return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _wrap(connection: Connection, sql: str, parameters: Any, exc: Exception) -> BaseException:
    """The driver's errors become SQLAlchemy's, as if SQLAlchemy had run the statement."""
    dbapi = connection.dialect.loaded_dbapi
    if not isinstance(exc, dbapi.Error):
        return exc
    return DBAPIError.instance(sql, parameters, exc, dbapi.Error, dialect=connection.dialect)
