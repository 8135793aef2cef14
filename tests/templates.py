"""Migrated databases made once per worker and handed to each test as a copy.

Migrating a fresh database costs most of a second on PostgreSQL (Alembic loads its scripts
and runs some forty steps) and a quarter of a second on SQLite, and some four hundred tests
ask for one. Each worker therefore prepares one database the real way (``migrate`` and the
demo organisation) and each test gets a copy of it:

* SQLite: the prepared file, copied (the copy is a database of the test's own).
* PostgreSQL: every statement the preparation sent to the server, recorded with its
  parameters and replayed, in one transaction, into the test's fresh schema. The schema is
  on ``search_path``, so the same statements build the same tables, rows and sequences in it.

The tests that test migrations themselves (``tests/integration/test_schema.py`` and those
that call ``migrate`` on purpose) still migrate for real; so does every ``govflow init`` the
end-to-end tests run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from govflow.models.db import make_engine


@dataclass(frozen=True)
class Statement:
    """One call the driver made: the SQL as sent, its parameters, ``executemany`` or not."""

    sql: str
    parameters: Any
    many: bool


@dataclass(frozen=True)
class PgTemplate:
    """What preparing a PostgreSQL schema sent to the server, to send again elsewhere."""

    statements: tuple[Statement, ...]

    @classmethod
    def record(
        cls,
        fresh: Callable[[], tuple[Engine, str]],
        drop: Callable[[str], None],
        prepare: Callable[[Engine], None],
    ) -> PgTemplate:
        engine, schema = fresh()
        recorded: list[Statement] = []

        def _record(
            conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, many: bool
        ) -> None:
            recorded.append(Statement(sql, parameters, many))

        event.listen(engine, "before_cursor_execute", _record)
        try:
            prepare(engine)
        finally:
            engine.dispose()
            drop(schema)
        return cls(tuple(_writes(recorded)))

    def replay(self, engine: Engine) -> None:
        """Build the prepared schema in ``engine``'s (empty) schema, all or nothing."""
        with engine.begin() as conn:
            cursor = conn.connection.cursor()
            try:
                for statement in self.statements:
                    if statement.many:
                        cursor.executemany(statement.sql, statement.parameters)
                    else:
                        cursor.execute(statement.sql, statement.parameters)
            finally:
                cursor.close()


def _writes(recorded: Sequence[Statement]) -> list[Statement]:
    """Leave out the plain reads (Alembic's and SQLAlchemy's look at the catalogue, the
    organisation loader's look-ups): they change nothing, and what the preparation decided
    from them is in the writes that follow. A read that moves a sequence is kept."""
    kept = []
    for statement in recorded:
        head = statement.sql.lstrip().upper()
        reads = head.startswith(("SELECT", "SHOW")) and not any(
            word in head for word in ("NEXTVAL", "SETVAL", "INTO ")
        )
        if not reads:
            kept.append(statement)
    return kept


def sqlite_template_file(path: Path, prepare: Callable[[Engine], None]) -> Path:
    """Prepare a SQLite file at ``path``, its write-ahead log folded in (one file to copy)."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        prepare(engine)
        with engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        engine.dispose()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the template's WAL was not folded in"
    return path
