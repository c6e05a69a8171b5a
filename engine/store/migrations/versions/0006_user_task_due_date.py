"""user task due date: user_tasks.due_at (camunda:dueDate / zeebe:taskSchedule dueDate)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in a batch: on SQLite a batch would rebuild user_tasks (see 0005); ADD COLUMN needs none.
    # Tasks saved before this revision have no due date.
    op.add_column("user_tasks", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("user_tasks", "due_at")  # SQLite 3.35+ drops it in place
