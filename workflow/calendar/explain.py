"""Plain-language (zh-CN) explanation of a working-day count.

Applicants and reviewers (行政复议机关) ask "why is the limit that day?"; the answer
must name every day that did not count and every make-up working day that did.
This is not the hot path, so it simply walks the days from D to the due date and
groups consecutive days that share a reason into one "A 至 B" line.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from govflow.workflow.calendar.days import DayKind, merge_pauses

if TYPE_CHECKING:
    from govflow.workflow.calendar.working import WorkingCalendar, WorkingDayCount

_WEEKDAYS = "一二三四五六日"

# (reason, name) → the tail of the line after the date range
_Reason = tuple[str, str | None]


def zh_day(d: date) -> str:
    """``2025-09-26（星期五）``."""
    return f"{d.isoformat()}（星期{_WEEKDAYS[d.weekday()]}）"


def _span(a: date, b: date, with_weekday: bool = True) -> str:
    """``A（星期X）至 B（星期Y）`` or, without weekdays, ``A 至 B `` (trailing space)."""
    if not with_weekday:
        return f"{a.isoformat()} " if a == b else f"{a.isoformat()} 至 {b.isoformat()} "
    return zh_day(a) if a == b else f"{zh_day(a)}至 {zh_day(b)}"


def _tail(reason: _Reason) -> str:
    kind, name = reason
    if kind == "pause":
        return "中止计算（暂停），不计。"
    if kind == DayKind.MAKEUP:
        return f"调休上班日（{name}），计入。"
    if kind == DayKind.HOLIDAY:
        return f"{name}假期，不计。"
    if kind == DayKind.CLOSURE:
        return f"本机关不办公（{name}），不计。"
    if kind == "weekend-unknown":
        return "休息日（该年节假日安排尚未公布，按周末计），不计。"
    return "休息日，不计。"


def provisional_note(year: int) -> str:
    return f"{year} 年节假日安排尚未公布，该年按周末计算，本期限为临时结果，公布后将重新计算。"


def explain_count(count: WorkingDayCount, calendar: WorkingCalendar) -> list[str]:
    """Lines for ``count``: start day, non-counted and make-up day groups, the due date."""
    lines = [f"起算日 {zh_day(count.start)}当日不计入期限。"]
    spans = merge_pauses(count.pauses, count.start)
    paused: set[date] = set()
    for s, e in spans:
        paused.update(s + timedelta(days=i) for i in range(1, (e - s).days + 1))

    group: tuple[_Reason, date, date] | None = None

    def flush() -> None:
        if group is not None:
            reason, a, b = group
            lines.append(_span(a, b, with_weekday=reason[0] != "pause") + _tail(reason))

    unknown_years: list[int] = []
    d = count.start
    while d < count.due_date:
        d += timedelta(days=1)
        info = calendar.day_info(d)
        if not info.known and d.year not in unknown_years:
            unknown_years.append(d.year)
        reason: _Reason | None
        if d in paused:
            reason = ("pause", None)
        elif info.kind == DayKind.WEEKEND:
            reason = ("weekend" if info.known else "weekend-unknown", None)
        elif info.kind == DayKind.WORKDAY:
            reason = None
        else:
            reason = (info.kind, info.name)
        if (
            reason is not None
            and group is not None
            and group[0] == reason
            and (group[2] + timedelta(days=1) == d)
        ):
            group = (reason, group[1], d)
            continue
        flush()
        group = (reason, d, d) if reason is not None else None
    flush()
    lines.extend(provisional_note(y) for y in unknown_years)
    lines.append(
        f"第 {count.working_days} 个工作日为 {zh_day(count.due_date)}，"
        "期限至该日 24:00（北京时间）届满。"
    )
    return lines
