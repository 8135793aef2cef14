"""Write planned cases into a database, through the service layer or in bulk.

Both writers play the same scripts through the same use cases (``apply_script``); they
differ only in the unit of work: ``SqlUnitOfWork`` (one transaction an action, exactly
as clerks work) or ``BulkUnitOfWork`` (``govflow.models.bulk``: memory, flushed every
``batch`` cases). The
organisation is loaded first, so a fresh database needs nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine

from govflow.app import build_services, load_calendar, load_config
from govflow.models.bulk import BulkUnitOfWork
from govflow.models.bulk_store import BulkStore
from govflow.models.db import make_engine, migrate, session_factory
from govflow.models.org import OrgFile, load_org
from govflow.synth.script import CaseScript, apply_script
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.config import Config
from govflow.workflow.identity.principal import SYSTEM_CHANNEL
from govflow.workflow.services import Principals

Progress = Callable[[int], None]


def database() -> Engine:
    """The database ``GOVFLOW_DATABASE_URL`` names, its schema brought up to date."""
    engine = make_engine()
    migrate(engine)
    return engine


def load_synthetic_org(engine: Engine, org: OrgFile) -> None:
    with session_factory(engine)() as session:
        load_org(session, org, complete=False)  # beside whatever organisation is there
        session.commit()


def write_cases(
    engine: Engine,
    scripts: Iterable[CaseScript],
    *,
    bulk: bool,
    calendar: WorkingCalendar | None = None,
    config: Config | None = None,
    batch: int = 1000,
    first_id: int | None = None,
    progress: Progress | None = None,
    channel: str = SYSTEM_CHANNEL,
) -> int:
    """Play every script; returns the number of cases written. ``progress(n)`` is called
    after every ``batch`` cases (and at the end) with the count so far; ``first_id`` is
    for parallel bulk writers (``BulkStore``)."""
    calendar = calendar or load_calendar()
    config = config or load_config()
    clock = FakeClock(datetime(2000, 1, 1, tzinfo=SHANGHAI))  # each script sets its own times
    store = BulkStore(engine, first_id) if bulk else None
    # The installation's chain key included; no notices: a synthetic history, written in bulk.
    svc = build_services(engine, clock, calendar, config, notices=False)
    if store is not None:
        svc = replace(svc, uow=lambda: BulkUnitOfWork(store))
    written = 0
    principals = Principals(svc, channel)
    for script in scripts:
        apply_script(svc, clock, script, principals)
        written += 1
        if written % batch == 0:
            if store is not None:
                store.flush()
            if progress is not None:
                progress(written)
    if store is not None:
        store.flush()
    if progress is not None and written % batch:
        progress(written)
    return written
