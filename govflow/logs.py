"""structlog set-up: one JSON object per log line, on stderr.

Log lines carry case references, actions and states, never personal data (SPEC X-):
the services log only those fields, and nothing logs a payload.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog


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
