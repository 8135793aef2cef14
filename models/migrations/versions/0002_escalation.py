"""Escalation: policies in force, the schedule the sweeper works from, firings, deliveries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "escalation_policies",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("case_type", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_escalation_policies")),
    )
    op.create_table(
        "escalation_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deadline_key", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("repeat_no", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_fire_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_escalation_schedule_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_schedule")),
        sa.UniqueConstraint(
            "case_id", "deadline_key", "rule", name=op.f("uq_escalation_schedule_case_id")
        ),
    )
    with op.batch_alter_table("escalation_schedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_schedule_next_fire_at"), ["next_fire_at"], unique=False
        )

    op.create_table(
        "firings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deadline_key", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("threshold_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_firings_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["escalation_schedule.id"],
            name=op.f("fk_firings_schedule_id_escalation_schedule"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firings")),
        sa.UniqueConstraint("key", name=op.f("uq_firings_key")),
    )
    with op.batch_alter_table("firings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_firings_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_firings_schedule_id"), ["schedule_id"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=240), nullable=False),
        sa.Column("firing_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["firing_id"], ["firings.id"], name=op.f("fk_deliveries_firing_id_firings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("key", name=op.f("uq_deliveries_key")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_firing_id"), ["firing_id"], unique=False)
        batch_op.create_index(
            "ix_deliveries_status_not_before", ["status", "not_before"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_policy", sa.String(length=64), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=200), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("escalation_policy")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_status_not_before")
        batch_op.drop_index(batch_op.f("ix_deliveries_firing_id"))

    op.drop_table("deliveries")
    with op.batch_alter_table("firings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_firings_schedule_id"))
        batch_op.drop_index(batch_op.f("ix_firings_case_id"))

    op.drop_table("firings")
    with op.batch_alter_table("escalation_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_schedule_next_fire_at"))

    op.drop_table("escalation_schedule")
    op.drop_table("escalation_policies")
