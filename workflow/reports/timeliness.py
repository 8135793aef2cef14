"""Timeliness statistics (SPEC R-2, 办理时效统计): rows in, a ``TimelinessReport`` out, no I/O.

What is counted, for one agency (or it and those below it), a period of Beijing dates
``start``…``end`` (both days included) and the report instant ``now`` (the injected
clock; not capped at the period's end, so "overdue" and "time left" are as of now):

- **On-time replies** (依申请公开按期答复率). Each request's Art. 33 reply limit (the
  deadline ``reply``) counts in the period of the day its outcome was settled: the reply
  day when it was met on time; otherwise the day the limit ran out (its due date) —
  whether the reply came late or has not come at all by ``now``. A late reply therefore
  stays in the period where the limit was missed, whenever the report is run. Rate =
  on time ÷ (on time + late + overdue). A limit cancelled by a withdrawal or a closure
  (逾期不补正, 逾期未缴费) is counted on its closure day and shown, but left out of the
  rate — even when the closure came after the limit had passed (the deadline records no
  breach then).
- **Handling time** (办理用时), in working days, for the replies given in the period
  (reply day in the period, on time or late): the working days after the limit's start
  day (the receipt date, or the day a correction arrived, 补正后重新起算) up to and including
  the reply day, less the paused days (征求意见, 待缴费: 中止计算), counted by
  ``WorkingCalendar.working_days_between`` exactly as the limit itself is. Mean; median
  (the mean of the two middle values for an even count); 90th percentile by the
  nearest-rank rule (the smallest value with at least 90 % of the values at or below it).
- **Open requests by time left** (在办申请按剩余时间), a snapshot at ``now`` whatever the
  period: requests in a state before the reply, bucketed by their reply limit with
  ``Deadline.is_overdue`` and ``Deadline.working_days_left``; paused limits and requests
  whose receipt is not yet confirmed (no limit running) have buckets of their own.
- **Breaches** (超期), dated by the day the limit ran out, within the period: reply limits
  met late or running past their due instant at ``now``, and every entry of the incidents'
  accountability list (I-4: milestones and supervision letters). The correction-notice
  limit is not among them — the engine refuses a late notice, the office just may no
  longer ask for a correction — nor are the periods that bind others (补正, 缴费,
  征求意见). Grouped by department — the request's agency; for an incident, its lead
  department (牵头部门) at the breach, else its agency — and by handler — the request's
  current assignee, the incident's handler at the breach; 未分配 when there is none.
- **Other limits** (其他限时工作): every working-day limit of the types declared in
  configuration (双公示, 规范性文件公开, 政策解读方案, 县长信箱, 网民留言 …) judged like a
  reply limit, by type and limit (``other_limits``); their breaches join the list above.
- **Incident response times** (政务舆情回应时效), for incidents detected in the period: per
  milestone (5 h statement, 24 h press conference, 48 h response — whatever the grade
  table gave), how many were met within the limit, met late, overdue (past the limit at
  ``now``, or archived unmet), still running, or cancelled (by a change of grade, or
  archived before the limit); share = within ÷ (within + late + overdue).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from govflow.workflow.calendar import Pause, WorkingCalendar
from govflow.workflow.clock import local_date
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.errors import InvalidInput
from govflow.workflow.reports.limits import UNASSIGNED, Breach, reply_outcome
from govflow.workflow.reports.other_limits import DeclaredLimit, LimitShare, other_limits

if TYPE_CHECKING:
    from govflow.workflow.services.incidents import AccountabilityEntry

DISCLOSURE = "disclosure_request"
INCIDENT = "incident"
CASE_TYPE_LABELS = {DISCLOSURE: "依申请公开", INCIDENT: "政务舆情"}

# Open requests by time left: key and label, in the order they are shown.
BUCKETS: tuple[tuple[str, str], ...] = (
    ("overdue", "已超期"),
    ("due_today", "今日届满"),
    ("1_3", "剩余 1–3 个工作日"),
    ("4_10", "剩余 4–10 个工作日"),
    ("over_10", "剩余超过 10 个工作日"),
    ("paused", "暂停计时（中止计算）"),
    ("not_started", "未起算（待确认收到申请）"),
)


@dataclass(frozen=True)
class RequestLimits:
    """One disclosure request as this report sees it."""

    ref: str
    department: str  # the agency's name
    handler: str | None  # the assignee's name
    is_open: bool  # in a state before the reply (SPEC D-9)
    reply: Deadline | None  # None until the receipt is confirmed
    closed_on: date | None = None  # withdrawal or closure day: when the reply limit was cancelled


@dataclass(frozen=True)
class MilestoneRecord:
    """One hour limit of one incident, counted from its detection instant (SPEC I-1)."""

    ref: str
    deadline: Deadline


@dataclass(frozen=True)
class ReplyTally:
    on_time: int
    late: int  # replied after the limit
    overdue: int  # not replied, the limit passed by ``now`` (or lapsed)
    cancelled: int  # withdrawn or closed: counted, outside the rate
    decided: int  # on time + late + overdue
    rate: float | None  # on time ÷ decided

    @classmethod
    def of(cls, on_time: int, late: int, overdue: int, cancelled: int) -> ReplyTally:
        decided = on_time + late + overdue
        return cls(
            on_time, late, overdue, cancelled, decided, on_time / decided if decided else None
        )


@dataclass(frozen=True)
class HandlingTime:
    """Working days per reply given in the period, and their mean, median and 90th percentile."""

    days: tuple[int, ...]  # sorted
    count: int
    mean: float | None
    median: float | None
    p90: int | None  # nearest rank

    @classmethod
    def of(cls, days: Iterable[int]) -> HandlingTime:
        ordered = tuple(sorted(days))
        if not ordered:
            return cls((), 0, None, None, None)
        median = float(statistics.median(ordered))
        return cls(
            ordered, len(ordered), statistics.fmean(ordered), median, nearest_rank(ordered, 90)
        )


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int
    refs: tuple[str, ...]


@dataclass(frozen=True)
class GroupCount:
    name: str
    disclosure: int
    incident: int
    total: int
    other: int = 0  # limits of declared types


@dataclass(frozen=True)
class MilestoneShare:
    key: str
    label: str
    hours: int
    within: int
    late: int
    overdue: int
    pending: int  # still running, not yet due
    cancelled: int  # no longer applies after a change of grade
    decided: int  # within + late + overdue
    share: float | None  # within ÷ decided

    @classmethod
    def of(cls, key: str, label: str, hours: int, counts: Mapping[str, int]) -> MilestoneShare:
        within, late, overdue = (counts.get(k, 0) for k in ("within", "late", "overdue"))
        decided = within + late + overdue
        return cls(
            key, label, hours, within, late, overdue, counts.get("pending", 0),
            counts.get("cancelled", 0), decided, within / decided if decided else None,
        )  # fmt: skip


@dataclass
class TimelinessReport:
    agency: str
    start: date
    end: date
    now: datetime
    replies: ReplyTally
    handling: HandlingTime
    open_requests: list[Bucket]
    breaches: list[Breach]
    by_department: list[GroupCount]
    by_handler: list[GroupCount]
    incidents_detected: int
    milestones: list[MilestoneShare]
    accountability: list[AccountabilityEntry] = field(default_factory=list)
    other_limits: list[LimitShare] = field(default_factory=list)
    # Drawn although ``audit verify`` has open findings in the agencies covered: what the
    # report must say about itself (the rows it counts may be forged). None: verified clean.
    audit_note: str | None = None


# -- the pieces, each testable on its own ------------------------------------------------


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The nearest-rank percentile: the value at rank ⌈percent/100 × n⌉ of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


def handling_days(reply: Deadline, calendar: WorkingCalendar) -> int | None:
    """Working days from the limit's start day to the reply day, paused days excluded."""
    if reply.met_on is None or reply.start_date is None:
        return None
    met = reply.met_on
    # A pause still open at the reply (the engine allows none) is taken to end with it.
    pauses = tuple(Pause(p.start, max(p.end or met, p.start)) for p in reply.pauses)
    return calendar.working_days_between(reply.start_date, met, pauses)


def time_left_bucket(
    reply: Deadline | None, calendar: WorkingCalendar, now: datetime
) -> str | None:
    """The bucket key of an open request; None when its reply limit no longer runs."""
    if reply is None:
        return "not_started"
    if reply.status is DeadlineStatus.PAUSED:
        return "paused"
    if reply.is_overdue(now):
        return "overdue"
    left = reply.working_days_left(calendar, now)
    if left is None:
        return None
    if left <= 0:
        return "due_today"
    return "1_3" if left <= 3 else "4_10" if left <= 10 else "over_10"


def _milestone_result(d: Deadline, now: datetime) -> str:
    if d.status is DeadlineStatus.MET:
        return "within"
    if d.status is DeadlineStatus.BREACHED:  # met late, or never met before the archive
        return "late" if d.lapsed_on is None else "overdue"
    if d.status is DeadlineStatus.CANCELLED:
        return "cancelled"
    return "overdue" if d.is_overdue(now) else "pending"


def _groups(breaches: list[Breach], attr: str) -> list[GroupCount]:
    counts: dict[str, dict[str, int]] = {}
    for b in breaches:
        per_type = counts.setdefault(getattr(b, attr), {})
        per_type[b.case_type] = per_type.get(b.case_type, 0) + 1
    groups = [
        GroupCount(
            name,
            c.get(DISCLOSURE, 0),
            c.get(INCIDENT, 0),
            sum(c.values()),
            sum(n for kind, n in c.items() if kind not in (DISCLOSURE, INCIDENT)),
        )
        for name, c in counts.items()
    ]
    return sorted(groups, key=lambda g: (-g.total, g.name))


# -- the report ----------------------------------------------------------------------------


def timeliness_report(
    agency: str,
    start: date,
    end: date,
    now: datetime,
    calendar: WorkingCalendar,
    requests: Iterable[RequestLimits],
    milestones: Iterable[MilestoneRecord],
    accountability: Iterable[AccountabilityEntry] = (),
    agency_names: Mapping[str, str] | None = None,
    declared: Iterable[DeclaredLimit] = (),
) -> TimelinessReport:
    """One pass over each kind of row; ``agency_names`` maps agency codes to names (the
    department of an incident that names no lead department)."""
    if start > end:
        raise InvalidInput(f"统计起始日 {start.isoformat()} 晚于截止日 {end.isoformat()}")
    period = _Period(start, end)
    tally, days, buckets, breaches = _requests(period, now, calendar, requests)
    listed = [e for e in accountability if period.has(local_date(e.due_at))]
    names = agency_names or {}
    breaches += [
        Breach(
            e.ref,
            INCIDENT,
            e.label,
            local_date(e.due_at),
            e.kind,
            e.lead_department or names.get(e.agency, e.agency),
            e.handler_name or UNASSIGNED,
        )
        for e in listed
    ]
    others, other_breaches = other_limits(period.has, now, declared)
    breaches += other_breaches
    breaches.sort(key=lambda b: (b.breached_on, b.ref, b.label))
    detected, shares = _milestone_shares(period, now, milestones)
    return TimelinessReport(
        agency=agency,
        start=start,
        end=end,
        now=now,
        replies=ReplyTally.of(**tally),
        handling=HandlingTime.of(days),
        open_requests=[
            Bucket(key, label, len(buckets[key]), tuple(buckets[key])) for key, label in BUCKETS
        ],
        breaches=breaches,
        by_department=_groups(breaches, "department"),
        by_handler=_groups(breaches, "handler"),
        incidents_detected=detected,
        milestones=shares,
        accountability=sorted(listed, key=lambda e: (e.due_at, e.ref)),
        other_limits=others,
    )


@dataclass(frozen=True)
class _Period:
    start: date
    end: date

    def has(self, day: date) -> bool:
        return self.start <= day <= self.end


def _requests(
    period: _Period, now: datetime, calendar: WorkingCalendar, requests: Iterable[RequestLimits]
) -> tuple[dict[str, int], list[int], dict[str, list[str]], list[Breach]]:
    """The reply tally, the handling times, the open requests by bucket, the reply breaches."""
    tally = {"on_time": 0, "late": 0, "overdue": 0, "cancelled": 0}
    days: list[int] = []
    buckets: dict[str, list[str]] = {key: [] for key, _ in BUCKETS}
    breaches: list[Breach] = []
    for r in requests:
        reply = r.reply
        if r.is_open:
            bucket = time_left_bucket(reply, calendar, now)
            if bucket is not None:
                buckets[bucket].append(r.ref)
        if reply is None:
            continue
        if reply.status is DeadlineStatus.CANCELLED:
            if r.closed_on is not None and period.has(r.closed_on):
                tally["cancelled"] += 1
            continue
        if reply.met_on is not None and period.has(reply.met_on):
            spent = handling_days(reply, calendar)
            if spent is not None:
                days.append(spent)
        outcome = reply_outcome(reply, now)
        if outcome is None or not period.has(outcome[1]):
            continue
        kind, day = outcome
        tally["overdue" if kind == "lapsed" else kind] += 1  # never replied
        if kind != "on_time":
            handler = r.handler or UNASSIGNED
            breaches.append(
                Breach(r.ref, DISCLOSURE, reply.label, day, kind, r.department, handler)
            )
    return tally, days, buckets, breaches


def _milestone_shares(
    period: _Period, now: datetime, milestones: Iterable[MilestoneRecord]
) -> tuple[int, list[MilestoneShare]]:
    """How many incidents were detected in the period, and each milestone's results."""
    detected: set[str] = set()
    counts: dict[tuple[int, str], dict[str, int]] = {}
    labels: dict[tuple[int, str], str] = {}
    for m in milestones:
        d = m.deadline
        if d.start_at is None or not period.has(local_date(d.start_at)):
            continue
        detected.add(m.ref)
        labels[d.amount, d.kind] = d.label
        results = counts.setdefault((d.amount, d.kind), {})
        result = _milestone_result(d, now)
        results[result] = results.get(result, 0) + 1
    shares = [
        MilestoneShare.of(kind, labels[hours, kind], hours, results)
        for (hours, kind), results in sorted(counts.items())
    ]
    return len(detected), shares
