"""Working-day arithmetic on the official schedule (SPEC T-1 … T-4).

Deadlines are recomputed often (every sweep, every schedule change, every report),
so the arithmetic never walks day by day: each calendar precomputes, once, the
sorted ordinals of every working day from its first day to its horizon, and then
counting is two binary searches (``bisect``) per pause segment.

Counting rule (SPEC T-2): the day D of the event never counts, whatever it is; the
limit ends at 24:00 Asia/Shanghai of the N-th working day after D. Pauses (T-3)
remove the days strictly after the pause began up to and including the day it
ended. Years with no published schedule count Monday–Friday only and make the
result provisional (T-4).
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from govflow.workflow.calendar.days import DayInfo, DayKind, Pause, merge_pauses
from govflow.workflow.calendar.explain import explain_count
from govflow.workflow.calendar.schedule import CalendarError, YearSchedule

DEFAULT_FIRST_YEAR = 2008  # the 2008 regulations (in force 2008-05-01) are the first edition
HORIZON_YEAR = 2100


@dataclass(frozen=True)
class WorkingDayCount:
    """The result of counting N working days from D, with everything needed to audit it."""

    start: date
    working_days: int
    pauses: tuple[Pause, ...]
    due_date: date
    provisional: bool

    def explain(self, calendar: WorkingCalendar) -> list[str]:
        """zh-CN lines telling a clerk, day group by day group, why the due date is what it is."""
        return list(_explained(self, calendar))


@functools.lru_cache(maxsize=4096)
def _explained(count: WorkingDayCount, calendar: WorkingCalendar) -> tuple[str, ...]:
    # Every replay of a case recomputes its deadlines, and the day-by-day walk behind the
    # text is most of that cost; the same count on the same calendar always reads the same.
    return tuple(explain_count(count, calendar))


class WorkingCalendar:
    """The official working-day calendar of one office."""

    def __init__(self, schedules: Iterable[YearSchedule]) -> None:
        scheds = sorted(schedules, key=lambda s: s.year)
        years = [s.year for s in scheds]
        if len(set(years)) != len(years):
            raise CalendarError("同一年份的日历出现多次")
        self._holidays: dict[date, str] = {}
        self._makeup: dict[date, str] = {}
        self._closures: dict[date, str] = {}
        for s in scheds:
            self._holidays.update(s.holidays)
            self._makeup.update(s.makeup_workdays)
            self._closures.update(s.closures)
        self.known_years: frozenset[int] = frozenset(s.year for s in scheds if s.official)
        first_year = min(self.known_years, default=DEFAULT_FIRST_YEAR)
        self.first_day: date = date(first_year, 1, 1)
        self.last_day: date = date(max(HORIZON_YEAR, *years, first_year), 12, 31)
        self.schedules: tuple[YearSchedule, ...] = tuple(scheds)
        self._lo = self.first_day.toordinal()
        self._hi = self.last_day.toordinal()
        self._work: list[int] = self._working_ordinals()

    def _working_ordinals(self) -> list[int]:
        # Ordinal 1 (0001-01-01) was a Monday, so (ordinal + 6) % 7 is date.weekday().
        weekdays = {o for o in range(self._lo, self._hi + 1) if (o + 6) % 7 < 5}
        closed = {d.toordinal() for d in self._closures}
        off = {d.toordinal() for d in self._holidays} | closed
        makeup = {d.toordinal() for d in self._makeup} - closed
        return sorted((weekdays - off) | makeup)

    # -- construction -------------------------------------------------------

    @classmethod
    def from_schedules(cls, schedules: Iterable[YearSchedule]) -> WorkingCalendar:
        return cls(schedules)

    # -- single days ----------------------------------------------------------

    def _check(self, d: date) -> int:
        o = d.toordinal()
        if o < self._lo:
            raise CalendarError(f"日期 {d.isoformat()} 早于日历起点 {self.first_day.isoformat()}")
        if o > self._hi:
            raise CalendarError(f"日期 {d.isoformat()} 晚于日历终点 {self.last_day.isoformat()}")
        return o

    def day_info(self, d: date) -> DayInfo:
        self._check(d)
        known = d.year in self.known_years
        if d in self._holidays:
            return DayInfo(d, DayKind.HOLIDAY, self._holidays[d], known)
        if d in self._closures:
            return DayInfo(d, DayKind.CLOSURE, self._closures[d], known)
        if d in self._makeup:
            return DayInfo(d, DayKind.MAKEUP, self._makeup[d], known)
        kind = DayKind.WEEKEND if d.weekday() >= 5 else DayKind.WORKDAY
        return DayInfo(d, kind, None, known)

    def is_working_day(self, d: date) -> bool:
        o = self._check(d)
        i = bisect_left(self._work, o)
        return i < len(self._work) and self._work[i] == o

    def next_working_day_on_or_after(self, d: date) -> date:
        i = bisect_left(self._work, self._check(d))
        if i == len(self._work):
            raise CalendarError(f"{d.isoformat()} 之后在日历范围内没有工作日")
        return date.fromordinal(self._work[i])

    # -- counting -------------------------------------------------------------

    def _upto(self, o: int) -> int:
        """How many working days lie on or before ordinal ``o``."""
        return bisect_right(self._work, o)

    def add_working_days(
        self, start: date, n: int, pauses: Sequence[Pause] = ()
    ) -> WorkingDayCount:
        """The N-th counted working day after ``start`` (T-2, T-3)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise CalendarError(f"工作日数应为正整数，实为 {n!r}")
        cursor = self._check(start)
        remaining = n
        work = self._work
        due: int | None = None
        for s, e in merge_pauses(pauses, start) if pauses else ():
            before = bisect_right(work, cursor)
            available = bisect_right(work, s.toordinal()) - before
            if available >= remaining:
                due = work[before + remaining - 1]
                break
            remaining -= available
            cursor = e.toordinal()
        if due is None:
            i = bisect_right(work, cursor) + remaining - 1
            if i >= len(work):
                raise CalendarError(
                    f"自 {start.isoformat()} 起 {n} 个工作日超出日历终点"
                    f" {self.last_day.isoformat()}"
                )
            due = work[i]
        due_date = date.fromordinal(due)
        return WorkingDayCount(
            start=start,
            working_days=n,
            pauses=tuple(sorted(pauses)) if pauses else (),
            due_date=due_date,
            provisional=self.is_provisional_between(start, due_date),
        )

    def working_day_before(self, d: date, n: int) -> date:
        """The working day W with exactly ``n`` working days in ``(W, d]`` (``d`` itself when n = 0).

        Escalation ladders use it: "5 working days left" starts on that day.
        """
        if n < 0:
            raise CalendarError(f"工作日数不能为负，实为 {n}")
        if n == 0:
            return d
        i = bisect_right(self._work, self._check(d)) - 1 - n
        if i < 0:
            raise CalendarError(f"{d.isoformat()} 之前在日历范围内不足 {n} 个工作日")
        return date.fromordinal(self._work[i])

    def working_days_between(self, a: date, b: date, pauses: Sequence[Pause] = ()) -> int:
        """Counted working days in ``(a, b]``, pauses removed; 0 if ``b <= a``."""
        ao, bo = self._check(a), self._check(b)
        if bo <= ao:
            return 0
        total = self._upto(bo) - self._upto(ao)
        for s, e in merge_pauses(pauses, a):
            so, eo = s.toordinal(), min(e.toordinal(), bo)
            if so >= bo:
                break
            total -= self._upto(eo) - self._upto(so)
        return total

    def is_provisional_between(self, a: date, b: date) -> bool:
        """Whether some day in ``(a, b]`` lies in a year without an official schedule."""
        if b <= a:
            return False
        first = a.year + 1 if (a.month, a.day) == (12, 31) else a.year
        if first == b.year:  # the common case, without building a range
            return first not in self.known_years
        return any(y not in self.known_years for y in range(first, b.year + 1))
