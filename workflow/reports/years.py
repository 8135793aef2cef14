"""The years a report can cover: those of the working calendar (2008, the first regulations,
to its horizon). A report of another year has nothing to count and its dates could not be
reckoned (year 10000 does not exist for ``datetime``): refused in the words the HTTP API's
own check uses, so the CLI and the API say the same."""

from __future__ import annotations

from datetime import date

from govflow.workflow.calendar.working import DEFAULT_FIRST_YEAR, HORIZON_YEAR
from govflow.workflow.errors import InvalidInput

FIRST_YEAR = DEFAULT_FIRST_YEAR
LAST_YEAR = HORIZON_YEAR


def check_year(year: int, field: str, label: str) -> None:
    """``年度 year：不能小于 2008`` for a year outside the calendar's."""
    if year < FIRST_YEAR:
        problem = f"不能小于 {FIRST_YEAR}"
    elif year > LAST_YEAR:
        problem = f"不能大于 {LAST_YEAR}"
    else:
        return
    raise InvalidInput(f"{label} {field}：{problem}", {field: problem})


def check_day(day: date, field: str, label: str) -> None:
    """``统计起始日 from：0001-01-01 不在 2008–2100 年之内`` for a period's first or last day."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        problem = f"{day.isoformat()} 不在 {FIRST_YEAR}–{LAST_YEAR} 年之内"
        raise InvalidInput(f"{label} {field}：{problem}", {field: problem})
