"""Logging set-up: one JSON object per log line, on stderr, secrets redacted.

Log lines carry case references, actions and states, never personal data (SPEC X-):
the services log only those fields, and nothing logs a payload. Libraries that log
through the standard ``logging`` module (dramatiq's workers, SQLAlchemy) go through the
same JSON renderer, so every process — the CLI, ``govflow run``, the sweeper and the
dramatiq worker processes — writes the same kind of line at ``GOVFLOW_LOG_LEVEL``.

Secrets never reach a log line, an error message or a stored error text (SPEC X-):
``redact`` replaces every secret the installation registered (``register_secrets``: the
database and SMTP passwords, webhook URLs, the chain key…) and, whatever was registered,
the password of any URL (``scheme://user:***@host``) and token-like query parameters
(``?access_token=***``).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable
from typing import Any

import structlog

LEVELS = ("debug", "info", "warning", "error", "critical")
MASK = "***"

_secrets: set[str] = set()

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<user>[^/:@\s]*):[^@/\s]+@")
_TOKEN_PARAM = re.compile(
    r"(?P<name>[?&;](?:access_?token|token|key|secret|sign|signature|password|passwd|pwd"
    r"|auth|api_?key|client_secret)=)[^&#\s\"']+",
    re.IGNORECASE,
)


def register_secrets(values: Iterable[str | None]) -> None:
    """Secrets to blank out wherever they would be written (each at least 4 characters:
    shorter values would blank out ordinary words)."""
    for value in values:
        if value and len(value) >= 4:
            _secrets.add(value)
            _secrets.add(value.strip())


def redact(text: str) -> str:
    """``text`` with every registered secret and every URL credential replaced by ``***``."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(rf"\g<scheme>\g<user>:{MASK}@", text)
    return _TOKEN_PARAM.sub(rf"\g<name>{MASK}", text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    if isinstance(value, BaseException):
        return redact(f"{type(value).__name__}: {value}")
    return value


def _redact_event(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    return {key: _redact_value(value) for key, value in event.items()}


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is now, not the stream it was when logging was set up:
    a process whose stderr is swapped (an embedding test runner, a dramatiq worker process
    whose stderr is the pipe to its parent) keeps logging."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def log_level() -> int:
    """``GOVFLOW_LOG_LEVEL`` (debug / info / warning / error / critical), default warning."""
    name = os.environ.get("GOVFLOW_LOG_LEVEL", "warning").strip().lower()
    return getattr(logging, name.upper()) if name in LEVELS else logging.WARNING


_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging() -> None:
    """Structured JSON log lines on stderr at ``GOVFLOW_LOG_LEVEL``, for structlog and stdlib."""
    level = log_level()
    structlog.configure(
        processors=[
            *_SHARED,
            structlog.processors.format_exc_info,
            _redact_event,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(_CurrentStderr())  # type: ignore[arg-type]
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*_SHARED, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                _redact_event,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    handler.govflow = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    # Replace our own handler and plain stream handlers (dramatiq's ``basicConfig``), and
    # leave any other (a test runner's capture) in place.
    for old in list(root.handlers):
        if getattr(old, "govflow", False) or type(old) is logging.StreamHandler:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # The S3 client's debug output is its own plumbing (hundreds of lines a command, request
    # headers among them): govflow's debug level is about govflow.
    for chatty in ("botocore", "boto3", "s3transfer", "urllib3"):
        logging.getLogger(chatty).setLevel(max(level, logging.INFO))
