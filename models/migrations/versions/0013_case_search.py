"""What lists filter by (issue 11): each case's channel, the instant it left its type's open
states, and its searchable text — public and personal apart (``workflow.search``).

The columns start NULL on existing cases. ``govflow init`` (which runs this migration)
fills them right after, with the stored facts of the new format (``FACTS_FORMAT`` 4):
the index is taken from each case's creation event, which a migration cannot read without
the installation's case types. A case acted on before that is replayed and indexed then.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("search_personal", sa.Text(), nullable=True))
    op.create_index("ix_cases_channel", "cases", ["channel"])
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_closed_at", table_name="cases")
    op.drop_index("ix_cases_channel", table_name="cases")
    # Not batch mode: rebuilding ``cases`` on SQLite would trip the foreign keys onto it.
    for column in ("search_personal", "search_text", "closed_at", "channel"):
        op.drop_column("cases", column)
