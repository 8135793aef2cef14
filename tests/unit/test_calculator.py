"""The deadline calculator's bounds (``workflow.calculator``): a count no legal limit comes
near is refused in Chinese, never overflowed into a traceback."""

from __future__ import annotations

from datetime import datetime

import pytest

from govflow.workflow.calculator import MAX_HOURS, MAX_WORKING_DAYS, compute_limit
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import InvalidInput
from tests.config import calendar as shipped_calendar

CAL = shipped_calendar()
START = datetime(2025, 10, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("hours", [0, -1, MAX_HOURS + 1, 99_999_999_999])
def test_hours_out_of_bounds_are_refused(hours: int) -> None:
    with pytest.raises(InvalidInput, match=f"期限应为 1–{MAX_HOURS} 个小时"):
        compute_limit(CAL, START, hours=hours)


@pytest.mark.parametrize("days", [0, -3, MAX_WORKING_DAYS + 1, 99_999_999_999])
def test_working_days_out_of_bounds_are_refused(days: int) -> None:
    with pytest.raises(InvalidInput, match=f"期限应为 1–{MAX_WORKING_DAYS} 个工作日"):
        compute_limit(CAL, START, working_days=days)


def test_the_bounds_themselves_are_counted() -> None:
    assert compute_limit(CAL, START, hours=MAX_HOURS).due.startswith("2026-10-02T09:00")
    assert compute_limit(CAL, START, working_days=MAX_WORKING_DAYS).basis == "working_days"
