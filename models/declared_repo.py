"""What the periodic reports of a declared type read (``workflow.reports.periodic``).

Two queries per report: the cases of the type in the agencies with their agency, assignee
and the judged deadline's row; then their events' payloads, merged in order into the
field values (what the generic engine's fold keeps), so no case is replayed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from govflow.models.tables import AgencyRow, CaseRow, DeadlineRow, EventRow, UserRow
from govflow.workflow.clock import local_date
from govflow.workflow.deadlines import Deadline
from govflow.workflow.reports.periodic import CaseRecord


def declared_records(
    session: Session,
    case_type: str,
    deadline_key: str,
    agency_ids: list[int],
    open_states: Iterable[str],
) -> list[CaseRecord]:
    judged = aliased(DeadlineRow)
    rows = session.execute(
        select(
            CaseRow.id,
            CaseRow.ref,
            CaseRow.state,
            CaseRow.created_at,
            AgencyRow.name,
            UserRow.name,
            CaseRow.assignee,
            judged.detail,
        )
        .join(AgencyRow, AgencyRow.id == CaseRow.agency_id)
        .outerjoin(UserRow, UserRow.username == CaseRow.assignee)
        .outerjoin(judged, and_(judged.case_id == CaseRow.id, judged.key == deadline_key))
        .where(CaseRow.case_type == case_type, CaseRow.agency_id.in_(agency_ids))
        .order_by(CaseRow.id)
    ).all()
    values: dict[int, dict[str, Any]] = {row[0]: {} for row in rows}
    if values:
        events = session.execute(
            select(EventRow.case_id, EventRow.data)
            .join(CaseRow, CaseRow.id == EventRow.case_id)
            .where(CaseRow.case_type == case_type, CaseRow.agency_id.in_(agency_ids))
            .order_by(EventRow.case_id, EventRow.seq)
        )
        for case_id, data in events:
            values[case_id].update((data or {}).get("payload") or {})
    open_set = frozenset(open_states)
    return [
        CaseRecord(
            ref=ref,
            state=state,
            is_open=state in open_set,
            registered_on=local_date(created_at),
            agency=agency,
            handler=user_name or assignee,
            fields=values[case_id],
            deadline=Deadline.from_json(detail) if detail is not None else None,
        )
        for case_id, ref, state, created_at, agency, user_name, assignee, detail in rows
    ]
