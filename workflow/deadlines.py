"""Deadlines (期限): one per legal obligation of a case, derived from its events.

A ``Deadline`` holds what the events said (basis, start, pauses, extension, a D-7
date, when it was met or cancelled, what moved nothing: ``notes``) and ``compute`` turns
that into the due instant and the status using the working calendar; the zh-CN
explanation of the date is written only when someone reads it (``explanation``,
``explain``). Nothing here reads the clock: "breached by now" is a question asked with an
instant (``is_overdue``), so the stored row is a pure function of the events (SPEC T-3).

Its plain-data forms (the event snapshot, the stored row, the state kept with the case's
facts) are ``deadline_forms``, mixed in; the words it is made of (basis, status, pause)
are ``deadline_terms``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from govflow.workflow import texts
from govflow.workflow.calendar import Pause, WorkingCalendar
from govflow.workflow.clock import SHANGHAI, end_of_day, local_date
from govflow.workflow.deadline_forms import DeadlineForms
from govflow.workflow.deadline_terms import STATUS_LABELS, Basis, DeadlineStatus, PauseSpan


@dataclass
class Deadline(DeadlineForms):
    """One limit of one case.

    ``optional``: a limit on a step the office *may* take rather than one it must (the
    correction notice of D-4: only an unclear request needs one). Once it passes unused
    the step can no longer be taken and nothing is breached: it stops running at its due
    instant (``is_running_at``), is never overdue, and is never warned about after that.
    """

    key: str
    kind: str
    label: str
    basis: Basis
    amount: int
    start_date: date | None = None
    start_at: datetime | None = None
    pauses: list[PauseSpan] = field(default_factory=list)
    extension_days: int = 0
    override_due: date | None = None
    override_reason: str | None = None
    override_basis: str | None = None  # the article that allows the later date (Art. 35 of 2019)
    met_on: date | None = None
    met_at: datetime | None = None
    cancelled_reason: str | None = None
    lapsed_on: date | None = None
    restarts: int = 0
    fixed_due_at: datetime | None = None
    # The rule and the edition it comes from, as people read it: "依据《条例》(2019) 第三十三条：…"
    legal_basis: str | None = None
    start_note: str | None = None  # why the count starts where it does (a delivery date, …)
    # What the events said about the limit that moved nothing, as people read it (an
    # extension approved after the limit had passed): the last lines of the explanation.
    notes: tuple[str, ...] = ()
    optional: bool = False
    # derived by compute()
    due_date: date | None = None
    due_at: datetime | None = None
    status: DeadlineStatus = DeadlineStatus.RUNNING
    provisional: bool = False
    # The calendar of the last ``compute`` (the explanation is written with it when read),
    # or the explanation as a stored row recorded it (``from_json``).
    calendar: WorkingCalendar | None = field(default=None, repr=False, compare=False)
    stored_explanation: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def open_pause(self) -> PauseSpan | None:
        return next((p for p in self.pauses if p.end is None), None)

    def pause(self, on: date, reason: str) -> None:
        if self.open_pause is None:
            self.pauses.append(PauseSpan(on, None, reason))

    def resume(self, on: date) -> None:
        span = self.open_pause
        if span is not None:
            span.end = max(on, span.start)

    def restart(self, on: date) -> None:
        """补正后重新起算 (D-4): the start day is replaced and earlier pauses no longer matter.

        A D-7 date set before the correction replaced the old statutory limit, not the
        restarted one: it is dropped, or it could fall before the new 20 working days.
        """
        self.start_date = on
        self.pauses = []
        self.override_due = self.override_reason = self.override_basis = None
        self.restarts += 1

    def meet(self, on: date, at: datetime) -> None:
        self.met_on, self.met_at = on, at

    def cancel(self, reason: str) -> None:
        if self.is_open:
            self.cancelled_reason = reason

    def lapse(self, on: date) -> None:
        """The limit ran out with the obligation unmet (recorded by an expiry action)."""
        if self.is_open:
            self.lapsed_on = on

    @property
    def is_open(self) -> bool:
        """Neither met, cancelled nor lapsed: the obligation still stands."""
        return self.met_on is None and self.cancelled_reason is None and self.lapsed_on is None

    def compute(self, calendar: WorkingCalendar) -> Deadline:
        """Fill the derived fields; returns self for chaining."""
        self.calendar, self.stored_explanation = calendar, None
        if self.basis is Basis.HOURS:
            self._compute_hours()
        elif self.basis is Basis.FIXED:
            self._compute_fixed()
        else:
            self._compute_working_days(calendar)
        self.status = self._status()
        return self

    def _compute_working_days(self, calendar: WorkingCalendar) -> None:
        assert self.start_date is not None
        if self.open_pause is not None and self.is_open:
            self.due_date = self.due_at = None
            self.provisional = False
            return
        count = calendar.add_working_days(
            self.start_date, self.amount + self.extension_days, self._closed()
        )
        self.due_date = count.due_date
        self.provisional = count.provisional
        if self.override_due is not None:
            self.due_date = self.override_due
            self.provisional = calendar.is_provisional_between(self.start_date, self.override_due)
        self.due_at = end_of_day(self.due_date)

    def _compute_hours(self) -> None:
        assert self.start_at is not None
        self.due_at = self.start_at + timedelta(hours=self.amount)
        self.due_date = None
        self.provisional = False

    def _compute_fixed(self) -> None:
        assert self.fixed_due_at is not None
        self.due_at, self.due_date, self.provisional = self.fixed_due_at, None, False

    @property
    def explanation(self) -> list[str]:
        """Why the due date is what it is, in zh-CN (written now, with the calendar of the
        last ``compute``; a deadline read back from a stored row has the row's text)."""
        if self.stored_explanation is not None:
            return list(self.stored_explanation)
        return self.explain(self.calendar) if self.calendar is not None else []

    def explain(self, calendar: WorkingCalendar) -> list[str]:
        """The explanation of the due date on ``calendar``, one zh-CN line per step; the
        rule it comes from first, when the deadline names one."""
        lines = self._explain(calendar)
        if self.start_note:
            lines.insert(0, self.start_note)
        if self.legal_basis:
            lines.insert(0, f"{self.legal_basis}。")
        lines.extend(self.notes)
        if self.status is DeadlineStatus.CANCELLED and self.cancelled_reason:
            lines.append(texts.cancelled_because(self.cancelled_reason))
        return lines

    def _explain(self, calendar: WorkingCalendar) -> list[str]:
        if self.basis is Basis.HOURS:
            assert self.start_at is not None
            start = self.start_at.astimezone(SHANGHAI)
            due = (self.start_at + timedelta(hours=self.amount)).astimezone(SHANGHAI)
            return [
                f"自 {start:%Y-%m-%d %H:%M}（北京时间）起连续计算 {self.amount} 小时，"
                f"夜间、周末、节假日照常计算，至 {due:%Y-%m-%d %H:%M} 届满。"
            ]
        if self.basis is Basis.FIXED:
            assert self.fixed_due_at is not None
            due = self.fixed_due_at.astimezone(SHANGHAI)
            return [
                f"须于 {due:%Y-%m-%d %H:%M}（北京时间）前完成：时点由来文确定，不因夜间、节假日顺延。"
            ]
        assert self.start_date is not None
        if self.open_pause is not None and self.is_open:
            span = self.open_pause
            used = calendar.working_days_between(self.start_date, span.start, self._closed())
            total = self.amount + self.extension_days
            return [
                f"自 {span.start.isoformat()} 起中止计算（{span.reason}），"
                f"已用 {used} 个工作日，剩余 {max(total - used, 0)} 个工作日，恢复计算后重新确定届满日。"
            ]
        count = calendar.add_working_days(
            self.start_date, self.amount + self.extension_days, self._closed()
        )
        lines = count.explain(calendar)
        if self.extension_days:
            lines.append(f"经批准延长 {self.extension_days} 个工作日，已计入上述天数。")
        if self.override_due is not None:
            lines.append(
                f"{self.override_basis or ''}另行确定答复期限至 {self.override_due.isoformat()}"
                f"（理由：{self.override_reason}），取代法定期限。"
            )
        return lines

    def _closed(self) -> tuple[Pause, ...]:
        return tuple(Pause(p.start, p.end) for p in self.pauses if p.end is not None)

    def _status(self) -> DeadlineStatus:
        if self.cancelled_reason is not None:
            return DeadlineStatus.CANCELLED
        if self.lapsed_on is not None:
            return DeadlineStatus.BREACHED
        if self.met_on is not None:
            late = self.due_date is not None and self.met_on > self.due_date
            if self.basis is not Basis.WORKING_DAYS and self.met_at and self.due_at:
                late = self.met_at > self.due_at
            return DeadlineStatus.BREACHED if late else DeadlineStatus.MET
        if self.due_at is None:
            return DeadlineStatus.PAUSED
        return DeadlineStatus.RUNNING

    def is_overdue(self, now: datetime) -> bool:
        """Running past its due instant: a breach in the making (never for an optional limit)."""
        return (
            self.status is DeadlineStatus.RUNNING
            and not self.optional
            and self.due_at is not None
            and now > self.due_at
        )

    def is_running_at(self, now: datetime) -> bool:
        """Still counting at ``now``: running, and not an optional limit that has passed.

        What warnings and escalations may fire for (an overdue obligation still runs: its
        escalations repeat until it is met).
        """
        if self.status is not DeadlineStatus.RUNNING or self.due_at is None:
            return False
        return not (self.optional and now >= self.due_at)

    def status_label(self, now: datetime) -> str:
        """The status as people read it at ``now``; empty when the time left says it all
        (an overdue obligation reads "已超期 3 个工作日")."""
        if self.is_overdue(now):
            return ""
        if self.status is DeadlineStatus.RUNNING and not self.is_running_at(now):
            return texts.WINDOW_CLOSED
        return STATUS_LABELS[self.status]

    def time_left(
        self, calendar: WorkingCalendar, now: datetime, days_left: int | None = None
    ) -> str:
        """还剩 / 已超期 in the limit's own unit, as people read it; empty unless running.

        A working-day limit ends at 24:00 of its last day: from that instant it is overdue
        by at least one working day. ``days_left``: ``working_days_left`` at ``now`` when
        the caller has counted it already.
        """
        if self.status is DeadlineStatus.PAUSED:
            return texts.PAUSED
        if self.status is not DeadlineStatus.RUNNING or self.due_at is None:
            return ""
        if not self.is_running_at(now):
            return texts.WINDOW_UNUSED
        if self.basis is not Basis.WORKING_DAYS or self.due_date is None:
            return texts.hours_left((self.due_at - now).total_seconds() / 3600)
        if days_left is None:
            days_left = self.working_days_left(calendar, now)
        if now >= self.due_at:  # past 24:00 of the last day: its day is over, so at least 1
            return texts.working_days_overdue(max(-(days_left or 0), 1))
        return texts.working_days_left(days_left or 0)

    def working_days_left(self, calendar: WorkingCalendar, now: datetime) -> int | None:
        """Working days left after today (negative: working days overdue); None when not running."""
        if not self.is_running_at(now) or self.due_date is None:
            return None
        today = local_date(now)
        if today <= self.due_date:
            return calendar.working_days_between(today, self.due_date)
        return -calendar.working_days_between(self.due_date, today)
