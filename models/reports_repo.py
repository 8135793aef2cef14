"""What the annual report (SPEC R-1) aggregates, read in two queries.

Requests are counted by the database from ``cases`` joined with the ``disclosure_requests``
projection (receipt, reply and closure days); the reconsideration and litigation records
come from their events.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.tables import AgencyRow, CaseRow, DisclosureRequestRow, EventRow
from workflow.errors import NotFound
from workflow.reports.annual import ChallengeRecord, Period, RequestTally, applicant_column

DISCLOSURE = "disclosure_request"
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


def _period(day: Any, year: int) -> Any:
    """SQL for ``workflow.reports.annual.period_of``: where the day falls against the year."""
    return case(
        (day < date(year, 1, 1), Period.BEFORE.value),
        (day <= date(year, 12, 31), Period.DURING.value),
        else_=Period.AFTER.value,
    )


def annual_tallies(session: Session, agency_ids: list[int], year: int) -> list[RequestTally]:
    """The agencies' requests grouped for the year in one query: a few hundred rows back
    however many requests there are."""
    r = DisclosureRequestRow
    received = _period(func.coalesce(r.receipt_date, r.received_on), year)
    result_on = func.coalesce(r.replied_on, r.closed_on)
    result = case((result_on.is_(None), None), else_=_period(result_on, year))
    rows = session.execute(
        select(
            r.applicant_kind,
            r.applicant_subkind,
            received.label("received"),
            result.label("result"),
            CaseRow.outcome,
            func.count(),
            func.min(CaseRow.ref),
        )
        .join(CaseRow, CaseRow.id == r.case_id)
        .where(CaseRow.case_type == DISCLOSURE, CaseRow.agency_id.in_(agency_ids))
        .group_by(r.applicant_kind, r.applicant_subkind, received, result, CaseRow.outcome)
    ).all()
    merged: dict[tuple[str, Period, Period | None, str | None], tuple[int, str]] = {}
    for kind, subkind, received_in, result_in, outcome, count, ref in rows:
        key = (
            applicant_column(kind, subkind),
            Period(received_in),
            None if result_in is None else Period(result_in),
            outcome,
        )
        seen, first = merged.get(key, (0, ref))
        merged[key] = (seen + count, min(first, ref))
    return [
        RequestTally(*key, count=n, ref=ref)
        for key, (n, ref) in sorted(merged.items(), key=lambda item: item[1][1])
    ]


def challenge_records(session: Session, agency_ids: list[int]) -> list[ChallengeRecord]:
    """Each reconsideration or lawsuit once: a later record with the same number replaces
    the earlier one."""
    latest: dict[str, ChallengeRecord] = {}
    events = session.execute(
        select(EventRow.data)
        .join(CaseRow, CaseRow.id == EventRow.case_id)
        .where(
            EventRow.action.in_(CHALLENGES),
            CaseRow.case_type == DISCLOSURE,
            CaseRow.agency_id.in_(agency_ids),
        )
        .order_by(EventRow.case_id, EventRow.seq)
    )
    for (data,) in events:
        payload = data.get("payload", {})
        latest[payload["number"]] = ChallengeRecord(
            number=payload["number"],
            route=payload.get("route", "reconsideration"),
            result=payload["result"],
            filed_on=date.fromisoformat(payload["filed_on"]),
        )
    return list(latest.values())
