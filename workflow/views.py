"""Plain views of deadlines and events, as every front end shows them (no I/O).

A ``DeadlineView`` is a deadline read at one instant: its due day or instant in the words
people use (``2025-10-20 24:00`` for a working-day limit), its status, and the time left
then. An ``EventView`` is one event of a case's history with its labels, its input masked
for the reader. The services build them; the presentation package only formats them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from govflow.workflow import texts
from govflow.workflow.actors import ROLE_LABELS, Role
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import SYSTEM_EVENT_LABELS, Case
from govflow.workflow.clock import local_minute
from govflow.workflow.contract import Field
from govflow.workflow.deadline_terms import STATUS_LABELS, Basis, DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.events import CaseEvent


@dataclass(frozen=True)
class DeadlineView:
    """One deadline as it stands at an instant (now, or right after an event)."""

    key: str
    kind: str
    label: str
    basis: str  # working_days | hours | fixed
    amount: int
    extension_days: int
    start_date: date | None
    start_at: datetime | None
    due_date: date | None
    due_at: datetime | None
    due: str  # zh-CN: "2025-10-20 24:00" for a working-day limit, else the local instant
    status: str
    status_label: str
    overdue: bool  # running past its due instant
    time_left: str  # "还剩 12 个工作日", "已超期 1.5 小时", "暂停计时"; empty unless running
    working_days_left: int | None
    hours_left: float | None
    paused: bool
    provisional: bool
    pause_reason: str | None
    cancelled_reason: str | None
    # Whole minutes to an hour or fixed limit's due instant (negative: past it), counted
    # through nights and holidays as such limits are; None for working-day limits and
    # limits not running. What a list of hour limits shows as "H 小时 M 分".
    minutes_left: int | None = None
    # The deadline itself: its explanation and stored form are written only when read (a
    # list of fifty cases shows neither, and writing them was a third of its time).
    source: Deadline | None = field(default=None, repr=False, compare=False)

    @cached_property
    def record(self) -> dict[str, Any]:
        """The deadline as stored (``Deadline.to_json()``), its explanation included."""
        return self.source.to_json() if self.source is not None else {}

    @cached_property
    def explanation(self) -> tuple[str, ...]:
        """How the due date was reached, one zh-CN line per step."""
        return tuple(self.record.get("explanation", ()))


def deadline_view(d: Deadline, calendar: WorkingCalendar, at: datetime) -> DeadlineView:
    due = texts.due_text(d.due_date, d.due_at)
    running = d.status is DeadlineStatus.RUNNING and d.due_at is not None
    hours = minutes = None
    if running and d.basis is not Basis.WORKING_DAYS and d.due_at is not None:
        seconds = (d.due_at - at).total_seconds()
        hours = round(seconds / 3600, 1)
        minutes = math.floor(seconds / 60)
    pause = d.open_pause
    # Counted once: the time left in words says the same number (a list shows fifty rows).
    days_left = d.working_days_left(calendar, at) if d.basis is Basis.WORKING_DAYS else None
    return DeadlineView(
        key=d.key,
        kind=d.kind,
        label=d.label,
        basis=d.basis.value,
        amount=d.amount,
        extension_days=d.extension_days,
        start_date=d.start_date,
        start_at=d.start_at,
        due_date=d.due_date,
        due_at=d.due_at,
        due=due,
        status=d.status.value,
        # A passed optional limit reads "已届满"; an overdue one keeps its status here (its
        # time left says "已超期 …").
        status_label=d.status_label(at) or STATUS_LABELS[d.status],
        overdue=d.is_overdue(at),
        time_left=d.time_left(calendar, at, days_left),
        working_days_left=days_left,
        hours_left=hours,
        paused=d.status is DeadlineStatus.PAUSED,
        provisional=d.provisional,
        pause_reason=pause.reason if pause is not None else None,
        cancelled_reason=d.cancelled_reason,
        minutes_left=minutes,
        source=d,
    )


@dataclass(frozen=True)
class EventView:
    """One event of a case's history, labelled; ``payload`` is masked for the reader."""

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
    reason: str | None
    payload: dict[str, Any]
    deadlines: dict[str, Any]  # the deadline snapshot the event recorded
    hash: str
    # The door the action came through (web, api:<token>, cli:<OS user>, system); None on
    # events recorded before channels were.
    channel: str | None = None
    # The mark of an event imported from an office's ledger (who, when, file, line, and any
    # departure from the law found): recorded later than it happened. None if recorded live.
    imported: dict[str, Any] | None = None
    # The input and what people must see of the derived values, labelled in zh-CN by the
    # case type (its ``labels``): what the history and ``case act`` show instead of codes.
    details: tuple[Field, ...] = ()

    @property
    def local_time(self) -> str:
        return local_minute(self.occurred_at)


def role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def action_labels(case: Case) -> dict[str, str]:
    """Every action's zh-CN label, the engine's own events included."""
    labels = {name: spec.label for name, spec in case.workflow.case_type.actions.items()}
    return {**labels, **SYSTEM_EVENT_LABELS}


def event_view(
    case: Case, event: CaseEvent, reveal: bool, names: dict[str, str], labels: dict[str, str]
) -> EventView:
    case_type = case.workflow.case_type
    payload = dict(event.data.get("payload", {}))
    derived = event.data.get("derived", {})
    shown = payload if reveal else case.workflow.mask_payload(payload)
    return EventView(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor=event.actor,
        actor_name=names.get(event.actor, event.actor),
        actor_role=event.actor_role,
        role_label=role_label(event.actor_role),
        action=event.action,
        action_label=labels.get(event.action, event.action),
        state_before=event.state_before,
        state_before_label=case_type.state_label(event.state_before) if event.state_before else "—",
        state_after=event.state_after,
        state_after_label=case_type.state_label(event.state_after),
        reason=payload.get("reason") or derived.get("reason"),
        payload=shown,
        deadlines=event.data.get("deadlines", {}),
        hash=event.hash,
        imported=event.data.get("imported"),
        channel=event.data.get("channel"),
        details=case.workflow.labels.describe(shown, derived),
    )


@dataclass(frozen=True)
class CaseHeader:
    """What names a case in every view of it."""

    ref: str
    case_type: str
    case_type_label: str
    agency: str
    state: str | None
    state_label: str
    agency_name: str = ""  # the agency's Chinese name, where the reader's use case looked it up


def case_header(case: Case) -> CaseHeader:
    return CaseHeader(
        ref=case.ref,
        case_type=case.case_type,
        case_type_label=case.workflow.case_type.label,
        agency=case.agency_code,
        state=case.state,
        state_label=case.state_label,
    )
