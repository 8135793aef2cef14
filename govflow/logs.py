"""structlog set-up: one JSON object per log line, on stderr.

Log lines carry case references, actions and states, never personal data (SPEC X-):
the services log only those fields, and nothing logs a payload.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is now, not the stream it was when logging was set up:
    a process whose stderr is swapped (an embedding test runner, a daemon) keeps logging."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


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
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
