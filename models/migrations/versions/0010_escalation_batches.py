"""Escalation that keeps up and says each thing once (issue 14).

``firings`` gains how many repeats a firing stands for and who acknowledged it; a daily
digest is a firing of no case, so ``case_id`` and ``schedule_id`` may be empty;
``digest_runs`` records each day's digests. The correction notice's limit becomes an
optional one (a limit the office may use, not one it must): stored rows say so.

Revision ID: 0010
Revises: 0009_stored_facts
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009_stored_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("firings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("repeats", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(length=64), nullable=True))
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("schedule_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "digest_runs",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_digest_runs")),
    )
    # The stored projection of every correction-notice limit says it is optional, as the
    # fold now computes it (services.check_projection compares the two). Rows that say so
    # already (written by this code before a downgrade) are left as they are.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE deadlines SET detail = (detail::jsonb || jsonb_build_object('optional',"
            " kind = 'correction_notice'))::json WHERE NOT (detail::jsonb ? 'optional')"
        )
    else:
        op.execute(
            "UPDATE deadlines SET detail = json_set(detail, '$.optional',"
            " json(CASE WHEN kind = 'correction_notice' THEN 'true' ELSE 'false' END))"
            " WHERE json_type(detail, '$.optional') IS NULL"
        )


def downgrade() -> None:
    op.drop_table("digest_runs")
    with op.batch_alter_table("firings", schema=None) as batch_op:
        batch_op.alter_column("schedule_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("acknowledged_by")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("repeats")
