"""The mapping between a case and its rows, apart from any session.

The repository uses it inside a transaction; the bulk writer of synthetic data
(``govflow.models.bulk``) keeps the rows in memory and inserts them in batches. One
mapping for both is what makes the two writers give identical databases. The disclosure
requests' own rows are mapped in ``govflow.models.disclosure_register``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from govflow.models.tables import NO_DUE, CaseRow, DeadlineRow, EventRow
from govflow.workflow.cases import Case, CaseRecord
from govflow.workflow.deadlines import Deadline
from govflow.workflow.events import GENESIS, CaseEvent


@dataclass
class LoadedCase:
    """What writing back a loaded case needs from its row: its keys, the version its UPDATE
    checks, and the two columns the next values are computed from."""

    id: int
    agency_id: int
    version: int
    updated_at: datetime
    closed_at: datetime | None


def case_record(row: Any, agency_code: str) -> CaseRecord:
    """The case as its row describes it; ``Case.replay`` adds what its events say."""
    return CaseRecord(
        ref=row.ref,
        case_type=row.case_type,
        agency_code=agency_code,
        state=row.state,
        assignee=row.assignee,
        escalation_policy=row.escalation_policy,
        head_seq=row.head_seq,
        head_hash=row.head_hash or GENESIS,
        head_at=row.updated_at if row.head_seq else None,
        facts=row.facts,
    )


def new_case_row(case: Case, agency_id: int, now: datetime) -> CaseRow:
    return CaseRow(
        ref=case.ref,
        case_type=case.case_type,
        agency_id=agency_id,
        state=case.state or "",
        escalation_policy=case.escalation_policy,
        head_seq=0,
        head_hash="",
        queue_due_at=NO_DUE,
        created_at=now,
        updated_at=now,
    )


def case_values(case: Case) -> dict[str, Any]:
    """The ``cases`` columns a case's events decide (``audit verify`` compares them)."""
    obligation, optional = case.queue_instants()
    return {
        "state": case.state or "",
        "assignee": case.assignee,
        "escalation_policy": case.escalation_policy,
        "outcome": case.facts.outcome,
        "head_seq": case.head_seq,
        "head_hash": case.head_hash,
        "queue_due_at": obligation or NO_DUE,
        "optional_due_at": optional,
    }


def case_row_values(case: Case, now: datetime, closed_at: datetime | None) -> dict[str, Any]:
    """Every column an action writes to its case row, in one place (the ORM row of a new case
    and the loaded case's UPDATE both take these): the columns the events decide, the facts
    (what the next action loads), the instant (``updated_at``: no action may be dated before
    it) and what lists filter by. ``closed_at``: what the row holds now."""
    values = case_values(case)
    values["facts"] = case.stored_facts()[0]
    values["updated_at"] = case.head_at or now
    values["closed_at"] = case.closed_at(closed_at)
    index = case.index()
    if index is not None:  # the creation event is among those in memory
        values["channel"] = index.channel
        values["search_text"] = index.text
        values["search_personal"] = index.personal
    return values


def update_case_row(row: CaseRow, case: Case, now: datetime) -> None:
    """The ORM row (a case created in this unit of work, the bulk writer's rows) brought to
    ``case_row_values``; the ORM writes only the columns whose values changed."""
    for column, value in case_row_values(case, now, row.closed_at).items():
        setattr(row, column, value)


def event_values(case_id: int, event: CaseEvent) -> dict[str, Any]:
    """The ``events`` row of an event, as column values (the bulk writer inserts these)."""
    return {
        "case_id": case_id,
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor": event.actor,
        "actor_role": event.actor_role,
        "action": event.action,
        "state_before": event.state_before,
        "state_after": event.state_after,
        "data": event.data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "key_id": event.key_id,
        "mac": event.mac,
    }


def event_row(case_id: int, event: CaseEvent) -> EventRow:
    return EventRow(**event_values(case_id, event))


def deadline_values(deadline: Deadline) -> dict[str, Any]:
    """A ``deadlines`` row's columns besides its case and key: the projection of one deadline."""
    return {
        "kind": deadline.kind,
        "label": deadline.label,
        "basis": deadline.basis.value,
        "amount": deadline.amount,
        "due_date": deadline.due_date,
        "due_at": deadline.due_at,
        "status": deadline.status.value,
        "provisional": deadline.provisional,
        "detail": deadline.to_json(),
    }


def apply_deadlines(
    existing: dict[str, DeadlineRow], case_id: int, deadlines: list[Deadline]
) -> list[DeadlineRow]:
    """Write every deadline into its row (the projection is rewritten whole on each change);
    returns the rows that are new."""
    added = []
    for deadline in deadlines:
        row = existing.get(deadline.key)
        if row is None:
            row = existing[deadline.key] = DeadlineRow(case_id=case_id, key=deadline.key)
            added.append(row)
        for column, value in deadline_values(deadline).items():
            setattr(row, column, value)
    return added
