"""``GOVFLOW_NOW`` (SPEC T-5): an instant the working calendar cannot reckon from is refused
at start-up, naming the variable, like one that is no instant at all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govflow.configuration import clock_from_env
from govflow.workflow.errors import ConfigurationError
from govflow.workflow.policy import Mode


@pytest.mark.parametrize(
    "pinned",
    ["9999-12-31T23:59", "2101-01-01T10:00", "0001-01-01T00:00", "2007-12-31T23:59"],
)
def test_an_instant_outside_the_calendar_years_is_refused(pinned: str) -> None:
    with pytest.raises(ConfigurationError, match=r"GOVFLOW_NOW.*2008–2100 年"):
        clock_from_env({"GOVFLOW_NOW": pinned}, Mode.TEST)


def test_garbage_is_still_no_instant() -> None:
    with pytest.raises(ConfigurationError, match=r"GOVFLOW_NOW.*不是有效的时间点"):
        clock_from_env({"GOVFLOW_NOW": "garbage"}, Mode.TEST)


@pytest.mark.parametrize(
    ("pinned", "utc"),
    [
        ("2008-01-01T00:00", datetime(2007, 12, 31, 16, 0, tzinfo=UTC)),
        ("2100-12-31T23:59", datetime(2100, 12, 31, 15, 59, tzinfo=UTC)),
    ],
)
def test_the_first_and_last_calendar_years_are_kept(pinned: str, utc: datetime) -> None:
    assert clock_from_env({"GOVFLOW_NOW": pinned}, Mode.TEST).now() == utc
