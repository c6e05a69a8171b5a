"""incidents without a job: a call activity whose called process is not deployed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:55:00.000000

An incident raised by a step itself (a call activity whose process is not deployed) has no job
behind it; retrying it runs the step again.
"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.alter_column("job_id", existing_type=sa.String(36), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM incidents WHERE job_id IS NULL")
    with op.batch_alter_table("incidents") as batch:
        batch.alter_column("job_id", existing_type=sa.String(36), nullable=False)
