"""The rows the annual report (SPEC R-1) aggregates, read in two queries.

Requests come from ``cases`` joined with the ``disclosure_requests`` projection; the day a
closure or withdrawal took effect and the reconsideration/litigation records come from
the events (the projection keeps only the reply date).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import AgencyRow, CaseRow, DisclosureRequestRow, EventRow
from workflow.clock import local_date
from workflow.errors import NotFound
from workflow.reports.annual import ChallengeRecord, RequestRecord, applicant_column

DISCLOSURE = "disclosure_request"
CLOSING = ("withdraw", "correction_expired", "fee_expired")
CHALLENGES = ("record_reconsideration", "record_litigation")


def agency_scope(session: Session, code: str, include_children: bool) -> tuple[str, list[int]]:
    """The agency's name and its id, with every agency below it when asked."""
    agencies = session.execute(
        select(AgencyRow.id, AgencyRow.code, AgencyRow.name, AgencyRow.parent_id)
    ).all()
    top = next((a for a in agencies if a.code == code), None)
    if top is None:
        raise NotFound(f"没有代码为 {code} 的机关")
    ids = [top.id]
    if include_children:
        frontier = [top.id]
        while frontier:
            frontier = [a.id for a in agencies if a.parent_id in frontier and a.id not in ids]
            ids.extend(frontier)
    return top.name, ids


def annual_rows(
    session: Session, agency_ids: list[int]
) -> tuple[list[RequestRecord], list[ChallengeRecord]]:
    cases = session.execute(
        select(
            CaseRow.id,
            CaseRow.ref,
            CaseRow.outcome,
            DisclosureRequestRow.applicant_kind,
            DisclosureRequestRow.applicant_subkind,
            DisclosureRequestRow.received_on,
            DisclosureRequestRow.receipt_date,
            DisclosureRequestRow.replied_on,
        )
        .join(DisclosureRequestRow, DisclosureRequestRow.case_id == CaseRow.id)
        .where(CaseRow.case_type == DISCLOSURE, CaseRow.agency_id.in_(agency_ids))
        .order_by(CaseRow.id)
    ).all()
    closed_on: dict[int, date] = {}
    latest: dict[str, ChallengeRecord] = {}
    events = session.execute(
        select(EventRow.case_id, EventRow.action, EventRow.occurred_at, EventRow.data)
        .join(CaseRow, CaseRow.id == EventRow.case_id)
        .where(
            CaseRow.case_type == DISCLOSURE,
            CaseRow.agency_id.in_(agency_ids),
            EventRow.action.in_(CLOSING + CHALLENGES),
        )
        .order_by(EventRow.case_id, EventRow.seq)
    )
    for case_id, action, occurred_at, data in events:
        payload = data.get("payload", {})
        if action == "withdraw":
            closed_on[case_id] = date.fromisoformat(payload["withdrawn_on"])
        elif action in CLOSING:
            closed_on[case_id] = local_date(occurred_at)
        else:  # a later record with the same number replaces the earlier one
            latest[payload["number"]] = ChallengeRecord(
                number=payload["number"],
                route=payload.get("route", "reconsideration"),
                result=payload["result"],
                filed_on=date.fromisoformat(payload["filed_on"]),
            )
    requests = [
        RequestRecord(
            ref=c.ref,
            column=applicant_column(c.applicant_kind, c.applicant_subkind),
            received=c.receipt_date or c.received_on,
            outcome=c.outcome,
            result_on=c.replied_on or closed_on.get(c.id),
        )
        for c in cases
    ]
    return requests, list(latest.values())
