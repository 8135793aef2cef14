"""How a limit is judged in the reports, whatever case it belongs to (SPEC R-2).

A limit is settled on the day it was met when on time, otherwise on its due day — met late,
lapsed, or still unmet at the report's instant; a breach names the department and the
handler. The timeliness report judges disclosure requests' reply limits this way, and the
declared types' limits (``other_limits``) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.deadlines import Deadline

UNASSIGNED = "未分配"


@dataclass(frozen=True)
class Breach:
    ref: str
    case_type: str  # disclosure_request | incident
    label: str  # the limit
    breached_on: date  # the Beijing day the limit ran out
    kind: str  # late | lapsed | overdue
    department: str
    handler: str  # a name, or 未分配
    type_label: str = ""  # a declared type's name (依申请公开 and 政务舆情 have their own)


def reply_outcome(reply: Deadline, now: datetime) -> tuple[str, date] | None:
    """(on_time | late | lapsed | overdue, the day it was settled); None while undecided.

    Cancelled limits are the caller's business: their day is the case's closure day.
    """
    if reply.status is DeadlineStatus.MET and reply.met_on is not None:
        return "on_time", reply.met_on
    if reply.due_date is None:
        return None
    if reply.status is DeadlineStatus.BREACHED:
        return ("lapsed" if reply.lapsed_on is not None else "late"), reply.due_date
    if reply.is_overdue(now):
        return "overdue", reply.due_date
    return None
