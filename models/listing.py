"""The statement behind every list: one page of cases, least time left first.

A case's place in a list is the due instant of its nearest running limit at the instant
the list is read (``Case.queue_deadline``). The case row stores what that needs
(``Case.queue_instants``): ``queue_due_at``, the nearest running obligation (``NO_DUE``
when none), and ``optional_due_at``, the nearest running optional limit, which counts only
until it passes. So the key is ``optional_due_at`` while that is still ahead and nearer,
and ``queue_due_at`` otherwise — a choice that depends on the instant, which no index can
hold. The page is therefore read in two parts, each in the order of an index: the cases
sorted by their obligation (nearly all, read along ``ix_cases_queue_due_at`` only as far
as the page needs) and the few whose optional limit is ahead and nearer (those in a
correction window); the union of the two first pages is sorted and cut again. Before the
columns existed the list sorted every open case of the agency by a subquery over its
deadline rows: 8.5 ms for 2,400 open cases, on every page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal, not_, or_, select, tuple_, union_all

from govflow.models.statements import with_agency
from govflow.models.tables import NO_DUE, CaseRow, UTCDateTime
from govflow.workflow.ports import CaseQuery


def page_statement(query: CaseQuery) -> Select[Any]:
    """Rows (case, agency, parent code, key): ``query``'s page in order; the key is the
    instant the case sorts by, ``NO_DUE`` when it has no running limit."""
    optional = CaseRow.optional_due_at
    nearer = optional < CaseRow.queue_due_at
    if query.running_at is not None:
        nearer = and_(optional > _instant(query.running_at), nearer)
    by_optional = _part(query, optional, nearer)
    # Not ``~nearer``: a NULL comparison is neither true nor false, so say it in full.
    by_obligation = _part(query, CaseRow.queue_due_at, or_(optional.is_(None), not_(nearer)))
    both = union_all(select(by_obligation.subquery()), select(by_optional.subquery())).subquery(
        "chosen"
    )
    return (
        with_agency()
        .add_columns(both.c.due_at)
        .join(both, both.c.id == CaseRow.id)
        .order_by(both.c.due_at, CaseRow.id)
        .limit(query.limit)
    )


def _part(query: CaseQuery, key: Any, which: ColumnElement[bool]) -> Select[Any]:
    stmt = select(CaseRow.id, key.label("due_at")).where(which, *_filters(query))
    if query.due_after is not None:
        stmt = stmt.where(key > _instant(query.due_after))
    if query.due_by is not None:
        stmt = stmt.where(key <= _instant(query.due_by))
    if query.after is not None:
        after = _instant(query.after.due_at or NO_DUE)
        stmt = stmt.where(tuple_(key, CaseRow.id) > tuple_(after, query.after.case_id))
    return stmt.order_by(key, CaseRow.id).limit(query.limit)


def _filters(query: CaseQuery) -> list[ColumnElement[bool]]:
    """What the query asks of a case besides its place in the order."""
    wanted = [
        CaseRow.case_type == case_type
        if states is None
        else and_(CaseRow.case_type == case_type, CaseRow.state.in_(states))
        for case_type, states in query.states.items()
    ]
    out: list[ColumnElement[bool]] = [or_(*wanted)]
    if query.agency_ids is not None:
        out.append(CaseRow.agency_id.in_(query.agency_ids))
    if query.assignee:
        out.append(CaseRow.assignee == query.assignee)
    if query.ref_contains:
        out.append(CaseRow.ref.contains(query.ref_contains, autoescape=True))
    if query.outcome:
        out.append(CaseRow.outcome == query.outcome)
    if query.opened_from is not None:
        out.append(CaseRow.created_at >= query.opened_from)
    if query.opened_before is not None:
        out.append(CaseRow.created_at < query.opened_before)
    if query.closed_from is not None:
        out.append(CaseRow.closed_at >= query.closed_from)
    if query.closed_before is not None:
        out.append(CaseRow.closed_at < query.closed_before)
    if query.channel:
        out.append(CaseRow.channel == query.channel)
    if query.text:
        found = CaseRow.search_text.contains(query.text, autoescape=True)
        if query.personal_agency_ids:
            personal = and_(
                CaseRow.agency_id.in_(query.personal_agency_ids),
                CaseRow.search_personal.contains(query.text, autoescape=True),
            )
            found = or_(found, personal)
        out.append(found)
    return out


def _instant(value: datetime) -> Any:
    return literal(value, UTCDateTime())
