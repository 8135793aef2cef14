"""Notice templates uploaded per agency (issue 13 item 1): ``notice_templates`` keeps each
upload's .docx bytes, its SHA-256, the agency it is for (NULL: every agency), who uploaded
it and when, and whether it is active (a replaced or removed one stays, inactive).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("removed_by", sa.String(length=64), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_notice_templates_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_templates")),
    )
    op.create_index("ix_notice_templates_kind_agency", "notice_templates", ["kind", "agency_id"])


def downgrade() -> None:
    op.drop_index("ix_notice_templates_kind_agency", table_name="notice_templates")
    op.drop_table("notice_templates")
