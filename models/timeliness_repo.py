"""The rows the timeliness report (SPEC R-2) aggregates, streamed in agency scope.

Deadlines come from the ``deadlines`` projection (its ``detail`` is ``Deadline.to_json()``,
which the tests check against a rebuild from the events after every step), so no case's
history is replayed here; the day a request was withdrawn or closed is kept on the request.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from govflow.models.tables import AgencyRow, CaseRow, DeadlineRow, DisclosureRequestRow, UserRow
from govflow.workflow.deadlines import Basis, Deadline
from govflow.workflow.disclosure.facts import REPLY
from govflow.workflow.errors import NotFound
from govflow.workflow.registry import workflow
from govflow.workflow.reports.other_limits import DeclaredLimit
from govflow.workflow.reports.timeliness import DISCLOSURE, INCIDENT, MilestoneRecord, RequestLimits

BATCH = 1000


def agency_names(session: Session, agency_ids: list[int]) -> dict[str, str]:
    """Code → name of the agencies in scope, in id order."""
    rows = session.execute(
        select(AgencyRow.code, AgencyRow.name)
        .where(AgencyRow.id.in_(agency_ids))
        .order_by(AgencyRow.id)
    )
    return {code: name for code, name in rows}


def request_limits(
    session: Session, agency_ids: list[int], batch: int = BATCH
) -> Iterator[RequestLimits]:
    """Every disclosure request in scope with its reply limit, assignee and agency, streamed."""
    open_states = workflow(DISCLOSURE).case_type.open_states
    reply = aliased(DeadlineRow)
    stmt = (
        select(
            CaseRow.ref,
            CaseRow.state,
            CaseRow.assignee,
            AgencyRow.name,
            UserRow.name,
            reply.detail,
            DisclosureRequestRow.closed_on,
        )
        .join(DisclosureRequestRow, DisclosureRequestRow.case_id == CaseRow.id)
        .join(AgencyRow, AgencyRow.id == CaseRow.agency_id)
        .outerjoin(UserRow, UserRow.username == CaseRow.assignee)
        .outerjoin(reply, and_(reply.case_id == CaseRow.id, reply.key == REPLY))
        .where(CaseRow.case_type == DISCLOSURE, CaseRow.agency_id.in_(agency_ids))
        .order_by(CaseRow.id)
        .execution_options(yield_per=batch)
    )
    for ref, state, assignee, agency, user_name, detail, closed_on in session.execute(stmt):
        yield RequestLimits(
            ref=ref,
            department=agency,
            handler=user_name or assignee,
            is_open=state in open_states,
            reply=Deadline.from_json(detail) if detail is not None else None,
            closed_on=closed_on,
        )


def incident_milestones(
    session: Session, agency_ids: list[int], batch: int = BATCH
) -> Iterator[MilestoneRecord]:
    """Every hour limit of every incident in scope (supervision letters are fixed instants)."""
    stmt = (
        select(CaseRow.ref, DeadlineRow.detail)
        .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
        .where(
            CaseRow.case_type == INCIDENT,
            CaseRow.agency_id.in_(agency_ids),
            DeadlineRow.basis == Basis.HOURS.value,
        )
        .order_by(CaseRow.id, DeadlineRow.id)
        .execution_options(yield_per=batch)
    )
    for ref, detail in session.execute(stmt):
        yield MilestoneRecord(ref, Deadline.from_json(detail))


def declared_limits(
    session: Session, agency_ids: list[int], batch: int = BATCH
) -> Iterator[DeclaredLimit]:
    """Every working-day limit of the declared types' cases in scope (not requests or
    incidents, which have places of their own), streamed."""
    stmt = (
        select(CaseRow.ref, CaseRow.case_type, AgencyRow.name, UserRow.name, CaseRow.assignee,
               DeadlineRow.detail)
        .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
        .join(AgencyRow, AgencyRow.id == CaseRow.agency_id)
        .outerjoin(UserRow, UserRow.username == CaseRow.assignee)
        .where(
            CaseRow.case_type.not_in((DISCLOSURE, INCIDENT)),
            CaseRow.agency_id.in_(agency_ids),
            DeadlineRow.basis == Basis.WORKING_DAYS.value,
        )
        .order_by(CaseRow.id, DeadlineRow.id)
        .execution_options(yield_per=batch)
    )  # fmt: skip
    labels: dict[str, str] = {}
    for ref, case_type, agency, user_name, assignee, detail in session.execute(stmt):
        if case_type not in labels:
            try:
                labels[case_type] = workflow(case_type).case_type.label
            except NotFound:  # a type whose declaration was removed keeps its code
                labels[case_type] = case_type
        yield DeclaredLimit(
            ref, case_type, labels[case_type], agency, user_name or assignee,
            Deadline.from_json(detail),
        )  # fmt: skip
