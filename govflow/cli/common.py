"""What every ``govflow`` command shares: error handling, exit codes, JSON output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer

from govflow.workflow.errors import ActionNotAllowed, Conflict, GovflowError, InvalidInput, NotFound

EXIT_CODES: dict[type[GovflowError], int] = {
    InvalidInput: 2,
    ActionNotAllowed: 3,
    NotFound: 4,
    Conflict: 5,
}

AsUser = Annotated[str, typer.Option("--as", help="操作人用户名")]
JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON")]


def fail(message: str, code: int) -> NoReturn:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code)


EXIT_INTERNAL = 70
"""An internal error (a bug, not the user's input): reported with a reference to its log line.
Exit code 1 means audit findings and nothing else."""


def exit_code(exc: GovflowError) -> int:
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 2


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except GovflowError as exc:
        fail(str(exc), exit_code(exc))
    except Exception as exc:
        message = database_problem(exc)
        if message is None:
            raise
        fail(message, 2)


def database_problem(exc: Exception) -> str | None:
    """A database that is not there, not initialised or not reachable: the operator's to fix.
    Anything else from the database is an internal error (``main`` reports it)."""
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


def internal_error(exc: BaseException) -> NoReturn:
    """Log the failure with a reference and tell the person where to find it."""
    import uuid

    import structlog

    reference = uuid.uuid4().hex[:12]
    structlog.get_logger("govflow.cli").error(
        "cli.internal_error", reference=reference, error=type(exc).__name__, exc_info=exc
    )
    typer.echo(f"错误：内部错误（参考编号 {reference}，详见日志）", err=True)
    raise SystemExit(EXIT_INTERNAL)


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
