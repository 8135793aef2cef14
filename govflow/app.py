"""The composition root: configuration read once, the services wired, for every edge.

Every process — a CLI command, ``govflow run``, a dramatiq worker, the demo, a test —
builds its ``Services`` here. Where configuration lives and how it is read is
``govflow.configuration``; the installation's mode and chain key, ``govflow.installation``;
both are re-exported here, so an edge imports the composition root alone.

May import: everything below the front ends (``govflow.workflow``, ``govflow.models``,
``govflow.configs``); nothing imports it but the edges.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from govflow.configuration import (
    ENV_CALENDAR_DIR,
    ENV_CASE_TYPES_DIR,
    ENV_CHAIN_KEY,
    ENV_CHAIN_KEY_FILE,
    ENV_FILES_DIR,
    ENV_MODE,
    ENV_NOW,
    ENV_SETTINGS,
    calculator_calendar,
    calendar_dirs,
    calendar_seed_files,
    case_type_files,
    clock_from_env,
    database_calendar,
    load_calendar,
    load_config,
    load_settings,
    open_file_store,
    secret_from_env,
    shipped_data,
)
from govflow.installation import (
    chain_keyring,
    check_installation,
    default_key_file,
    load_installation,
    new_key_line,
)
from govflow.notice_wiring import check_template_files, load_notices
from govflow.workflow.actors import SYSTEM, Actor
from govflow.workflow.calendar import CalendarError, WorkingCalendar
from govflow.workflow.clock import Clock

# What the configuration is made of, the database and the services are imported in the
# functions that build them: ``govflow deadline`` needs only the calendar and starts in a
# blink, and SQLAlchemy and pydantic's models take a while to import.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from govflow.models.org import OrgImport
    from govflow.workflow.config import Config
    from govflow.workflow.documents.store import FileStore
    from govflow.workflow.keyring import Keyring
    from govflow.workflow.services import Services

# -- the services ------------------------------------------------------------------------------


def os_user() -> str:
    """The operating-system user running this process: what an event taken on the command
    line (or by the demo) records as its channel, ``cli:<this>``."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        return f"uid{os.getuid()}"


def open_engine(url: str | None = None, *, pool_size: int | None = None) -> Engine:
    """An engine on ``url`` (default: ``GOVFLOW_DATABASE_URL``, else ``govflow.db`` here);
    ``pool_size`` connections at most on PostgreSQL (SQLite has no pool to size)."""
    from govflow.models.db import database_url, make_engine

    url = url or database_url()
    if pool_size is None or url.startswith("sqlite"):
        return make_engine(url)
    return make_engine(url, pool_size=pool_size, max_overflow=0)


def build_services(
    engine: Engine | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    config: Config | None = None,
    keyring: Keyring | None = None,
    *,
    files: FileStore | None = None,
    notices: bool = True,
) -> Services:
    """Services on ``engine`` (default: ``GOVFLOW_DATABASE_URL``) with the configuration read
    now unless given; a malformed case-type declaration, a bad settings file or a missing
    chain key in production stops start-up here. ``files``: the file store (default: the
    directory of ``GOVFLOW_FILES_DIR`` or the settings); ``notices=False``: actions issue no
    notices (a synthetic history)."""
    from govflow.models.db import database_url, make_engine, session_factory
    from govflow.models.uow import SqlUnitOfWork
    from govflow.workflow.identity.passwords import PasswordHasher
    from govflow.workflow.services import Services
    from govflow.workflow.services.listed import ListedCases

    config = config or load_config()
    url = engine.url.render_as_string(hide_password=False) if engine else database_url()
    keyring = keyring or check_installation(url, config.settings)
    clock = clock or clock_from_env(mode=load_installation(url).mode)
    # Only ``govflow init`` (and the all-in-one ``govflow run``) create a database.
    engine = engine or make_engine(must_exist=True)
    files = files or open_file_store(config.settings)
    version = None
    if calendar is None:  # the database's calendar: every process counts on the same one
        calendar, version = database_calendar(engine)
    return Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        reads=partial(SqlUnitOfWork, session_factory(engine, autocommit=True)),
        clock=clock,
        calendar=calendar,
        calendar_version=version,
        config=config,
        keyring=keyring,
        hasher=PasswordHasher(config.settings.identity.argon2),
        notices=load_notices(config, files) if notices else None,
        files=files,
        listed=ListedCases(),
    )


def database_problem(exc: Exception) -> str | None:
    """What a front end tells a person when the database is not there, not initialised or
    not reachable (the operator's to fix); None for anything else from the database (an
    internal error). Kept here, with the engine, so no front end handles database errors."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if not isinstance(exc, OperationalError | ProgrammingError):
        return None
    text = str(exc).lower()
    if "no such table" in text or "undefinedtable" in text or "does not exist" in text:
        return "数据库尚未初始化（或不是 govflow 的数据库）：请先运行 govflow init"
    if isinstance(exc, OperationalError) and any(
        t in text for t in ("connection", "could not connect", "unable to open", "timeout")
    ):
        return "无法连接数据库（GOVFLOW_DATABASE_URL）：请检查数据库服务与地址"
    return None


def fill_facts(engine: Engine) -> int:
    """After migration 0008, or a release that changed what stored facts hold
    (``FACTS_FORMAT``): store the facts of the cases that have none of the current format,
    by replaying each (the migration cannot: it loads no case types, no calendar). Until
    then such a case is replayed every time it is read."""
    from sqlalchemy import text

    from govflow.models.db import session_factory
    from govflow.models.uow import SqlUnitOfWork
    from govflow.workflow.kept_facts import FORMAT_PREFIX
    from govflow.workflow.services import Services, fill_stored_facts

    stale = "SELECT 1 FROM cases WHERE facts IS NULL OR facts NOT LIKE :current LIMIT 1"
    current = FORMAT_PREFIX + "%"
    with engine.connect() as connection:  # most databases have none: no configuration read
        if connection.scalar(text(stale), {"current": current}) is None:
            return 0
    calendar, version = database_calendar(engine)
    services = Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock_from_env(),
        calendar=calendar,
        config=load_config(),
        calendar_version=version,
    )
    return fill_stored_facts(services)


def seed_calendar(engine: Engine, *, by: Actor = SYSTEM, clock: Clock | None = None) -> list[str]:
    """``govflow init``: the shipped calendar files and ``GOVFLOW_CALENDAR_DIR`` into the
    database, each text once (``services.seed_calendar``); the names imported."""
    from govflow.models.db import session_factory
    from govflow.models.uow import SqlUnitOfWork
    from govflow.workflow.services import Services
    from govflow.workflow.services import seed_calendar as seed

    files = calendar_seed_files()
    calendar, version = database_calendar(engine)
    services = Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock or clock_from_env(),
        calendar=calendar,
        config=load_config(),
        calendar_version=version,
    )
    return seed(services, files, by)


def prepare_database(
    org: Path | None = None,
    engine: Engine | None = None,
    *,
    by: Actor = SYSTEM,
    clock: Clock | None = None,
) -> tuple[str, OrgImport | None]:
    """Bring the schema to the newest migration and load the organisation file, if given
    (agencies and users, idempotent; a user no longer listed is deactivated, never deleted;
    each change goes to the security log as done by ``by``). Returns the database's URL for
    people (no password) and what the import changed."""
    from govflow.models.db import make_engine, migrate, session_factory
    from govflow.models.org import load_org, read_org_file

    org_file = read_org_file(org) if org is not None else None
    own = engine is None
    engine = engine or make_engine()
    try:
        migrate(engine)
        fill_facts(engine)
        seed_calendar(engine, by=by, clock=clock)
        counts = None
        if org_file is not None:
            with session_factory(engine)() as session:
                counts = load_org(session, org_file, now=(clock or clock_from_env()).now(), by=by)
                session.commit()
        return engine.url.render_as_string(hide_password=True), counts
    finally:
        if own:
            engine.dispose()


__all__ = [
    "ENV_CALENDAR_DIR",
    "ENV_CASE_TYPES_DIR",
    "ENV_CHAIN_KEY",
    "ENV_CHAIN_KEY_FILE",
    "ENV_FILES_DIR",
    "ENV_MODE",
    "ENV_NOW",
    "ENV_SETTINGS",
    "CalendarError",
    "build_services",
    "calculator_calendar",
    "calendar_dirs",
    "calendar_seed_files",
    "case_type_files",
    "chain_keyring",
    "check_installation",
    "check_notice_templates",
    "clock_from_env",
    "database_calendar",
    "database_problem",
    "default_key_file",
    "fill_facts",
    "load_calendar",
    "load_config",
    "load_installation",
    "load_notices",
    "load_settings",
    "new_key_line",
    "open_engine",
    "open_file_store",
    "os_user",
    "prepare_database",
    "secret_from_env",
    "seed_calendar",
    "shipped_data",
]


def check_notice_templates(config: Config | None = None) -> tuple[int, int]:
    """Check every notice template file now (``notice_wiring.check_template_files``)."""
    config = config or load_config()
    return check_template_files(config, open_file_store(config.settings))
