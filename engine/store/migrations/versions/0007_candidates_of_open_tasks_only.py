"""candidate rows of open tasks only, carrying their task's age and assignment

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 13:55:00.000000

From this revision a step deletes a task's candidate rows when it closes the task, and each
row copies its task's `created_at` and whether it is assigned, so "my tasks" reads the
candidate index alone and its work is bounded by what is open. A task row keeps its
candidate_users and candidate_groups columns for history.
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in a batch: on SQLite a batch would rebuild the table (see 0005); ADD COLUMN needs none.
    op.add_column(
        "task_candidates",
        sa.Column("assigned", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("task_candidates", sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "DELETE FROM task_candidates WHERE task_id IN (SELECT id FROM user_tasks WHERE status <> 'open')"
    )
    tasks = sa.table(
        "user_tasks",
        sa.column("id"),
        sa.column("assignee"),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    candidates = sa.table(
        "task_candidates",
        sa.column("task_id"),
        sa.column("assigned", sa.Boolean()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    task = sa.select(tasks).where(tasks.c.id == candidates.c.task_id)
    op.execute(
        candidates.update().values(
            created_at=task.with_only_columns(tasks.c.created_at).scalar_subquery(),
            assigned=task.with_only_columns(tasks.c.assignee.is_not(None)).scalar_subquery(),
        )
    )
    op.drop_index(op.f("ix_task_candidates_kind_name_task_id"), table_name="task_candidates")
    op.create_index(
        op.f("ix_task_candidates_kind_name_assigned_created_at_task_id"),
        "task_candidates",
        ["kind", "name", "assigned", "created_at", "task_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_task_candidates_kind_name_assigned_created_at_task_id"), table_name="task_candidates"
    )
    op.create_index(
        op.f("ix_task_candidates_kind_name_task_id"),
        "task_candidates",
        ["kind", "name", "task_id"],
        unique=False,
    )
    op.drop_column("task_candidates", "created_at")  # SQLite 3.35+ drops columns in place
    op.drop_column("task_candidates", "assigned")
