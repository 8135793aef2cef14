"""What every ``govflow`` command shares: error handling, exit codes, JSON output."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer

from govflow.workflow.errors import (
    ActionNotAllowed,
    Conflict,
    DamagedHistory,
    GovflowError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)

if TYPE_CHECKING:
    from govflow.workflow.identity.principal import Principal
    from govflow.workflow.services import Services

EXIT_CODES: dict[type[GovflowError], int] = {
    DamagedHistory: 1,  # an audit finding
    InvalidInput: 2,
    ActionNotAllowed: 3,
    NotAuthenticated: 3,
    NotFound: 4,
    Conflict: 5,
}

AsUser = Annotated[str, typer.Option("--as", help="操作人用户名")]
JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON")]


def fail(message: str, code: int) -> NoReturn:
    from govflow.logs import redact

    typer.echo(f"错误：{redact(message)}", err=True)
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


# -- what reaches a terminal ---------------------------------------------------------------------

_CONTROLS = {
    **{c: f"\\u{c:04x}" for c in range(0x20) if chr(c) not in "\t\n\r"},
    0x7F: "\\u007f",
    **{c: f"\\u{c:04x}" for c in range(0x80, 0xA0)},
    # Bidirectional overrides and isolates reorder what a reader sees ("Trojan source").
    **{c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}
_LONE_CR = re.compile(r"(?<!^)\r(?!\n)")


def visible(text: str) -> str:
    """Control characters as visible escapes (``\\u001b``): text stored in a case (a
    description, a name) can carry a terminal escape sequence, which must reach a clerk's
    terminal as text, never as a command. A lone carriage return is escaped too, except at
    the start of a write (the progress line on a terminal rewrites itself that way); in JSON
    output the same escapes stay valid JSON."""
    return _LONE_CR.sub("\\\\u000d", text.translate(_CONTROLS))


class VisibleControls(io.TextIOBase):
    """A standard stream for people: everything written goes through ``visible``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.stream.errors

    def write(self, text: str) -> int:
        self.stream.write(visible(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


def guard_standard_streams() -> None:
    if not isinstance(sys.stdout, VisibleControls):
        sys.stdout = VisibleControls(sys.stdout)
    if not isinstance(sys.stderr, VisibleControls):
        sys.stderr = VisibleControls(sys.stderr)


def check_arguments(argv: list[str]) -> None:
    """Every command-line argument is UTF-8 text (Python hands on other bytes as surrogates,
    which fail later, deep inside, with ``surrogates not allowed``)."""
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            after = f"（{argv[position - 2]} 的值）" if position > 1 else ""
            fail(f"第 {position} 个命令行参数{after}不是有效的 UTF-8 文本：{raw!r}", 2)


def os_user() -> str:
    """The operating-system user running the command: the CLI's events say ``cli:<this>``."""
    import getpass
    import os

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        return f"uid{os.getuid()}"


def cli_principal(svc: Services, username: str) -> Principal:
    """``--as USER``: the command line is an operator's tool for whoever holds the database
    credentials, so the named user acts (if active) through the channel ``cli:<OS user>``."""
    from govflow.workflow.identity.accounts import principal_for
    from govflow.workflow.identity.principal import cli_channel

    return principal_for(svc, username, cli_channel(os_user()))
