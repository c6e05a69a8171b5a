"""sessions after: a user's page sessions end durably, in every process

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 21:50:00.000000

A page session is the user's only if it logged in at or after `users.sessions_after`; logging
out, a new password and disabling move it to now. Existing users start from their creation.
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sessions_after", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET sessions_after = created_at")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sessions_after")
