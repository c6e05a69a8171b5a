"""definition dialect and start form

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_definitions") as batch:
        batch.add_column(sa.Column("dialect", sa.String(length=16), server_default="bpmn", nullable=False))
        batch.add_column(sa.Column("start_form", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_definitions") as batch:
        batch.drop_column("start_form")
        batch.drop_column("dialect")
