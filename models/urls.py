"""Where the database is, read from the environment without importing SQLAlchemy.

``db.database_url`` validates what this reads (with SQLAlchemy's URL parser) for every
command that opens an engine; ``calendar_direct`` reads it as it is, for the calculator
that must answer before SQLAlchemy would have finished importing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from govflow.workflow.errors import ConfigurationError

DEFAULT_URL = "sqlite:///govflow.db"
URL_VARIABLE = "GOVFLOW_DATABASE_URL"


def env_or_file(variable: str, environ: Mapping[str, str] | None = None) -> str | None:
    """``$NAME``, or the content of the file named by ``$NAME_FILE`` (trailing newline off):
    a secret (a database password, a client secret) need not sit in the environment."""
    env = os.environ if environ is None else environ
    value = env.get(variable)
    if value:
        return value
    path = env.get(f"{variable}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{variable}_FILE={path}: 无法读取：{exc}") from None


def normalize_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def configured_url() -> str:
    """The database's URL as configured (not yet validated), normalised."""
    return normalize_url(env_or_file(URL_VARIABLE) or DEFAULT_URL)
