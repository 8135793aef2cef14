"""The timeliness report's place for declared types' limits (双公示, 规范性文件公开, 县长信箱 …).

Each working-day limit of a type declared in configuration is judged as the report judges a
disclosure request's reply limit (``limits.reply_outcome``): settled on the day it was
met when on time, else on its due day (late, lapsed or still unmet at ``now``); a cancelled
limit is counted on neither side. Counts go by type and limit; every breach settled in the
period joins the report's breaches, by department and handler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.reports.limits import UNASSIGNED, Breach, reply_outcome


@dataclass(frozen=True)
class DeclaredLimit:
    """One limit of one case of a declared type."""

    ref: str
    case_type: str
    type_label: str
    department: str  # the agency's name
    handler: str | None  # the assignee's name
    deadline: Deadline


@dataclass(frozen=True)
class LimitShare:
    case_type: str
    type_label: str
    label: str  # the limit's label
    amount: int  # working days (the last seen, for the heading)
    on_time: int
    late: int
    overdue: int
    running: int  # started in the period, not yet due
    decided: int
    rate: float | None


def other_limits(
    has: Callable[[date], bool], now: datetime, limits: Iterable[DeclaredLimit]
) -> tuple[list[LimitShare], list[Breach]]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    labels: dict[tuple[str, str], tuple[str, str, int]] = {}
    breaches: list[Breach] = []
    for item in limits:
        d = item.deadline
        key = (item.case_type, d.key)
        labels[key] = (item.type_label, d.label, d.amount)
        tally = counts.setdefault(key, {})
        if d.status is DeadlineStatus.CANCELLED:
            continue
        outcome = reply_outcome(d, now)
        if outcome is None:
            if d.start_date is not None and has(d.start_date):
                tally["running"] = tally.get("running", 0) + 1
            continue
        kind, day = outcome
        if not has(day):
            continue
        kind = "overdue" if kind == "lapsed" else kind
        tally[kind] = tally.get(kind, 0) + 1
        if kind != "on_time":
            breaches.append(
                Breach(item.ref, item.case_type, d.label, day, kind, item.department,
                       item.handler or UNASSIGNED, item.type_label)
            )  # fmt: skip
    shares = []
    for key in sorted(counts):
        c = counts[key]
        on_time, late, overdue = (c.get(k, 0) for k in ("on_time", "late", "overdue"))
        decided = on_time + late + overdue
        type_label, label, amount = labels[key]
        shares.append(
            LimitShare(key[0], type_label, label, amount, on_time, late, overdue,
                       c.get("running", 0), decided, on_time / decided if decided else None)
        )  # fmt: skip
    return shares, breaches
