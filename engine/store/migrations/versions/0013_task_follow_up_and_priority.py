"""task follow-up date and priority: what Camunda's models say beside the due date

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:00:00.000000

`camunda:followUpDate` / `zeebe:taskSchedule followUpDate` and `camunda:priority` /
`zeebe:priorityDefinition priority`, projected with the task like its due date. Existing tasks have
no follow-up date and Camunda's default priority, 50.
"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_tasks") as batch:
        batch.add_column(sa.Column("follow_up_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="50"))


def downgrade() -> None:
    with op.batch_alter_table("user_tasks") as batch:
        batch.drop_column("priority")
        batch.drop_column("follow_up_at")
