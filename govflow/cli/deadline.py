"""``govflow deadline``: compute a legal limit from the command line (SPEC T-2 … T-4).

Clerks use it to answer "until when?" on the phone, and reviewers use it to check a
deadline the system shows. It prints the due day (or instant) on the first line so
scripts can read it, then the reasons in Chinese; ``--json`` gives one object.

Bad input is reported as a single line ``错误：…`` on stderr with exit code 2, never
as a traceback: the command is run by office staff, not developers.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from govflow.workflow.clock import SHANGHAI, local_date, parse_instant

if TYPE_CHECKING:  # imported when the command runs: ``govflow --help`` needs no calendar
    from govflow.workflow.calendar import Pause, WorkingCalendar

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
    from govflow.workflow.calendar import Pause

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


def _check_range(calendar: WorkingCalendar, d: date) -> None:
    if d < calendar.first_day:
        raise _BadInput(f"日期 {d.isoformat()} 早于日历起点 {calendar.first_day.isoformat()}")
    if d > calendar.last_day:
        raise _BadInput(f"日期 {d.isoformat()} 晚于日历终点 {calendar.last_day.isoformat()}")


def _clock_text(instant: datetime) -> str:
    local = instant.astimezone(SHANGHAI)
    fmt = "%Y-%m-%d %H:%M:%S" if local.second or local.microsecond else "%Y-%m-%d %H:%M"
    return local.strftime(fmt)


def compute_deadline(
    calendar: WorkingCalendar,
    start_text: str | None,
    working_days: str | None,
    hours: str | None,
    pauses: list[str],
) -> dict[str, Any]:
    """The JSON-shaped answer; raises ``_BadInput`` for anything the user must fix."""
    if start_text is None:
        raise _BadInput("缺少 --from（起算日或起算时间）")
    if (working_days is None) == (hours is None):
        raise _BadInput("--working-days 与 --hours 须且只能给出其中一个")
    start = _parse_from(start_text)
    _check_range(calendar, local_date(start))
    if hours is not None:
        if pauses:
            raise _BadInput("--pause 只适用于 --working-days，按小时计算的期限不中止")
        amount = _positive_int(hours, "--hours")
        due = start + timedelta(hours=amount)
        return {
            "due": due.astimezone(SHANGHAI).isoformat(timespec="seconds"),
            "basis": "hours",
            "start": start.astimezone(SHANGHAI).isoformat(timespec="seconds"),
            "amount": amount,
            "pauses": [],
            "provisional": False,
            "explanation": [
                f"自 {_clock_text(start)}（北京时间）起连续计算 {amount} 小时，"
                "夜间、周末、节假日照常计算。",
                f"期限至 {_clock_text(due)}（北京时间）届满。",
            ],
        }
    assert working_days is not None
    amount = _positive_int(working_days, "--working-days")
    parsed = [_parse_pause(p) for p in pauses]
    for p in parsed:
        _check_range(calendar, p.start)
        _check_range(calendar, p.end)
    day = local_date(start)
    from govflow.workflow.calendar import CalendarError

    try:
        count = calendar.add_working_days(day, amount, parsed)
    except CalendarError as exc:
        raise _BadInput(str(exc)) from None
    return {
        "due": count.due_date.isoformat(),
        "basis": "working_days",
        "start": day.isoformat(),
        "amount": amount,
        "pauses": [{"start": p.start.isoformat(), "end": p.end.isoformat()} for p in count.pauses],
        "provisional": count.provisional,
        "explanation": count.explain(calendar),
    }


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
    from govflow.workflow.calendar import CalendarError, WorkingCalendar

    try:
        calendar = WorkingCalendar.load()
    except CalendarError as exc:
        _fail(f"日历配置有误：{exc}", EXIT_BAD_CONFIG)
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
