"""``govflow deadline``: compute a legal limit from the command line (SPEC T-2 … T-4).

Clerks use it to answer "until when?" on the phone, and reviewers use it to check a
deadline the system shows. It prints the due day (or instant) on the first line so
scripts can read it, then the reasons in Chinese; ``--json`` gives one object.

Bad input is reported as a single line ``错误：…`` on stderr with exit code 2, never
as a traceback: the command is run by office staff, not developers. The counting and its
reasons are the service layer's calculator (``services.compute_limit``); this module only
parses the options and prints the answer.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, NoReturn

import typer

from govflow.workflow.calculator import compute_limit
from govflow.workflow.calendar import CalendarError, Pause, WorkingCalendar
from govflow.workflow.clock import parse_instant
from govflow.workflow.errors import InvalidInput

EXIT_BAD_INPUT = 2
EXIT_BAD_CONFIG = 1


class _BadInput(Exception):
    """Raised inside the command for input the user must fix; becomes ``错误：…``."""


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code=code)


def _positive_int(text: str, option: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise _BadInput(f"{option} 应为正整数，实为 {text!r}") from None
    if value <= 0:
        raise _BadInput(f"{option} 应为正整数，实为 {value}")
    return value


def _parse_from(text: str) -> datetime:
    try:
        return parse_instant(text.strip())
    except (ValueError, OverflowError, TypeError):
        raise _BadInput(f"--from 无法识别的日期或时间 {text!r}") from None


def _parse_pause(text: str) -> Pause:
    parts = text.split(":")
    if len(parts) != 2:
        raise _BadInput(f"--pause 应为 开始日:结束日（如 2025-10-09:2025-10-15），实为 {text!r}")
    try:
        start, end = (date.fromisoformat(p.strip()) for p in parts)
    except ValueError:
        raise _BadInput(f"--pause 中的日期无法识别 {text!r}") from None
    if end < start:
        raise _BadInput(f"--pause 的结束日 {end.isoformat()} 早于开始日 {start.isoformat()}")
    return Pause(start, end)


def compute_deadline(
    calendar: WorkingCalendar,
    start_text: str | None,
    working_days: str | None,
    hours: str | None,
    pauses: list[str],
) -> dict[str, Any]:
    """Parse the options and ask the calculator; the JSON-shaped answer. Raises ``_BadInput``
    for anything the user must fix."""
    if start_text is None:
        raise _BadInput("缺少 --from（起算日或起算时间）")
    if (working_days is None) == (hours is None):
        raise _BadInput("--working-days 与 --hours 须且只能给出其中一个")
    start = _parse_from(start_text)
    if hours is not None and pauses:
        raise _BadInput("--pause 只适用于 --working-days，按小时计算的期限不中止")
    try:
        answer = compute_limit(
            calendar,
            start,
            working_days=_positive_int(working_days, "--working-days") if working_days else None,
            hours=_positive_int(hours, "--hours") if hours else None,
            pauses=[_parse_pause(p) for p in pauses],
        )
    except InvalidInput as exc:
        raise _BadInput(str(exc)) from None
    return answer.to_json()


def deadline(
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE|INSTANT",
            help="起算日（事件发生之日，当日不计）或起算时间，ISO 8601；无时区按北京时间。",
        ),
    ] = None,
    working_days: Annotated[
        str | None, typer.Option("--working-days", metavar="N", help="期限：工作日数（N ≥ 1）。")
    ] = None,
    hours: Annotated[
        str | None,
        typer.Option("--hours", metavar="N", help="期限：连续小时数（夜间、节假日照常计算）。"),
    ] = None,
    pause: Annotated[
        list[str] | None,
        typer.Option(
            "--pause",
            metavar="START:END",
            help="中止计算 开始日:结束日，可重复；(开始日, 结束日] 不计。",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象。")] = False,
) -> None:
    """计算期限届满日：N 个工作日（起算日不计，调休上班日计入）或 N 小时。"""
    from govflow.app import calculator_calendar
    from govflow.workflow.errors import ConfigurationError

    try:
        calendar, note = calculator_calendar()
    except ConfigurationError as exc:
        _fail(str(exc), EXIT_BAD_CONFIG)
    except CalendarError as exc:
        _fail(f"日历配置有误：{exc}", EXIT_BAD_CONFIG)
    if note is not None:
        typer.echo(note, err=True)
    try:
        result = compute_deadline(calendar, from_, working_days, hours, pause or [])
    except _BadInput as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(result["due"])
    for line in result["explanation"]:
        typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add the ``deadline`` command to the main ``govflow`` app."""
    app.command("deadline")(deadline)
