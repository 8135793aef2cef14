"""Wiring for the edges (CLI, workers, demo): settings in, ``Services`` out."""

from __future__ import annotations

import logging
import os
import sys
from functools import partial

import structlog
from sqlalchemy import Engine

from models.db import make_engine, session_factory
from models.uow import SqlUnitOfWork
from workflow.calendar import WorkingCalendar
from workflow.clock import Clock, clock_from_env
from workflow.services import Services


def configure_logging() -> None:
    """Structured JSON log lines on stderr; ``GOVFLOW_LOG_LEVEL`` (default: warning)."""
    level = getattr(
        logging, os.environ.get("GOVFLOW_LOG_LEVEL", "warning").upper(), logging.WARNING
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def build_services(
    engine: Engine | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
) -> Services:
    engine = engine or make_engine()
    return Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock or clock_from_env(),
        calendar=calendar or WorkingCalendar.load(),
    )
