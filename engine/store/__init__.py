"""The store: the database, its typed tables, and the SQL that reads and writes them.

Only the unit of work commits. `database` makes the SQLAlchemy engine (SQLite set up for safe
concurrent writers, or PostgreSQL); `models` are the tables; `unit_of_work` is one transaction;
`statements` compiles Core statements once; `instance_rows` is the step path's SQL (instances,
open tasks, history); `schema` applies the Alembic migrations in `migrations/`.
"""

from .database import Database
from .models import Base, as_utc, iso, parse_moment, utcnow
from .statements import Prepared
from .unit_of_work import UnitOfWork

__all__ = ["Base", "Database", "Prepared", "UnitOfWork", "as_utc", "iso", "parse_moment", "utcnow"]
