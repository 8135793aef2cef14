"""What a list sorts by, on the case row (issue 17): ``queue_due_at``, the nearest due
instant of the case's running obligations (the end of time when none), and
``optional_due_at``, that of its running optional limits (NULL when none) — with an index,
so that a queue's first page is read in order instead of sorting every open case of the
agency by a subquery over its deadlines (``Case.queue_instants``).

Both are filled here from the deadline rows, which hold the same deadlines as the stored
facts; ``audit verify`` compares them with a rebuild from the events like every other
column of the row.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# ``models.tables.NO_DUE``: a migration keeps its own copy of what it writes.
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)

cases = sa.table(
    "cases",
    sa.column("id", sa.Integer()),
    sa.column("queue_due_at", sa.DateTime(timezone=True)),
    sa.column("optional_due_at", sa.DateTime(timezone=True)),
)
deadlines = sa.table(
    "deadlines",
    sa.column("case_id", sa.Integer()),
    sa.column("due_at", sa.DateTime(timezone=True)),
    sa.column("status", sa.String()),
    sa.column("detail", sa.JSON()),
)


def _nearest(optional: bool) -> sa.ScalarSelect[datetime]:
    flag = sa.func.coalesce(deadlines.c.detail["optional"].as_boolean(), sa.false())
    return (
        sa.select(sa.func.min(deadlines.c.due_at))
        .where(
            deadlines.c.case_id == cases.c.id,
            deadlines.c.status == "running",
            flag if optional else ~flag,
        )
        .scalar_subquery()
    )


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("queue_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("optional_due_at", sa.DateTime(timezone=True), nullable=True))
    # As ``UTCDateTime`` binds it: SQLite stores UTC without the offset.
    sqlite = op.get_bind().dialect.name == "sqlite"
    no_due = sa.literal(NO_DUE.replace(tzinfo=None) if sqlite else NO_DUE, sa.DateTime(True))
    op.execute(
        cases.update().values(
            queue_due_at=sa.func.coalesce(_nearest(False), no_due),
            optional_due_at=_nearest(True),
        )
    )
    op.create_index("ix_cases_queue_due_at", "cases", ["queue_due_at", "id"])
    op.create_index("ix_cases_optional_due_at", "cases", ["optional_due_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_optional_due_at", table_name="cases")
    op.drop_index("ix_cases_queue_due_at", table_name="cases")
    # Not batch mode: rebuilding ``cases`` on SQLite would trip the foreign keys onto it.
    for column in ("optional_due_at", "queue_due_at"):
        op.drop_column("cases", column)
