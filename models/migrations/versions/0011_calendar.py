"""The working-day calendar kept in the database (issue 10): ``calendar_imports``.

Each imported calendar file (a year's schedule or an office's closure days): its name,
kind, year, text, SHA-256, who imported it and when. ``govflow init`` seeds it from the
shipped files and ``GOVFLOW_CALENDAR_DIR`` right after migrating (a migration loads no
calendar); every process then builds its calendar from these rows.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_imports")),
    )


def downgrade() -> None:
    op.drop_table("calendar_imports")
