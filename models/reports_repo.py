"""What the annual report (SPEC R-1) aggregates, read in two queries.

Requests are counted by the database in the ``disclosure_requests`` projection (receipt,
reply and closure days, outcome, agency); the reconsideration and litigation records
come from the ``challenges`` projection.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from govflow.models.repository import Repository
from govflow.models.tables import CaseRow, ChallengeRow, DisclosureRequestRow
from govflow.workflow.reports.annual import ChallengeRecord, Period, RequestTally, applicant_column


def agency_scope(session: Session, code: str, include_children: bool) -> tuple[str, list[int]]:
    """The agency's name and its id, with every agency below it when asked."""
    repo = Repository(session)
    return repo.agency(code).name, repo.agency_ids(code, include_children)


def _period(day: Any, year: int) -> Any:
    """SQL for ``workflow.reports.annual.period_of``: where the day falls against the year."""
    return case(
        (day < date(year, 1, 1), Period.BEFORE.value),
        (day <= date(year, 12, 31), Period.DURING.value),
        else_=Period.AFTER.value,
    )


def annual_tallies(session: Session, agency_ids: list[int], year: int) -> list[RequestTally]:
    """The agencies' requests grouped for the year in one query over ``disclosure_requests``
    alone (its report index holds every column counted): a few hundred rows back however
    many requests there are."""
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
            r.outcome,
            func.count(),
            func.min(r.case_id),
        )
        .where(r.agency_id.in_(agency_ids))
        .group_by(r.applicant_kind, r.applicant_subkind, received, result, r.outcome)
    ).all()
    merged: dict[tuple[str, Period, Period | None, str | None], tuple[int, int]] = {}
    for kind, subkind, received_in, result_in, outcome, count, first_id in rows:
        key = (
            applicant_column(kind, subkind),
            Period(received_in),
            None if result_in is None else Period(result_in),
            outcome,
        )
        seen, first = merged.get(key, (0, first_id))
        merged[key] = (seen + count, min(first, first_id))
    # A group's first request names it in messages (an outcome missing from the list).
    refs = dict(
        session.execute(
            select(CaseRow.id, CaseRow.ref).where(CaseRow.id.in_([f for _, f in merged.values()]))
        ).all()
    )
    ordered = sorted(merged.items(), key=lambda item: item[1][1])
    return [RequestTally(*key, count=n, ref=refs[first]) for key, (n, first) in ordered]


def challenge_records(session: Session, agency_ids: list[int]) -> list[ChallengeRecord]:
    """Each reconsideration or lawsuit once: a later record with the same number replaces
    the earlier one."""
    latest: dict[str, ChallengeRecord] = {}
    records = session.execute(
        select(ChallengeRow.number, ChallengeRow.route, ChallengeRow.result, ChallengeRow.filed_on)
        .where(ChallengeRow.agency_id.in_(agency_ids))
        .order_by(ChallengeRow.case_id, ChallengeRow.seq)
    )
    for number, route, result, filed_on in records:
        latest[number] = ChallengeRecord(number, route, result, filed_on)
    return list(latest.values())
