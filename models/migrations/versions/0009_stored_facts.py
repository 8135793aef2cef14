"""Facts kept, not rebuilt (issue 17): each case row stores the facts folded from its events.

``cases.facts`` holds the facts and deadlines as of the case's last event (JSON text,
``Case.stored_facts``), written with every event from now on; an action loads them and
folds only its own event. Existing cases start with NULL and are filled by replaying their
events: ``govflow init`` (which runs this migration) does it right after, through the
service layer (``services.fill_stored_facts``), because replaying needs the installation's
case types and calendar, which a migration does not load. A case still without them when
it is next acted on is replayed once and stored then.

Revision ID: 0009_stored_facts
Revises: 0008 (identity)
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_stored_facts"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("facts", sa.Text(), nullable=True))


def downgrade() -> None:
    # Not batch mode: rebuilding ``cases`` on SQLite would trip the foreign keys onto it.
    op.drop_column("cases", "facts")
