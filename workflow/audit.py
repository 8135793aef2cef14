"""Reading a case's history (SPEC A-3): each event with the deadlines as they stood after it.

``timeline`` is pure: events in, entries out. The deadlines after event *n* are rebuilt
by replaying events 1…n (``Case.replay`` over a prefix), and their time left is read at
that event's own instant, so a supervisor sees what the office saw at the time. A replay
counts on today's calendar; where a schedule published since (T-4) would date a limit
otherwise, the due date and the 临时 mark are the ones the event recorded
(``as_recorded``): a history shows what stood, not what a later calendar says. Inputs
are masked unless the reader may see personal data, and labelled by the case type.
The use case (``services.history.timeline``) loads the case and the actors' names.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from govflow.workflow import texts
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_minute
from govflow.workflow.contract import Field
from govflow.workflow.deadline_terms import Basis
from govflow.workflow.deadlines import Deadline
from govflow.workflow.events import CaseEvent
from govflow.workflow.views import DeadlineView, action_labels, deadline_view, event_view


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
    payload: dict[str, Any]  # the action's data as recorded, masked for the reader
    details: tuple[Field, ...]  # the same, labelled in zh-CN (``reason`` apart)
    channel: str | None  # web, api:<token>, cli:<OS user>, system; none before it was recorded
    reason: str | None
    deadlines: list[DeadlineView]
    hash: str

    @property
    def local_time(self) -> str:
        return local_minute(self.occurred_at)


def timeline(
    header: Case,
    events: Sequence[CaseEvent],
    calendar: WorkingCalendar,
    names: Mapping[str, str] | None = None,
    reveal: bool = False,
) -> list[TimelineEntry]:
    """Every event of a case with the deadlines as they stood after it (no I/O)."""
    names = dict(names or {})
    labels = action_labels(header)
    workflow = header.workflow
    entries = []
    for i, event in enumerate(events):
        prefix = Case(ref=header.ref, workflow=workflow, agency_code=header.agency_code)
        recorded = event.data.get("deadlines") or {}
        deadlines = [
            as_recorded(d, recorded.get(d.key))
            for d in Case.replay(prefix, list(events[: i + 1]), calendar).deadlines
        ]
        seen = event_view(header, event, reveal, names, labels)
        entries.append(
            TimelineEntry(
                seq=seen.seq,
                occurred_at=seen.occurred_at,
                actor=seen.actor,
                actor_name=seen.actor_name,
                actor_role=seen.actor_role,
                role_label=seen.role_label,
                action=seen.action,
                action_label=seen.action_label,
                state_before=seen.state_before,
                state_before_label=seen.state_before_label,
                state_after=seen.state_after,
                state_after_label=seen.state_after_label,
                payload=seen.payload,
                details=seen.details,
                channel=seen.channel,
                reason=seen.reason,
                deadlines=[deadline_view(d, calendar, event.occurred_at) for d in deadlines],
                hash=seen.hash,
            )
        )
    return entries


def as_recorded(deadline: Deadline, snapshot: Mapping[str, Any] | None) -> Deadline:
    """The deadline with the due date and 临时 mark its event recorded (``snapshot``), when a
    replay on today's calendar dates it otherwise: a working-day limit counted before a
    year's schedule or a closure day was published (T-4). Its explanation says both. The
    working days left are still counted on today's calendar: the calendar of that day is
    not kept with the event."""
    if not snapshot or deadline.basis is not Basis.WORKING_DAYS:
        return deadline  # an hour or fixed limit does not depend on the calendar
    due_at = datetime.fromisoformat(snapshot["due"]) if snapshot.get("due") else None
    provisional = bool(snapshot.get("provisional"))
    if due_at == deadline.due_at and provisional == deadline.provisional:
        return deadline
    then = copy.copy(deadline)
    then.due_at, then.provisional = due_at, provisional
    # A working-day limit ends at 24:00 of its day (``clock.end_of_day``).
    then.due_date = (due_at.astimezone(SHANGHAI) - timedelta(days=1)).date() if due_at else None
    recorded = texts.due_text(then.due_date, due_at) + ("（临时）" if provisional else "")
    now = texts.due_text(deadline.due_date, deadline.due_at)
    then.stored_explanation = [
        f"本事件记录时，该期限届满于 {recorded}（按当时的节假日安排）。",
        f"其后节假日安排有更新，按现行安排计算应届满于 {now}：",
        *deadline.explanation,
    ]
    return then
