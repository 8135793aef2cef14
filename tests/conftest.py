"""Shared fixtures: a fake clock, the calendar, and real databases (SQLite file, PostgreSQL).

PostgreSQL is not optional: ``GOVFLOW_TEST_PG_URL`` (default the CI machine's
``postgresql://postgres@127.0.0.1:5432/test``) must answer, or the tests that need it
fail. The run creates a database of its own on that server (``tests/backing.py``) and
drops it at the end; each test gets its own schema in it, so tests never see each other's
rows. A test's database (SQLite file or PostgreSQL schema) is a copy of one that each worker
migrates once (``tests/templates.py``); the tests of the migrations use ``migrated_engine``.
Tests that need Redis get a ``redis-server`` the suite starts (``redis_server``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from govflow import configs
from govflow.app import build_services
from govflow.models.db import make_engine, migrate, session_factory
from govflow.models.filestore import DirectoryStore
from govflow.models.org import load_org, read_org_file
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.config import Config
from govflow.workflow.services import Services
from tests import config as test_config
from tests.backing import PG_URL, RedisServer, create_run_database, drop_run_database
from tests.templates import PgTemplate, sqlite_template_file

ORG_FILE = configs.shipped("demo_org.yaml")

# The suite runs as a test installation with a chain key of its own (issue 16): every event
# it writes carries a MAC, and nothing is generated in the user's configuration folder.
TEST_CHAIN_KEY = "ktest:" + "5e" * 32
os.environ["GOVFLOW_MODE"] = "test"
os.environ["GOVFLOW_CHAIN_KEY"] = TEST_CHAIN_KEY

# Where PYTHONDONTWRITEBYTECODE is set (the CI machine sets it), every ``govflow`` process
# the end-to-end tests start, some fifteen hundred a run, compiled govflow's sources again:
# about 0.2 s of CPU each. The processes the suite starts (its xdist workers included) keep
# their bytecode in a folder of this run's own instead, never in the checkout.
PYCACHE_DIR: str | None = None
if os.environ.get("PYTHONDONTWRITEBYTECODE") and "PYTHONPYCACHEPREFIX" not in os.environ:
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    PYCACHE_DIR = tempfile.mkdtemp(prefix="govflow-test-pycache-")
    os.environ["PYTHONPYCACHEPREFIX"] = PYCACHE_DIR


def pytest_sessionstart(session: pytest.Session) -> None:
    create_run_database()
    # Services built without a file store of their own keep files here, not in the checkout.
    os.environ["GOVFLOW_FILES_DIR"] = tempfile.mkdtemp(prefix="govflow-test-files-")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    drop_run_database()
    if PYCACHE_DIR is not None:  # made by this process (the controller), after its workers
        shutil.rmtree(PYCACHE_DIR, ignore_errors=True)


# The longest modules first (xdist hands out whole modules, ``--dist loadscope``, in
# collection order with ``--no-loadscope-reorder``): a module of half a minute started last
# leaves one worker running it alone at the end. The end-to-end and browser tests, then the
# integration tests, then the many short unit tests that fill the gaps; the order within a
# folder and within a module stays as collected.
FOLDERS_FIRST = ("tests/e2e/", "tests/browser/", "tests/integration/", "tests/unit/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def folder(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next(
            (rank for rank, prefix in enumerate(FOLDERS_FIRST) if path.startswith(prefix)),
            len(FOLDERS_FIRST),
        )

    items.sort(key=folder)  # stable: each module stays whole and in its own order


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """The suite's own Redis: tests may flush, stop and restart it."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return test_config.calendar()


@pytest.fixture(scope="session")
def config() -> Config:
    """The shipped configuration, read once for the run."""
    return test_config.config()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI))


def pg_engine_in_fresh_schema(**kwargs: object) -> tuple[Engine, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, **kwargs)
    return engine, schema


def drop_pg_schema(schema: str) -> None:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_engine(pg_template: PgTemplate) -> Iterator[Engine]:
    engine, schema = pg_engine_in_fresh_schema(pool_size=10)
    pg_template.replay(engine)
    yield engine
    engine.dispose()
    drop_pg_schema(schema)


@pytest.fixture(scope="session")
def pg_template() -> PgTemplate:
    """The migrated and loaded schema, recorded once per worker (see ``tests/templates.py``)."""
    return PgTemplate.record(pg_engine_in_fresh_schema, drop_pg_schema, _prepare)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and loaded once per worker, copied for each test."""
    return sqlite_template_file(tmp_path_factory.mktemp("template") / "migrated.db", _prepare)


@pytest.fixture
def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    path = tmp_path / "test.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Every integration test runs on both deployments."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)


@pytest.fixture(params=["sqlite", "postgres"])
def migrated_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database the migrations themselves brought to the newest schema, on both
    deployments: for the tests of the migrations, which must not be handed the copy."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    engine, schema = pg_engine_in_fresh_schema()
    migrate(engine)
    yield engine
    engine.dispose()
    drop_pg_schema(schema)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DirectoryStore:
    """This test's own file store (notices and attachments); commands the test runs in its
    own process find it through ``GOVFLOW_FILES_DIR``, children must be handed it."""
    monkeypatch.setenv("GOVFLOW_FILES_DIR", str(tmp_path / "files"))
    return DirectoryStore(tmp_path / "files")


@pytest.fixture
def svc(
    engine: Engine,
    clock: FakeClock,
    calendar: WorkingCalendar,
    config: Config,
    files: DirectoryStore,
) -> Services:
    return build_services(engine, clock, calendar, config, files=files)


def _prepare(engine: Engine) -> None:
    """What every test's database starts with: the newest schema and the demo organisation."""
    migrate(engine)
    _load_org(engine)


def _load_org(engine: Engine) -> None:
    with session_factory(engine)() as session:
        load_org(session, read_org_file(ORG_FILE))
        session.commit()


def person(name: str = "张三", id_number: str = "610926199001011234", **extra: object) -> dict:
    return {
        "kind": "natural_person",
        "name": name,
        "id_number": id_number,
        "phone": "13800000000",
        **extra,
    }


def intake(**overrides: object) -> dict:
    base = {
        "applicant": person(),
        "description": "2024年县级财政预算公开表",
        "channel": "in_person",
    }
    return {**base, **overrides}
