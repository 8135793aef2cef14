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
