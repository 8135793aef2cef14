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


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except GovflowError as exc:
        fail(str(exc), EXIT_CODES.get(type(exc), 2))
    except Exception as exc:
        if not type(exc).__module__.startswith("sqlalchemy"):
            raise
        # Parameters are hidden by the engine, so the message carries no personal data.
        first_line = str(exc).splitlines()[0]
        fail(f"数据库错误（数据库是否已用 govflow init 初始化？）：{first_line}", 1)


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
