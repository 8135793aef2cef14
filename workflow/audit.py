"""Reading a case's history (SPEC A-3): each event with the deadlines as they stood after it.

``timeline`` is pure: events in, entries out. The deadlines after event *n* are rebuilt
by replaying events 1…n (``Case.replay`` over a prefix), and their time left is read at
that event's own instant, so a supervisor sees what the office saw at the time.
``case_timeline`` is the use case (loads the case and the actors' names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from govflow.workflow.actors import ROLE_LABELS, Role
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.deadlines import STATUS_LABELS, Basis, Deadline, DeadlineStatus
from govflow.workflow.events import CaseEvent

SYSTEM_ACTION_LABELS = {
    "deadlines_recomputed": "节假日安排更新，重新计算期限",
    "escalation_policy_adopted": "变更督办规则",
}


@dataclass(frozen=True)
class DeadlineAt:
    """One deadline as it stood right after an event, read at that event's instant."""

    key: str
    label: str
    basis: str
    due_at: datetime | None
    due: str  # zh-CN: "2025-10-20 24:00" for a working-day limit, else the local instant
    status: str
    status_label: str
    time_left: str  # Deadline.time_left at the event's instant ("还剩 12 个工作日", "暂停计时")
    working_days_left: int | None
    hours_left: float | None
    paused: bool
    provisional: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "basis": self.basis,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "due": self.due,
            "status": self.status,
            "status_label": self.status_label,
            "time_left": self.time_left,
            "working_days_left": self.working_days_left,
            "hours_left": self.hours_left,
            "paused": self.paused,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    occurred_at: datetime
    actor: str
    actor_name: str
    actor_role: str
    role_label: str
    action: str
    action_label: str
    state_before: str | None
    state_before_label: str
    state_after: str
    state_after_label: str
    payload: dict[str, Any]  # the action's data as recorded (mask before showing)
    reason: str | None
    deadlines: list[DeadlineAt]
    hash: str

    @property
    def local_time(self) -> str:
        return self.occurred_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def deadline_at(d: Deadline, calendar: WorkingCalendar, at: datetime) -> DeadlineAt:
    if d.due_date is not None:
        due = f"{d.due_date.isoformat()} 24:00"
    elif d.due_at is not None:
        due = d.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    else:
        due = "—"
    running = d.status is DeadlineStatus.RUNNING and d.due_at is not None
    hours = None
    if running and d.basis is not Basis.WORKING_DAYS and d.due_at is not None:
        hours = round((d.due_at - at).total_seconds() / 3600, 1)
    return DeadlineAt(
        key=d.key,
        label=d.label,
        basis=d.basis.value,
        due_at=d.due_at,
        due=due,
        status=d.status.value,
        status_label=STATUS_LABELS[d.status],
        time_left=d.time_left(calendar, at),
        working_days_left=(
            d.working_days_left(calendar, at) if d.basis is Basis.WORKING_DAYS else None
        ),
        hours_left=hours,
        paused=d.status is DeadlineStatus.PAUSED,
        provisional=d.provisional,
    )


def timeline(
    header: Case,
    events: Sequence[CaseEvent],
    calendar: WorkingCalendar,
    names: Mapping[str, str] | None = None,
) -> list[TimelineEntry]:
    """Every event of a case with the deadlines as they stood after it (no I/O)."""
    names = names or {}
    case_type = header.workflow.case_type
    labels = {name: spec.label for name, spec in case_type.actions.items()}
    labels.update(SYSTEM_ACTION_LABELS)
    entries = []
    for i, event in enumerate(events):
        prefix = Case(ref=header.ref, case_type=header.case_type, agency_code=header.agency_code)
        deadlines = Case.replay(prefix, list(events[: i + 1]), calendar).deadlines
        payload = dict(event.data.get("payload", {}))
        derived = event.data.get("derived", {})
        reason = payload.get("reason") or derived.get("reason")
        try:
            role_label = ROLE_LABELS[Role(event.actor_role)]
        except ValueError:
            role_label = event.actor_role
        entries.append(
            TimelineEntry(
                seq=event.seq,
                occurred_at=event.occurred_at,
                actor=event.actor,
                actor_name=names.get(event.actor, event.actor),
                actor_role=event.actor_role,
                role_label=role_label,
                action=event.action,
                action_label=labels.get(event.action, event.action),
                state_before=event.state_before,
                state_before_label=(
                    case_type.state_label(event.state_before) if event.state_before else "—"
                ),
                state_after=event.state_after,
                state_after_label=case_type.state_label(event.state_after),
                payload=payload,
                reason=reason,
                deadlines=[deadline_at(d, calendar, event.occurred_at) for d in deadlines],
                hash=event.hash,
            )
        )
    return entries


def case_timeline(svc: Any, ref: str) -> tuple[Case, list[TimelineEntry]]:
    """Use case: load a case and its history, with the actors' names from the user table."""
    from govflow.workflow import services
    from govflow.workflow.actors import SYSTEM
    from govflow.workflow.errors import NotFound

    with svc.uow() as uow:
        case = services.load_case(svc, uow, ref, history=True)
        names: dict[str, str] = {SYSTEM.username: SYSTEM.name}
        for username in {e.actor for e in case.events} - set(names):
            try:
                names[username] = uow.repo.user(username).name
            except NotFound:
                names[username] = username
    header = Case(ref=case.ref, case_type=case.case_type, agency_code=case.agency_code)
    return case, timeline(header, case.events, svc.calendar, names)
