"""What one day is, and pauses of a running clock (SPEC T-1, T-3): the calendar's vocabulary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from govflow.workflow.calendar.schedule import CalendarError


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # 放假日 of an official holiday period
    MAKEUP = "makeup"  # 调休上班日: a Saturday or Sunday that is a working day
    CLOSURE = "closure"  # the office's own closure day


@dataclass(frozen=True)
class DayInfo:
    """What one day is. ``known`` is False when its year has no official schedule."""

    day: date
    kind: DayKind
    name: str | None
    known: bool


@dataclass(frozen=True, order=True)
class Pause:
    """A stopped clock (T-3): days in (start, end] do not count.

    The start day itself still counts, because on that day the clock was running
    until the pause began; counting resumes the day after ``end``.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise CalendarError(
                f"暂停的结束日 {self.end.isoformat()} 早于开始日 {self.start.isoformat()}"
            )


def merge_pauses(pauses: Iterable[Pause], after: date) -> list[tuple[date, date]]:
    """Pauses as disjoint, sorted excluded spans ``(s, e]``, clipped to days after ``after``.

    Overlapping or touching pauses merge; a pause that began before ``after`` only
    excludes what lies after it; a pause that ended by ``after`` excludes nothing.
    """
    spans: list[tuple[date, date]] = []
    for p in sorted(pauses):
        s = max(p.start, after)
        if p.end <= s:
            continue
        if spans and s <= spans[-1][1]:
            if p.end > spans[-1][1]:
                spans[-1] = (spans[-1][0], p.end)
        else:
            spans.append((s, p.end))
    return spans
