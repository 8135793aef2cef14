"""Wiring for the edges (CLI, workers, demo): settings in, ``Services`` out."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Engine

from govflow.models.db import make_engine, session_factory
from govflow.models.uow import SqlUnitOfWork
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import Clock, clock_from_env
from govflow.workflow.registry import workflows
from govflow.workflow.services import Services


def build_services(
    engine: Engine | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
) -> Services:
    workflows()  # a malformed case-type declaration stops start-up here, naming file and place
    engine = engine or make_engine(must_exist=True)
    return Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock or clock_from_env(),
        calendar=calendar or WorkingCalendar.load(),
    )
