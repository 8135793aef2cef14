"""Periodic reports over a declared case type (县长信箱 一日一清单、一月一汇总、一季一通报): no I/O.

A report is declared with its type (``reports:`` in the declaration, ``ReportSpec``): a
kind, a period and the limit it judges. The rules, for the period ``start``…``end`` (Beijing
dates, both included) and the report instant ``now``:

- a case is **received** in the period when the day its limit counts from (the date the
  user entered: 来信日期) falls in it — the day it was registered when the limit has not
  started;
- a limit is **settled** in the period as the timeliness report settles a reply limit
  (``timeliness.reply_outcome``): met on time on the day it was met; met late, or still
  unmet past its due instant at ``now``, on its due day; so a late reply stays in the
  period where the limit was missed;
- **open** cases are those in a state before the end (the declaration's ``open``), at ``now``.

``list`` shows the cases received in the period and every open case with its time left;
``summary`` counts received, on time, late, overdue and open, with the on-time rate, in
total and by the ``group_by`` field; ``bulletin`` adds every breach settled in the period,
by handler and by department (the 承办单位 field when the case has one, else its agency).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.casetype import CaseType
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.declaration import ReportSpec
from govflow.workflow.errors import InvalidInput
from govflow.workflow.reports.limits import UNASSIGNED, reply_outcome
from govflow.workflow.reports.years import check_day

NO_GROUP = "未分类"


@dataclass(frozen=True)
class CaseRecord:
    """One case of the type as the report sees it."""

    ref: str
    state: str
    is_open: bool
    registered_on: date
    agency: str  # the agency's name
    handler: str | None  # the assignee's name
    fields: dict[str, Any]  # the creation action's fields, and later values of the same names
    deadline: Deadline | None  # the limit the report judges

    @property
    def received_on(self) -> date:
        if self.deadline is not None and self.deadline.start_date is not None:
            return self.deadline.start_date
        return self.registered_on

    @property
    def department(self) -> str:
        return str(self.fields.get("department") or self.agency)


@dataclass(frozen=True)
class ListRow:
    ref: str
    received_on: date
    columns: tuple[str, ...]  # the declared columns, choices by their Chinese names
    state: str  # the state's Chinese name
    due_date: date | None
    status: str  # the deadline's status code
    time_left: str
    handler: str


@dataclass(frozen=True)
class Tally:
    name: str
    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0  # open at ``now``

    @property
    def rate(self) -> float | None:
        decided = self.on_time + self.late + self.overdue
        return self.on_time / decided if decided else None


@dataclass(frozen=True)
class BreachRow:
    ref: str
    received_on: date
    due_date: date
    kind: str  # late | overdue
    handler: str
    department: str


@dataclass
class PeriodicReport:
    case_type: str
    type_label: str
    spec: ReportSpec
    agency: str
    start: date
    end: date
    now: datetime
    column_labels: tuple[str, ...] = ()
    received: list[ListRow] = field(default_factory=list)
    open_cases: list[ListRow] = field(default_factory=list)
    total: Tally = Tally("合计")
    groups: list[Tally] = field(default_factory=list)
    breaches: list[BreachRow] = field(default_factory=list)
    by_handler: list[tuple[str, int]] = field(default_factory=list)
    by_department: list[tuple[str, int]] = field(default_factory=list)
    # Drawn although ``audit verify`` has open findings in the agencies covered: what the
    # report must say about itself (the rows it counts may be forged). None: verified clean.
    audit_note: str | None = None


def period_containing(period: str, text: str) -> tuple[date, date]:
    """The day, month or quarter a user names: ``2025-10-09`` (the period containing that
    day), ``2025-10`` (a month) or ``2025Q4`` (a quarter)."""
    text = text.strip()
    try:
        if "Q" in text.upper():
            year, quarter = text.upper().split("Q")
            first = date(int(year), 3 * (int(quarter) - 1) + 1, 1)
        elif len(text) == 7:
            first = date.fromisoformat(f"{text}-01")
        else:
            first = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"统计期间 {text!r} 无效（应为 YYYY-MM-DD、YYYY-MM 或 YYYYQn，如 2025-10-09、2025-10、2025Q4）"
        ) from None
    # Before the month or quarter is worked out: December 9999 has no next month to end it.
    check_day(first, "period", "统计期间")
    if period == "day":
        return first, first
    month = first.month if period == "month" else 3 * ((first.month - 1) // 3) + 1
    start = date(first.year, month, 1)
    months = 1 if period == "month" else 3
    nxt = date(
        start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1
    )
    return start, nxt - timedelta(days=1)


def _settled(d: Deadline | None, now: datetime) -> tuple[str, date] | None:
    if d is None or d.status is DeadlineStatus.CANCELLED:
        return None
    outcome = reply_outcome(d, now)
    if outcome is None:
        return None
    kind, day = outcome
    return ("overdue" if kind == "lapsed" else kind), day


def _row(
    case_type: CaseType, spec: ReportSpec, r: CaseRecord, calendar: WorkingCalendar, now: datetime
) -> ListRow:
    fields = {f.name: f for f in case_type.create_action.fields}
    cells = []
    for name in spec.columns:
        value = r.fields.get(name, "")
        choices = dict(fields[name].choices)
        cells.append(str(choices.get(value, value)))
    d = r.deadline
    return ListRow(
        r.ref,
        r.received_on,
        tuple(cells),
        case_type.state_label(r.state),
        d.due_date if d else None,
        d.status.value if d else "",
        d.time_left(calendar, now) if d else "",
        r.handler or UNASSIGNED,
    )


def _count(counts: dict[str, dict[str, int]], name: str, key: str) -> None:
    counts.setdefault(name, {})
    counts[name][key] = counts[name].get(key, 0) + 1


def periodic_report(
    case_type: CaseType,
    spec: ReportSpec,
    agency: str,
    start: date,
    end: date,
    now: datetime,
    calendar: WorkingCalendar,
    records: Iterable[CaseRecord],
) -> PeriodicReport:
    if start > end:
        raise InvalidInput(f"统计起始日 {start.isoformat()} 晚于截止日 {end.isoformat()}")
    fields = {f.name: f for f in case_type.create_action.fields}
    report = PeriodicReport(
        case_type.name, case_type.label, spec, agency, start, end, now,
        tuple(fields[c].label for c in spec.columns),
    )  # fmt: skip
    choices = dict(fields[spec.group_by].choices) if spec.group_by else {}
    counts: dict[str, dict[str, int]] = {}
    handlers: dict[str, int] = {}
    departments: dict[str, int] = {}
    for r in records:
        group = str(choices.get(r.fields.get(spec.group_by or ""), NO_GROUP))
        if start <= r.received_on <= end:
            report.received.append(_row(case_type, spec, r, calendar, now))
            for name in ("合计", group):
                _count(counts, name, "received")
        if r.is_open:
            report.open_cases.append(_row(case_type, spec, r, calendar, now))
            for name in ("合计", group):
                _count(counts, name, "open")
        settled = _settled(r.deadline, now)
        if settled is None or not start <= settled[1] <= end:
            continue
        kind, day = settled
        for name in ("合计", group):
            _count(counts, name, kind)
        if kind != "on_time":
            handler = r.handler or UNASSIGNED
            report.breaches.append(
                BreachRow(r.ref, r.received_on, day, kind, handler, r.department)
            )
            handlers[handler] = handlers.get(handler, 0) + 1
            departments[r.department] = departments.get(r.department, 0) + 1
    report.received.sort(key=lambda x: (x.received_on, x.ref))
    report.open_cases.sort(key=lambda x: (x.due_date or date.max, x.ref))
    report.breaches.sort(key=lambda b: (b.due_date, b.ref))
    report.total = Tally("合计", **counts.get("合计", {}))
    names = [label for _, label in fields[spec.group_by].choices] if spec.group_by else []
    report.groups = [Tally(name, **counts[name]) for name in [*names, NO_GROUP] if name in counts]
    report.by_handler = sorted(handlers.items(), key=lambda x: (-x[1], x[0]))
    report.by_department = sorted(departments.items(), key=lambda x: (-x[1], x[0]))
    return report


def period_label(spec: ReportSpec, start: date, end: date) -> str:
    """统计期间 as people write it: 2025-10-09 / 2025年10月 / 2025年第4季度."""
    if spec.period == "day":
        return start.isoformat()
    if spec.period == "month":
        return f"{start.year}年{start.month}月"
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
