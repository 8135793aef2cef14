"""The migrations build exactly the schema the table classes declare, on both databases:
a column added to ``models/tables.py`` without a migration (or the reverse) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from govflow.models.db import alembic_config
from govflow.models.schema import METADATA


def test_migrations_match_the_tables(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), METADATA)
    assert diff == []


def test_each_tests_copy_of_the_migrated_database_is_whole(engine: Engine) -> None:
    """The other tests get a copy of one migrated database (tests/templates.py: a file
    copied, statements replayed): it has the same tables, at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), METADATA)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        users = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert diff == []
    assert version == head
    assert users == 7  # the demo organisation's
