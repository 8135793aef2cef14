"""The stored calendar, read with the database's own driver (``sqlite3`` or psycopg).

For ``govflow deadline`` only: a clerk asks a date at the counter and expects the answer at
once, and importing SQLAlchemy with the table definitions takes longer (0.4–0.7 s) than
the whole answer should (0.3 s, issue 17). Every other reader goes through
``calendar_store.SqlCalendarStore``; the query here is the same one, on the same table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govflow.workflow.calendar.imports import StoredCalendarFile
from govflow.workflow.errors import ConfigurationError

QUERY = (
    "SELECT id, name, kind, year, text, sha256, imported_by, imported_at"
    " FROM calendar_imports ORDER BY id"
)


class Unreachable(Exception):
    """The database is configured but could not be read; the message says why, in Chinese."""


def stored_calendar_files(url: str) -> list[StoredCalendarFile] | None:
    """Every import of the calendar, oldest first; None when there is no database (a
    SQLite file not created yet). Raises ``Unreachable`` when one is configured and cannot
    be read, ``ConfigurationError`` for a URL of another database."""
    if url.startswith("sqlite"):
        rows = _sqlite(url)
    elif url.startswith("postgresql"):
        rows = _postgresql(url)
    else:
        raise ConfigurationError("环境变量 GOVFLOW_DATABASE_URL：不支持的数据库")
    if rows is None:
        return None
    return [StoredCalendarFile(*r[:7], imported_at=_instant(r[7])) for r in rows]


def _sqlite(url: str) -> list[tuple[Any, ...]] | None:
    import sqlite3

    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    if not path or path == ":memory:" or not Path(path).exists():
        return None
    try:  # read-only: the calculator never creates or changes a database
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute(QUERY).fetchall()
    except sqlite3.Error as exc:
        if "no such table" in str(exc):
            return None  # created, never initialised: as if there were none
        raise Unreachable(f"数据库文件 {path} 无法读取：{exc}") from None


def _postgresql(url: str) -> list[tuple[Any, ...]] | None:
    import psycopg

    conninfo = "postgresql://" + url.split("://", 1)[1]
    try:
        with psycopg.connect(conninfo, connect_timeout=5) as connection:
            return connection.execute(QUERY).fetchall()
    except psycopg.errors.UndefinedTable:
        return None
    except psycopg.Error as exc:
        # The URL may carry a password: the message names the kind of failure only.
        raise Unreachable(f"PostgreSQL 数据库无法连接或读取（{type(exc).__name__}）") from None


def _instant(value: Any) -> datetime:
    """SQLite hands back the stored text; PostgreSQL an aware datetime."""
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
