"""task list indexes: user_tasks.open_to_all and covering indexes for "my tasks"

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 13:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in a batch: on SQLite a batch would rebuild user_tasks, and dropping the old table
    # (foreign keys on) would delete every task_candidates row with it. ADD COLUMN needs no rebuild.
    op.add_column(
        "user_tasks", sa.Column("open_to_all", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    # Tasks saved before this revision are open to all when they have no candidate rows.
    tasks = sa.table("user_tasks", sa.column("id"), sa.column("open_to_all", sa.Boolean()))
    candidates = sa.table("task_candidates", sa.column("task_id"))
    op.execute(
        tasks.update()
        .where(~sa.exists().where(candidates.c.task_id == tasks.c.id))
        .values(open_to_all=sa.true())
    )
    with op.batch_alter_table("user_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_tasks_open_to_all_status_assignee_created_at_id"),
            ["open_to_all", "status", "assignee", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_user_tasks_id_status_assignee_created_at"),
            ["id", "status", "assignee", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("task_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_candidates_kind_name"))
        batch_op.create_index(
            batch_op.f("ix_task_candidates_kind_name_task_id"), ["kind", "name", "task_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("task_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_candidates_kind_name_task_id"))
        batch_op.create_index(batch_op.f("ix_task_candidates_kind_name"), ["kind", "name"], unique=False)

    with op.batch_alter_table("user_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_tasks_id_status_assignee_created_at"))
        batch_op.drop_index(batch_op.f("ix_user_tasks_open_to_all_status_assignee_created_at_id"))
    op.drop_column("user_tasks", "open_to_all")  # SQLite 3.35+ drops it in place (see upgrade)
