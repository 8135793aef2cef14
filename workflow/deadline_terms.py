"""The words a deadline is made of: how it counts (``Basis``), where it stands
(``DeadlineStatus`` and its zh-CN ``STATUS_LABELS``) and a pause of its count
(``PauseSpan``).

Apart from ``deadlines`` because lists, reports, escalation and the API name these
without the arithmetic of a due date, and the stored forms (``deadline_forms``) parse
them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from govflow.workflow import texts


class Basis(StrEnum):
    WORKING_DAYS = "working_days"
    HOURS = "hours"
    FIXED = "fixed"  # a set instant (督办函's report-back time): ``start_at`` → ``fixed_due_at``


class DeadlineStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"


STATUS_LABELS = {status: texts.STATUS_LABELS[status.value] for status in DeadlineStatus}


@dataclass
class PauseSpan:
    """A pause (中止计算): days strictly after ``start`` up to and including ``end`` do not count."""

    start: date
    end: date | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "reason": self.reason,
        }
