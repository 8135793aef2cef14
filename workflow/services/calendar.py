"""Reading the working-day calendar in force (SPEC T-1, T-4): which years have an official
schedule, and each year's days that are not ordinary (holidays, make-up working days, the
office's own closure days). Public knowledge: any signed-in reader may read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from govflow.workflow.calendar import DayInfo
from govflow.workflow.errors import NotFound
from govflow.workflow.services.base import Services


@dataclass(frozen=True)
class CalendarYear:
    year: int
    official: bool  # the State Council's schedule is loaded (else weekends only: provisional)
    days: tuple[DayInfo, ...]  # holidays, make-up working days and closures, by date


def calendar_years(svc: Services) -> list[int]:
    """The years with an official schedule, ascending."""
    return sorted(svc.calendar.known_years)


def calendar_year(svc: Services, year: int) -> CalendarYear:
    """One year's special days; a year outside the calendar is not found."""
    calendar = svc.calendar
    if not calendar.first_day.year <= year <= calendar.last_day.year:
        raise NotFound(
            f"日历不含 {year} 年（范围 {calendar.first_day.year}–{calendar.last_day.year}）"
        )
    special: set[date] = set()
    for schedule in calendar.schedules:
        if schedule.year == year:
            special |= {*schedule.holidays, *schedule.makeup_workdays, *schedule.closures}
    days = tuple(calendar.day_info(d) for d in sorted(special))
    return CalendarYear(year, year in calendar.known_years, days)
