"""The one source of "now" (SPEC T-5).

No code reads the system clock directly: services, workers and the CLI receive a
``Clock``. Tests and the demo use ``FakeClock`` to move time by weeks; scripts pin
time with the ``GOVFLOW_NOW`` environment variable (``govflow.app.clock_from_env``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = to_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = to_utc(instant)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class PinnedClock(FakeClock):
    """The clock ``GOVFLOW_NOW`` pins for a demo or test installation (SPEC T-5): what people
    read says so, since every limit and "time left" is reckoned from it."""


def to_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant must carry its time zone")
    return instant.astimezone(UTC)


def local_date(instant: datetime) -> date:
    """The calendar day of an instant in Asia/Shanghai: the day that counts in law."""
    return instant.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    """24:00 Asia/Shanghai of ``day``, as a UTC instant (where a working-day limit ends)."""
    next_midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return next_midnight.astimezone(UTC)


def local_minute(instant: datetime | None) -> str:
    """An instant as people read it: Beijing time to the minute (``—`` for none)."""
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if instant else "—"


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a bare date or a time without offset is read in Asia/Shanghai."""
    try:  # the common ISO forms, with the standard library (pendulum takes long to import)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return to_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI))
    import pendulum

    try:
        found = pendulum.parse(text, tz="Asia/Shanghai", strict=False)
    except ValueError:  # pendulum's ParserError is one
        raise ValueError(f"不是有效的时间点：{text!r}") from None
    if not isinstance(found, datetime):
        raise ValueError(f"不是时间点: {text!r}")
    # Hand the rest of the code a plain stdlib datetime, not a pendulum subclass.
    return datetime.fromtimestamp(found.timestamp(), UTC)
