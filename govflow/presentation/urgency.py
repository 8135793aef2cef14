"""How pressing a deadline looks in a list: the badge beside a case in "my queue".

Drawn from the deadline as the reading use cases computed it (``DeadlineView``): the
working days left after today, overdue, paused. Nothing is counted here; this only
names the band a case falls in, the same on every screen that shows one.
"""

from __future__ import annotations

from dataclasses import dataclass

from govflow.workflow.views import DeadlineView


@dataclass(frozen=True)
class Urgency:
    css: str  # a class of the web's stylesheet
    label: str  # what people read


OVERDUE = Urgency("overdue", "已逾期")
DUE_TODAY = Urgency("today", "今日到期")
WITHIN_TWO = Urgency("soon", "≤2个工作日")
WITHIN_FIVE = Urgency("near", "≤5个工作日")
PAUSED = Urgency("paused", "暂停计时")


def urgency(deadline: DeadlineView | None) -> Urgency | None:
    """The badge for a case's list deadline, or ``None`` when it needs no attention yet."""
    if deadline is None:
        return None
    if deadline.paused:
        return PAUSED
    if deadline.overdue:
        return OVERDUE
    left = deadline.working_days_left
    if left is None:
        return None
    if left <= 0:
        return DUE_TODAY
    if left <= 2:
        return WITHIN_TWO
    if left <= 5:
        return WITHIN_FIVE
    return None


# An hour limit (an incident's milestones) runs through nights and holidays: its bands are
# hours, not working days, and its time left is read in hours and minutes.
HOURS_OVERDUE = Urgency("overdue", "已超时")
WITHIN_AN_HOUR = Urgency("today", "<1小时")
WITHIN_SIX_HOURS = Urgency("soon", "<6小时")


def hour_urgency(deadline: DeadlineView | None) -> Urgency | None:
    """The badge for an hour limit, from the minutes the reading use case counted."""
    if deadline is None or deadline.minutes_left is None:
        return None
    if deadline.overdue or deadline.minutes_left < 0:
        return HOURS_OVERDUE
    if deadline.minutes_left < 60:
        return WITHIN_AN_HOUR
    if deadline.minutes_left < 6 * 60:
        return WITHIN_SIX_HOURS
    return None


def hours_minutes(deadline: DeadlineView | None) -> str:
    """ "还剩 3 小时 05 分" / "已超时 1 小时 20 分"; the deadline's own words when it has no
    minute count (a working-day limit, one not running)."""
    if deadline is None:
        return ""
    minutes = deadline.minutes_left
    if minutes is None:
        return deadline.time_left or deadline.status_label
    hours, rest = divmod(abs(minutes), 60)
    return f"{'还剩' if minutes >= 0 else '已超时'} {hours} 小时 {rest:02d} 分"
