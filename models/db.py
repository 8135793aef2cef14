"""Engines, sessions and migrations for both deployments (SQLite embedded, PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_URL = "sqlite:///govflow.db"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url() -> str:
    """``GOVFLOW_DATABASE_URL``, or a SQLite file ``govflow.db`` in the working directory."""
    return normalize_url(os.environ.get("GOVFLOW_DATABASE_URL") or DEFAULT_URL)


def normalize_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    url = normalize_url(url or database_url())
    # Never echo bound parameters (names, ID numbers) into an exception or a log line.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    # Alembic is imported here only: most commands never migrate, and it is slow to import.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")
