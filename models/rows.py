"""The mapping between a case and its rows, apart from any session.

The repository uses it inside a transaction; the bulk writer of synthetic data
(``govflow.synth.bulk``) keeps the rows in memory and inserts them in batches. One
mapping for both is what makes the two writers give identical databases.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from govflow.models.tables import CaseRow, DeadlineRow, DisclosureRequestRow, EventRow
from govflow.workflow.cases import Case
from govflow.workflow.deadlines import Deadline
from govflow.workflow.events import GENESIS, CaseEvent

REQUEST_FIELDS = ("receipt_date", "replied_on", "closed_on", "outcome")
"""What ``disclosure_requests`` repeats of a request's facts (same names in the facts)."""


def case_header(row: CaseRow, agency_code: str) -> Case:
    """The case as its row describes it; its stored facts (``row.facts``) add the rest."""
    return Case(
        ref=row.ref,
        case_type=row.case_type,
        agency_code=agency_code,
        state=row.state,
        assignee=row.assignee,
        escalation_policy=row.escalation_policy,
        head_seq=row.head_seq,
        head_hash=row.head_hash or GENESIS,
        head_at=row.updated_at if row.head_seq else None,
    )


def new_case_values(case: Case, agency_id: int, now: datetime) -> dict[str, Any]:
    """A new case's row before its first save (which adds its events, head and facts)."""
    return {
        "ref": case.ref,
        "case_type": case.case_type,
        "agency_id": agency_id,
        "state": case.state or "",
        "escalation_policy": case.escalation_policy,
        "version": 1,
        "head_seq": 0,
        "head_hash": "",
        "created_at": now,
        "updated_at": now,
    }


def new_case_row(case: Case, agency_id: int, now: datetime) -> CaseRow:
    return CaseRow(**new_case_values(case, agency_id, now))


def stored_case_values(case: Case, facts_text: str, now: datetime) -> dict[str, Any]:
    """What a save writes to the case row (besides its version): state, chain head, the
    facts as of the last event and the instant the open-case lists sort by."""
    nearest = case.next_deadline
    return {
        "state": case.state or "",
        "assignee": case.assignee,
        "escalation_policy": case.escalation_policy,
        "outcome": getattr(case.facts, "outcome", None),
        "head_seq": case.head_seq,
        "head_hash": case.head_hash,
        "updated_at": now,
        "facts": facts_text,
        "next_due_at": nearest.due_at if nearest else None,
    }


def update_case_row(row: CaseRow, case: Case, now: datetime) -> None:
    for column, value in stored_case_values(case, case.stored_facts()[0], now).items():
        setattr(row, column, value)


def new_request_row(
    case_id: int, agency_id: int, intake: dict[str, Any], derived: dict[str, Any]
) -> DisclosureRequestRow:
    applicant = intake["applicant"]
    return DisclosureRequestRow(
        case_id=case_id,
        agency_id=agency_id,
        applicant_kind=applicant["kind"],
        applicant_subkind=applicant.get("subkind"),
        applicant_name=applicant["name"],
        applicant_key=derived["applicant_key"],
        id_number=applicant["id_number"],
        phone=applicant.get("phone"),
        address=applicant.get("address"),
        email=applicant.get("email"),
        description=intake["description"],
        description_key=derived["description_key"],
        channel=intake["channel"],
        received_on=date.fromisoformat(intake["received_on"]),
    )


def request_values(case: Case) -> dict[str, Any]:
    return {name: getattr(case.facts, name, None) for name in REQUEST_FIELDS}


def update_request_row(request: DisclosureRequestRow, case: Case) -> None:
    for column, value in request_values(case).items():
        setattr(request, column, value)


CHALLENGES = ("record_reconsideration", "record_litigation")


def challenge_values(case_id: int, agency_id: int, event: CaseEvent) -> dict[str, Any] | None:
    """The ``challenges`` row an event adds (a reconsideration or lawsuit record), if any."""
    if event.action not in CHALLENGES:
        return None
    payload = event.data["payload"]
    return {
        "case_id": case_id,
        "agency_id": agency_id,
        "seq": event.seq,
        "number": payload["number"],
        "route": payload["route"],
        "result": payload["result"],
        "filed_on": date.fromisoformat(payload["filed_on"]),
    }


def event_text_values(case_id: int, event: CaseEvent) -> dict[str, Any]:
    """The ``events`` row of an event with its data as the canonical text that was hashed
    (for ``tables.events_as_text``): verify then hashes the row as stored."""
    return {**event_values(case_id, event), "data": event.data_text}


def event_values(case_id: int, event: CaseEvent) -> dict[str, Any]:
    """The ``events`` row of an event, as column values (data decoded)."""
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
