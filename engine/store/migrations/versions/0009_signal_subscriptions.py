"""signal subscriptions: the signals each instance waits for, so a broadcast finds its receivers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_subscriptions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_subscriptions")),
    )
    with op.batch_alter_table("signal_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signal_subscriptions_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_signal_subscriptions_name"), ["name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signal_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_subscriptions_name"))
        batch_op.drop_index(batch_op.f("ix_signal_subscriptions_instance_id"))
    op.drop_table("signal_subscriptions")
