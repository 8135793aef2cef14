"""Engines, sessions and migrations for both deployments (SQLite embedded, PostgreSQL)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from govflow.models.urls import configured_url, normalize_url
from govflow.workflow.errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
IDLE_PING_SECONDS = 10.0
"""A pooled PostgreSQL connection idle longer than this is pinged before it is handed out."""

SUPPORTED = ("sqlite", "postgresql")
"""The two deployments: SQLite embedded, PostgreSQL in production."""


def core(session: Session) -> Connection:
    """The session's connection, in its transaction, for a Core statement every action sends.

    ``Session.execute`` of a Core statement costs about 1.5× the statement's own CPU on the
    connection (execution options merged, ORM events dispatched, the bind looked up) and
    gives nothing a plain table statement needs: a Core statement never autoflushes
    (issue 17, CPU per action).

    Kept in ``session.info`` while its transaction lasts (asking the session for it costs a
    third of a small statement): the session closes the connection when the transaction
    ends, and the next call asks for the new one."""
    connection: Connection | None = session.info.get("core")
    if connection is None or connection.closed:
        connection = session.info["core"] = session.connection()
    return connection


def database_url() -> str:
    """``GOVFLOW_DATABASE_URL`` (or the file named by ``GOVFLOW_DATABASE_URL_FILE``, to keep
    its password out of the environment), else a SQLite file ``govflow.db`` here.

    A URL that cannot be parsed or names another database is refused before any
    connection is tried; the message never repeats the URL (it may carry a password).
    """
    url = configured_url()
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise ConfigurationError(
            "环境变量 GOVFLOW_DATABASE_URL 不是有效的数据库地址"
            "（应为 sqlite:///文件路径 或 postgresql://用户@主机/数据库）"
        ) from None
    if backend not in SUPPORTED:
        raise ConfigurationError(
            f"环境变量 GOVFLOW_DATABASE_URL：不支持的数据库 {backend!r}"
            "（支持 sqlite:///文件路径 与 postgresql://用户@主机/数据库）"
        )
    return url


def make_engine(url: str | None = None, *, must_exist: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: ``database_url()``).

    ``must_exist``: refuse a SQLite file that is not there instead of letting SQLite create
    an empty one — only ``govflow init`` (and the all-in-one ``govflow run``) create a database.
    """
    url = normalize_url(url or database_url())
    # Never echo bound parameters (names, ID numbers) into an exception or a log line.
    kwargs.setdefault("hide_parameters", True)
    sqlite = url.startswith("sqlite")
    if sqlite:
        path = make_url(url).database
        if must_exist and path and path != ":memory:" and not Path(path).exists():
            raise ConfigurationError(
                f"数据库文件 {path} 不存在（GOVFLOW_DATABASE_URL）；新建数据库请先运行 govflow init"
            )
        kwargs["connect_args"] = {"timeout": 30, **kwargs.get("connect_args", {})}
    engine = create_engine(url, **kwargs)
    _fresh_after_fork(engine)  # before any other checkout listener touches the connection
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        _ping_when_idle(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Embedded SQLite: readers never block the writer (WAL); a commit is on disk before it
    returns, WAL included (``synchronous=FULL``: an audit log must survive a power cut);
    a second local process waits up to 30 s for the write lock instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _fresh_after_fork(engine: Engine) -> None:
    """A forked process (``audit verify --processes``) never uses its parent's connections:
    one made in another process is dropped, unclosed, and a new one made (SQLAlchemy's
    recipe for pools and ``os.fork``)."""

    @event.listens_for(engine, "connect")
    def _made_by(dbapi_connection: Any, record: Any) -> None:
        record.info["pid"] = os.getpid()

    @event.listens_for(engine, "checkout")
    def _same_process(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if record.info.get("pid") != os.getpid():
            record.dbapi_connection = proxy.dbapi_connection = None
            raise DisconnectionError("connection made in another process")


def _ping_when_idle(engine: Engine) -> None:
    """``pool_pre_ping`` costs a round trip on every checkout, i.e. on every action; a
    connection in steady use is known to be alive. Only one that sat idle in the pool for
    ``IDLE_PING_SECONDS`` is pinged (a dead one is replaced before anyone sees it)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("idle connection is gone") from exc


def session_factory(engine: Engine, *, autocommit: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``autocommit``: on connections outside any transaction (the
    pool's connections, shared: only the mode is set at checkout, no statement sent)."""
    if autocommit:
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")  # type: ignore[assignment]
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
