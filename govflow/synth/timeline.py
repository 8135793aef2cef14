"""Time for the planner: office hours on working days, and the limits the law counts.

People act in office hours (08:30–17:30) on working days of the official calendar
(调休 make-up days included, holidays excluded); online forms, e-mails and incidents
arrive at any hour. The sweeper records an expiry just after 24:00 of the limit's
last day, the first instant the guards accept it.

Due dates are counted with the engine's own ``Deadline`` and ``WorkingCalendar``, so a
step planned "in time" is in time by the same arithmetic the guards and the annual
report use, and a "late" one is late.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from functools import cache

from govflow.workflow.calendar import Pause, WorkingCalendar
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.deadline_terms import Basis
from govflow.workflow.deadlines import Deadline

OPEN = time(8, 30)
CLOSE = time(17, 30)
_DAY_MINUTES = (CLOSE.hour * 60 + CLOSE.minute) - (OPEN.hour * 60 + OPEN.minute)


@cache
def default_calendar() -> WorkingCalendar:
    """The installation's calendar, read once for a planner given none (tests, benchmarks)."""
    from govflow.app import load_calendar  # the composition root; planning itself reads nothing

    return load_calendar()


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), SHANGHAI)


def office_time(rng: random.Random, day: date) -> datetime:
    """A random instant of office hours on ``day``."""
    minutes = OPEN.hour * 60 + OPEN.minute + rng.randrange(_DAY_MINUTES)
    return local(day, minutes // 60, minutes % 60, rng.randrange(60))


def off_hours_time(rng: random.Random, day: date, working: bool) -> datetime:
    """An instant outside office hours: any hour of a day off, the evening or night otherwise."""
    if not working:
        return local(day, rng.randrange(24), rng.randrange(60), rng.randrange(60))
    hour = rng.choice((0, 1, 6, 7, 18, 19, 20, 21, 22, 23))
    return local(day, hour, rng.randrange(60), rng.randrange(60))


class Cursor:
    """The instant a script has reached; every new step lies strictly after it."""

    def __init__(self, rng: random.Random, cal: WorkingCalendar, at: datetime) -> None:
        self.rng, self.cal, self.now = rng, cal, at

    @property
    def today(self) -> date:
        return local_date(self.now)

    def working_day(self, n: int, after: date | None = None) -> date:
        """The n-th working day after ``after`` (today); n = 0: today if working, else the next."""
        day = after or self.today
        if n <= 0:
            return self.cal.next_working_day_on_or_after(day)
        return self.cal.add_working_days(day, n).due_date

    def on(self, day: date) -> datetime:
        """Move to office hours of ``day`` (a later time the same day if already there)."""
        if day < self.today:
            raise ValueError(f"cannot go back to {day} from {self.now}")
        if day > self.today or self.now.astimezone(SHANGHAI).time() < OPEN:
            at = office_time(self.rng, day)
        else:
            at = self.now + timedelta(minutes=self.rng.randint(5, 90))
            last = local(day, 23, 59, 59)
            if at > last:
                at = self.now + (last - self.now) / 2
        if at <= self.now:
            at = self.now + timedelta(seconds=1)
        self.now = at
        return at

    def after(self, n: int) -> datetime:
        """Office hours of the n-th working day after today; n = 0: the next office hour
        (later today if the office is still open, else the next working day)."""
        if n <= 0:
            local_now = self.now.astimezone(SHANGHAI).time()
            if self.cal.is_working_day(self.today) and local_now < CLOSE:
                return self.on(self.today)
            return self.on(self.working_day(1))
        return self.on(self.working_day(n))

    def between(self, first: date, last: date) -> datetime:
        """Office hours of a random working day in ``[first, last]`` (``first`` if none)."""
        first = max(first, self.today)
        days = working_days(self.cal, first, last)[:60]
        if days:
            return self.on(self.rng.choice(days))
        return self.on(first if first <= last else max(last, self.today))

    def expiry_after(self, due: date) -> datetime:
        """Just after 24:00 of ``due``: when the sweeper records that a limit ran out."""
        at = local(due + timedelta(days=1), 0, self.rng.randint(0, 4), self.rng.randrange(60))
        if at <= self.now:
            raise ValueError(f"expiry at {at} is not after {self.now}")
        self.now = at
        return at

    def hours_after(self, base: datetime, hours: float) -> datetime:
        """``base`` plus ``hours`` (for hour limits); never before the cursor."""
        at = max(base + timedelta(hours=hours), self.now + timedelta(minutes=1))
        self.now = at
        return at


def working_days(cal: WorkingCalendar, first: date, last: date) -> list[date]:
    """The working days in ``[first, last]``."""
    days, day = [], first
    while day <= last:
        if cal.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def days_limit(cal: WorkingCalendar, start: date, days: int) -> date:
    """The last day of a limit of ``days`` working days counted from ``start`` (T-2)."""
    return cal.add_working_days(start, days).due_date


class ReplyClock:
    """The 20-working-day reply limit (D-3) as the engine counts it, for planning only."""

    def __init__(self, cal: WorkingCalendar, start: date, days: int = 20) -> None:
        self.cal = cal
        self.deadline = Deadline("reply", "reply", "答复期限", Basis.WORKING_DAYS, days, start)

    def due(self) -> date:
        """The last day as the limit stands now: ``Deadline.compute``'s count, without its
        zh-CN explanation (the planner asks this thousands of times a second)."""
        d = self.deadline
        assert d.open_pause is None, "paused: resume before asking the due date"
        if d.override_due is not None:
            return d.override_due
        assert d.start_date is not None
        pauses = tuple(Pause(p.start, p.end) for p in d.pauses if p.end is not None)
        return self.cal.add_working_days(d.start_date, d.amount + d.extension_days, pauses).due_date

    def pause(self, on: date) -> None:
        self.deadline.pause(on, "planned")

    def resume(self, on: date) -> None:
        self.deadline.resume(on)

    def restart(self, on: date) -> None:
        self.deadline.restart(on)

    def extend(self, days: int) -> None:
        self.deadline.extension_days = days

    def override(self, due: date) -> None:
        self.deadline.override_due = due
