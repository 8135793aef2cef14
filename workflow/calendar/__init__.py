"""The official working-day calendar (SPEC T-1 … T-4).

``load_schedules(dirs)`` reads year files (``configs/calendar/YYYY.yaml`` and any the
composition root adds); ``WorkingCalendar.from_schedules`` builds the calendar, whose
``add_working_days`` turns "N working days from day D" into a due date. See
``working.py`` for the counting rules, ``explain.py`` for the zh-CN reasons.
"""

from govflow.workflow.calendar.days import DayInfo, DayKind, Pause, merge_pauses
from govflow.workflow.calendar.explain import explain_count, provisional_note, zh_day
from govflow.workflow.calendar.schedule import (
    CalendarError,
    YearSchedule,
    load_schedules,
    load_year_file,
)
from govflow.workflow.calendar.working import WorkingCalendar, WorkingDayCount

__all__ = [
    "CalendarError",
    "DayInfo",
    "DayKind",
    "Pause",
    "WorkingCalendar",
    "WorkingDayCount",
    "YearSchedule",
    "explain_count",
    "load_schedules",
    "load_year_file",
    "merge_pauses",
    "provisional_note",
    "zh_day",
]
