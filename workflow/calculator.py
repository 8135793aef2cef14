"""The deadline calculator (SPEC T-2 … T-4): "until when?", with the reasons, no database.

Clerks answer it on the phone and reviewers check a deadline the system shows. A use case
that needs only the working calendar, so a front end answers it without ``Services`` (and
the command starts in a blink); ``govflow.workflow.services`` lists it with the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from govflow.workflow.calendar import CalendarError, Pause, WorkingCalendar
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.errors import InvalidInput

MAX_WORKING_DAYS = 366
"""The most working days the calculator counts: no legal limit runs longer than a year, and
a list's ``due_within`` stops at the same figure."""

MAX_HOURS = MAX_WORKING_DAYS * 24
"""The most hours it counts, a year of them: hour limits are 5 to 48 hours (SPEC I-2), and
an unbounded count overflowed ``datetime`` into a traceback."""


@dataclass(frozen=True)
class LimitAnswer:
    due: str  # the due day (working days), or the due instant in Beijing time (hours)
    basis: str  # working_days | hours
    start: str
    amount: int
    pauses: list[dict[str, str]]
    provisional: bool
    explanation: list[str]  # zh-CN, one reason a line

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _clock_text(instant: datetime) -> str:
    local = instant.astimezone(SHANGHAI)
    fmt = "%Y-%m-%d %H:%M:%S" if local.second or local.microsecond else "%Y-%m-%d %H:%M"
    return local.strftime(fmt)


def _in_range(calendar: WorkingCalendar, d: date) -> None:
    if d < calendar.first_day:
        raise InvalidInput(f"日期 {d.isoformat()} 早于日历起点 {calendar.first_day.isoformat()}")
    if d > calendar.last_day:
        raise InvalidInput(f"日期 {d.isoformat()} 晚于日历终点 {calendar.last_day.isoformat()}")


def _check_amount(value: int, most: int, unit: str) -> None:
    if not 1 <= value <= most:
        raise InvalidInput(f"期限应为 1–{most} 个{unit}，实为 {value}")


def compute_limit(
    calendar: WorkingCalendar,
    start: datetime,
    *,
    working_days: int | None = None,
    hours: int | None = None,
    pauses: Sequence[Pause] = (),
) -> LimitAnswer:
    """N working days after the day of ``start`` (that day not counted, make-up working days
    counted, ``pauses`` not counted), or N hours straight through nights and holidays."""
    _in_range(calendar, local_date(start))
    if hours is not None:
        _check_amount(hours, MAX_HOURS, "小时")
        due = start + timedelta(hours=hours)
        return LimitAnswer(
            due=due.astimezone(SHANGHAI).isoformat(timespec="seconds"),
            basis="hours",
            start=start.astimezone(SHANGHAI).isoformat(timespec="seconds"),
            amount=hours,
            pauses=[],
            provisional=False,
            explanation=[
                f"自 {_clock_text(start)}（北京时间）起连续计算 {hours} 小时，"
                "夜间、周末、节假日照常计算。",
                f"期限至 {_clock_text(due)}（北京时间）届满。",
            ],
        )
    if working_days is None:
        raise InvalidInput("须给出工作日数或小时数")
    _check_amount(working_days, MAX_WORKING_DAYS, "工作日")
    for p in pauses:
        _in_range(calendar, p.start)
        _in_range(calendar, p.end)
    day = local_date(start)
    try:
        count = calendar.add_working_days(day, working_days, list(pauses))
    except CalendarError as exc:
        raise InvalidInput(str(exc)) from None
    return LimitAnswer(
        due=count.due_date.isoformat(),
        basis="working_days",
        start=day.isoformat(),
        amount=working_days,
        pauses=[{"start": p.start.isoformat(), "end": p.end.isoformat()} for p in count.pauses],
        provisional=count.provisional,
        explanation=count.explain(calendar),
    )
