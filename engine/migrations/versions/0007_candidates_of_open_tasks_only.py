"""candidate rows of open tasks only: drop those of closed tasks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 13:55:00.000000

From this revision a step deletes a task's candidate rows when it closes the task, so the
"my tasks" query's work is bounded by what is open; this removes the rows closed tasks kept.
A task row keeps its candidate_users and candidate_groups columns for history.
"""

from alembic import op


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM task_candidates WHERE task_id IN (SELECT id FROM user_tasks WHERE status <> 'open')"
    )


def downgrade() -> None:
    # Closed tasks' candidates are not needed by any query; nothing to restore.
    pass
