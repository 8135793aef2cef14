"""A keyed chain and recorded findings (issue 16): each event's MAC and key id; the
findings of ``audit verify`` per case, which reports consult.

Events written before this migration keep NULL in both columns: they still verify as a
hash chain and are reported as unkeyed until ``govflow audit seal`` vouches for them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_ref", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=True),
        sa.Column("column_name", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_findings")),
    )
    op.create_index("ix_audit_findings_agency_open", "audit_findings", ["agency_id", "cleared_at"])
    op.create_index("ix_audit_findings_case_id", "audit_findings", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_findings_case_id", table_name="audit_findings")
    op.drop_index("ix_audit_findings_agency_open", table_name="audit_findings")
    op.drop_table("audit_findings")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("mac")
        batch.drop_column("key_id")
