"""The migrations build exactly the schema the table classes declare, on both databases:
a column added to ``models/tables.py`` without a migration (or the reverse) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from govflow.models.tables import Base


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
