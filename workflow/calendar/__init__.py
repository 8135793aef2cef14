"""The official working-day calendar (SPEC T-1 … T-4).

``WorkingCalendar.load()`` reads the shipped schedules in ``configs/calendar`` plus
any override directories; ``add_working_days`` turns "N working days from day D"
into a due date. See ``working.py`` for the counting rules.
"""

from govflow.workflow.calendar.explain import explain_count, provisional_note, zh_day
from govflow.workflow.calendar.schedule import (
    ENV_CALENDAR_DIR,
    CalendarError,
    YearSchedule,
    calendar_dirs,
    load_schedules,
    load_year_file,
    shipped_calendar_dir,
)
from govflow.workflow.calendar.working import (
    DayInfo,
    DayKind,
    Pause,
    WorkingCalendar,
    WorkingDayCount,
    merge_pauses,
)

__all__ = [
    "ENV_CALENDAR_DIR",
    "CalendarError",
    "DayInfo",
    "DayKind",
    "Pause",
    "WorkingCalendar",
    "WorkingDayCount",
    "YearSchedule",
    "calendar_dirs",
    "explain_count",
    "load_schedules",
    "load_year_file",
    "merge_pauses",
    "provisional_note",
    "shipped_calendar_dir",
    "zh_day",
]
