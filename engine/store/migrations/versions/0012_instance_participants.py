"""instance participants: who takes part in each instance, so a user's instance list is one query

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 11:00:00.000000

A non-administrator sees an instance only when they started it or have or had a task in it
(DESIGN §6a). The rows are filled from what the database already knows: each instance's starter
(its `instance_started` history event) and each user task's assignee, completer, candidate
users and candidate groups. The instance list also gets its newest-first indexes (of all
instances, and of those with one status).
"""

from collections.abc import Iterator

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CHUNK = 5000
"""Rows read and written per statement while filling the table."""


def upgrade() -> None:
    op.create_table(
        "instance_participants",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_instance_participants_instance_id_process_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", "kind", "name", name=op.f("pk_instance_participants")),
    )
    with op.batch_alter_table("instance_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instance_participants_kind_name_started_at_instance_id"),
            ["kind", "name", "started_at", "instance_id"],
            unique=False,
        )
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_instances_started_at_id"), ["started_at", "id"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_process_instances_status"))
        batch_op.create_index(
            batch_op.f("ix_process_instances_status_started_at_id"),
            ["status", "started_at", "id"],
            unique=False,
        )
    _fill(op.get_bind())


def _fill(connection: sa.Connection) -> None:
    table = sa.table(
        "instance_participants",
        sa.column("instance_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("name", sa.String),
        sa.column("started_at", sa.DateTime(timezone=True)),
    )
    instances = sa.table(
        "process_instances", sa.column("id", sa.String), sa.column("started_at", sa.DateTime)
    )
    batch: set[tuple[str, str, str]] = set()
    for row in _participants(connection):
        batch.add(row)
        if len(batch) >= CHUNK:
            _insert_new(connection, table, instances, batch)
            batch = set()
    if batch:
        _insert_new(connection, table, instances, batch)


def _participants(connection: sa.Connection) -> Iterator[tuple[str, str, str]]:
    instances = sa.table("process_instances", sa.column("id", sa.String))
    history = sa.table(
        "history_events",
        sa.column("instance_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("user", sa.String),
    )
    started = (
        sa.select(history.c.instance_id, history.c.user)
        .join(instances, instances.c.id == history.c.instance_id)
        .where(history.c.kind == "instance_started", history.c.user.is_not(None))
    )
    for instance_id, user in connection.execute(started):
        yield instance_id, "user", user
    tasks = sa.table(
        "user_tasks",
        sa.column("instance_id", sa.String),
        sa.column("assignee", sa.String),
        sa.column("completed_by", sa.String),
        sa.column("candidate_users", sa.JSON),
        sa.column("candidate_groups", sa.JSON),
    )
    query = sa.select(
        tasks.c.instance_id,
        tasks.c.assignee,
        tasks.c.completed_by,
        tasks.c.candidate_users,
        tasks.c.candidate_groups,
    )
    for instance_id, assignee, completed_by, users, groups in connection.execute(query):
        for user in (assignee, completed_by, *(users or [])):
            if isinstance(user, str) and user:
                yield instance_id, "user", user
        for group in groups or []:
            if isinstance(group, str) and group:
                yield instance_id, "group", group


def _insert_new(
    connection: sa.Connection,
    table: sa.TableClause,
    instances: sa.TableClause,
    rows: set[tuple[str, str, str]],
) -> None:
    """Insert the rows not there yet (a row met in an earlier chunk is skipped), each with its
    instance's start time."""
    ids = sorted({instance_id for instance_id, _kind, _name in rows})
    there: set[tuple[str, str, str]] = set()
    started: dict[str, object] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = sa.select(table.c.instance_id, table.c.kind, table.c.name).where(
            table.c.instance_id.in_(chunk)
        )
        there.update(tuple(row) for row in connection.execute(query))
        times = sa.select(instances.c.id, instances.c.started_at).where(instances.c.id.in_(chunk))
        started.update({row.id: row.started_at for row in connection.execute(times)})
    new = [
        {"instance_id": i, "kind": k, "name": n, "started_at": started[i]} for i, k, n in sorted(rows - there)
    ]
    if new:
        connection.execute(table.insert(), new)


def downgrade() -> None:
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instances_status_started_at_id"))
        batch_op.create_index(batch_op.f("ix_process_instances_status"), ["status"], unique=False)
        batch_op.drop_index(batch_op.f("ix_process_instances_started_at_id"))
    with op.batch_alter_table("instance_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instance_participants_kind_name_started_at_instance_id"))
    op.drop_table("instance_participants")
