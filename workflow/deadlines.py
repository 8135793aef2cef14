"""Deadlines (期限): one per legal obligation of a case, derived from its events.

A ``Deadline`` holds what the events said (basis, start, pauses, extension, a D-7
date, when it was met or cancelled) and ``compute`` turns that into the due
instant and the status using the working calendar; the zh-CN explanation of the
date is written only when someone reads it (``explanation``, ``explain``). Nothing
here reads the clock: "breached by now" is a question asked with an instant
(``is_overdue``), so the stored row is a pure function of the events (SPEC T-3).

``to_state`` / ``from_state`` are the plain-data form kept with the case's facts (what
an action loads instead of replaying the history): every field, the derived ones as
last computed, dates as ISO text, defaults left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from govflow.workflow import texts
from govflow.workflow.calendar import Pause, WorkingCalendar
from govflow.workflow.clock import SHANGHAI, end_of_day, local_date


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


@dataclass
class Deadline:
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

    def time_left(self, calendar: WorkingCalendar, now: datetime) -> str:
        """还剩 / 已超期 in the limit's own unit, as people read it; empty unless running.

        A working-day limit ends at 24:00 of its last day: from that instant it is overdue
        by at least one working day.
        """
        if self.status is DeadlineStatus.PAUSED:
            return texts.PAUSED
        if self.status is not DeadlineStatus.RUNNING or self.due_at is None:
            return ""
        if not self.is_running_at(now):
            return texts.WINDOW_UNUSED
        if self.basis is not Basis.WORKING_DAYS or self.due_date is None:
            return texts.hours_left((self.due_at - now).total_seconds() / 3600)
        today = local_date(now)
        if now >= self.due_at:
            overdue = max(calendar.working_days_between(self.due_date, today), 1)
            return texts.working_days_overdue(overdue)
        return texts.working_days_left(calendar.working_days_between(today, self.due_date))

    def working_days_left(self, calendar: WorkingCalendar, now: datetime) -> int | None:
        """Working days left after today (negative: working days overdue); None when not running."""
        if not self.is_running_at(now) or self.due_date is None:
            return None
        today = local_date(now)
        if today <= self.due_date:
            return calendar.working_days_between(today, self.due_date)
        return -calendar.working_days_between(self.due_date, today)

    def snapshot(self) -> dict[str, Any]:
        """The compact form kept in every event (A-1 "deadline snapshot")."""
        return {
            "due": self.due_at.isoformat() if self.due_at else None,
            "status": self.status.value,
            "provisional": self.provisional,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "basis": self.basis.value,
            "amount": self.amount,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "start_at": self.start_at.isoformat() if self.start_at else None,
            "pauses": [p.to_json() for p in self.pauses],
            "extension_days": self.extension_days,
            "override_due": self.override_due.isoformat() if self.override_due else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "status": self.status.value,
            "provisional": self.provisional,
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "cancelled_reason": self.cancelled_reason,
            "lapsed_on": self.lapsed_on.isoformat() if self.lapsed_on else None,
            "legal_basis": self.legal_basis,
            "optional": self.optional,
            "explanation": list(self.explanation),
        }

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Deadline:
        """The deadline as ``to_json`` stored it, derived fields as stored (nothing is
        recomputed: a stored row is the projection of the events). What the JSON leaves
        out (the instant a limit was met, the start instant of a fixed limit) stays empty."""

        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        def instant(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            key=stored["key"],
            kind=stored["kind"],
            label=stored["label"],
            basis=Basis(stored["basis"]),
            amount=stored["amount"],
            start_date=day(stored.get("start_date")),
            start_at=instant(stored.get("start_at")),
            pauses=[
                PauseSpan(date.fromisoformat(p["start"]), day(p.get("end")), p.get("reason", ""))
                for p in stored.get("pauses", [])
            ],
            extension_days=stored.get("extension_days", 0),
            override_due=day(stored.get("override_due")),
            met_on=day(stored.get("met_on")),
            cancelled_reason=stored.get("cancelled_reason"),
            lapsed_on=day(stored.get("lapsed_on")),
            legal_basis=stored.get("legal_basis"),
            optional=bool(stored.get("optional")),
            due_date=day(stored.get("due_date")),
            due_at=instant(stored.get("due_at")),
            status=DeadlineStatus(stored["status"]),
            provisional=bool(stored.get("provisional")),
            stored_explanation=list(stored.get("explanation", [])),
        )

    def copy(self) -> Deadline:
        return replace(
            self,
            pauses=[replace(p) for p in self.pauses],
            calendar=None,
            stored_explanation=None,
        )

    def to_state(self) -> dict[str, Any]:
        """Every field as plain data (derived ones as last computed); defaults left out."""
        state: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "basis": self.basis.value,
            "amount": self.amount,
            "status": self.status.value,
        }
        for name in _DATES:
            value = getattr(self, name)
            if value is not None:
                state[name] = value.isoformat()
        for name in _INSTANTS:
            value = getattr(self, name)
            if value is not None:
                state[name] = value.astimezone(UTC).isoformat()
        for name in (
            "override_reason",
            "override_basis",
            "cancelled_reason",
            "legal_basis",
            "start_note",
        ):
            value = getattr(self, name)
            if value is not None:
                state[name] = value
        if self.pauses:
            state["pauses"] = [
                [p.start.isoformat(), p.end.isoformat() if p.end else None, p.reason]
                for p in self.pauses
            ]
        if self.extension_days:
            state["extension_days"] = self.extension_days
        if self.restarts:
            state["restarts"] = self.restarts
        if self.provisional:
            state["provisional"] = True
        if self.optional:
            state["optional"] = True
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any], calendar: WorkingCalendar | None = None) -> Deadline:
        """The deadline ``to_state`` wrote; ``calendar`` writes its explanation when read."""
        deadline = cls(
            state["key"],
            state["kind"],
            state["label"],
            Basis(state["basis"]),
            state["amount"],
            status=DeadlineStatus(state["status"]),
            pauses=[
                PauseSpan(
                    date.fromisoformat(start), date.fromisoformat(end) if end else None, reason
                )
                for start, end, reason in state.get("pauses", ())
            ],
            extension_days=state.get("extension_days", 0),
            restarts=state.get("restarts", 0),
            provisional=state.get("provisional", False),
            optional=state.get("optional", False),
            override_reason=state.get("override_reason"),
            override_basis=state.get("override_basis"),
            cancelled_reason=state.get("cancelled_reason"),
            legal_basis=state.get("legal_basis"),
            start_note=state.get("start_note"),
            calendar=calendar,
        )
        for name in _DATES:
            value = state.get(name)
            if value is not None:
                setattr(deadline, name, date.fromisoformat(value))
        for name in _INSTANTS:
            value = state.get(name)
            if value is not None:
                setattr(deadline, name, datetime.fromisoformat(value))
        return deadline


_DATES = ("start_date", "override_due", "met_on", "lapsed_on", "due_date")
_INSTANTS = ("start_at", "met_at", "fixed_due_at", "due_at")
