"""Wiring for the edges (CLI, workers, demo): settings in, ``Services`` out."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Engine

from models.db import make_engine, session_factory
from models.uow import SqlUnitOfWork
from workflow.calendar import WorkingCalendar
from workflow.clock import Clock, clock_from_env
from workflow.registry import workflows
from workflow.services import Services


def build_services(
    engine: Engine | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
) -> Services:
    workflows()  # a malformed case-type declaration stops start-up here, naming file and place
    engine = engine or make_engine()
    return Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock or clock_from_env(),
        calendar=calendar or WorkingCalendar.load(),
    )
