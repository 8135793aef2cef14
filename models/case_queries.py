"""The reads around cases that no action needs: the applicant's earlier requests (D-6,
D-7), the open-case lists a page at a time, provisional deadlines to recompute, imports
and declared types' reports. Mixed into ``Repository`` (it needs its ``session`` and the
cases it loaded), which keeps the hot path: load, save, reference data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govflow.models.declared_repo import declared_records
from govflow.models.tables import CaseRow, DeadlineRow, DisclosureRequestRow, ImportedRequestRow
from govflow.workflow.cases import Case

CASE_COLUMNS = (
    CaseRow.updated_at,  # when the last event happened: each save is at its events' instant
    CaseRow.id,
    CaseRow.ref,
    CaseRow.case_type,
    CaseRow.agency_id,
    CaseRow.state,
    CaseRow.assignee,
    CaseRow.escalation_policy,
    CaseRow.head_seq,
    CaseRow.head_hash,
    CaseRow.facts,
)


@dataclass(frozen=True)
class Listed:
    """One case of a list view: its header with its stored facts, and its place in the order."""

    case: Case
    stored: str | None
    cursor: tuple[int, datetime | None, int]


class CaseQueries:
    """Mixed into ``Repository``."""

    session: Session
    _loaded: dict[str, Any]  # the cases the repository loaded or created, by reference
    _execute: Callable[..., Any]
    _header: Callable[[Any], Case]  # a case row's columns -> the case header

    def request(self, ref: str) -> DisclosureRequestRow | None:
        return self.session.get(DisclosureRequestRow, self._loaded[ref].id)

    def applicant_counts(self, applicant_key: str, received_on: date, ref: str) -> dict[str, Any]:
        """The applicant's requests this month and year, and this one's ordinal in the month."""
        month_start = received_on.replace(day=1)
        year_start = received_on.replace(month=1, day=1)
        case_id = self._loaded[ref].id
        base = (
            select(func.count())
            .select_from(DisclosureRequestRow)
            .where(DisclosureRequestRow.applicant_key == applicant_key)
        )
        in_month = base.where(
            DisclosureRequestRow.received_on >= month_start,
            DisclosureRequestRow.received_on <= _month_end(received_on),
        )
        ordinal = self.session.scalar(
            in_month.where(
                (DisclosureRequestRow.received_on < received_on)
                | (
                    (DisclosureRequestRow.received_on == received_on)
                    & (DisclosureRequestRow.case_id <= case_id)
                )
            )
        )
        return {
            "ordinal_in_month": int(ordinal or 1),
            "this_month": int(self.session.scalar(in_month) or 0),
            "this_year": int(
                self.session.scalar(
                    base.where(
                        DisclosureRequestRow.received_on >= year_start,
                        DisclosureRequestRow.received_on <= year_start.replace(month=12, day=31),
                    )
                )
                or 0
            ),
        }

    def same_information(self, applicant_key: str, description_key: str, ref: str) -> list[str]:
        rows = self.session.execute(
            select(CaseRow.ref)
            .join(DisclosureRequestRow, DisclosureRequestRow.case_id == CaseRow.id)
            .where(
                DisclosureRequestRow.applicant_key == applicant_key,
                DisclosureRequestRow.description_key == description_key,
                CaseRow.ref != ref,
            )
            .order_by(CaseRow.id)
        )
        return [r[0] for r in rows]

    def open_refs(
        self, case_type: str, open_states: frozenset[str], agency_ids: list[int] | None = None
    ) -> list[str]:
        stmt = select(CaseRow.ref).where(
            CaseRow.case_type == case_type, CaseRow.state.in_(open_states)
        )
        if agency_ids is not None:
            stmt = stmt.where(CaseRow.agency_id.in_(agency_ids))
        return list(self.session.scalars(stmt.order_by(CaseRow.id)))

    def list_cases(
        self,
        case_type: str,
        states: frozenset[str],
        agency_ids: list[int] | None,
        after: tuple[int, datetime | None, int] | None,
        limit: int,
    ) -> list[Listed]:
        """Cases of a type in these states, the running deadline due first at the head (then
        those with none running, in id order): the next ``limit`` after the cursor ``after``.

        Keyset paging (``(next_due_at, id) > cursor``, indexed) in one statement per page,
        or two where the page reaches past the last case with a deadline running.
        """
        found: list[Listed] = []
        phase, due, last_id = after or (0, None, 0)
        if phase == 0:
            stmt = self._listing(case_type, states, agency_ids).where(
                CaseRow.next_due_at.is_not(None)
            )
            if due is not None:
                stmt = stmt.where(
                    (CaseRow.next_due_at > due)
                    | ((CaseRow.next_due_at == due) & (CaseRow.id > last_id))
                )
            rows = self._execute(stmt.order_by(CaseRow.next_due_at, CaseRow.id).limit(limit))
            found = [Listed(self._header(r), r.facts, (0, r.next_due_at, r.id)) for r in rows]
            if len(found) == limit:
                return found
            last_id = 0
        stmt = self._listing(case_type, states, agency_ids).where(
            CaseRow.next_due_at.is_(None), CaseRow.id > last_id
        )
        rows = self._execute(stmt.order_by(CaseRow.id).limit(limit - len(found)))
        return found + [Listed(self._header(r), r.facts, (1, None, r.id)) for r in rows]

    @staticmethod
    def _listing(case_type: str, states: frozenset[str], agency_ids: list[int] | None) -> Any:
        stmt = select(*CASE_COLUMNS, CaseRow.next_due_at).where(
            CaseRow.case_type == case_type, CaseRow.state.in_(sorted(states))
        )
        if agency_ids is not None:
            stmt = stmt.where(CaseRow.agency_id.in_(agency_ids))
        return stmt

    def refs_with_provisional_deadlines(self) -> list[str]:
        stmt = (
            select(CaseRow.ref)
            .join(DeadlineRow, DeadlineRow.case_id == CaseRow.id)
            .where(
                DeadlineRow.provisional.is_(True),
                DeadlineRow.status.in_(("running", "paused")),
            )
            .distinct()
        )
        return list(self.session.scalars(stmt))

    def imported_refs(self, agency_id: int, keys: list[str]) -> dict[str, str]:
        """Reference numbers of requests already imported for the agency, by row key."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # a parameter list the databases accept
            rows = self.session.execute(
                select(ImportedRequestRow.row_key, CaseRow.ref)
                .join(CaseRow, CaseRow.id == ImportedRequestRow.case_id)
                .where(
                    ImportedRequestRow.agency_id == agency_id,
                    ImportedRequestRow.row_key.in_(keys[start : start + 500]),
                )
            )
            found.update(dict(rows.all()))
        return found

    def declared_records(
        self, case_type: str, deadline_key: str, agency_ids: list[int], open_states: frozenset[str]
    ) -> list[Any]:
        """The cases of a declared type as its periodic reports read them."""
        return declared_records(self.session, case_type, deadline_key, agency_ids, open_states)


def _month_end(day: date) -> date:
    nxt = (
        day.replace(year=day.year + 1, month=1, day=1)
        if day.month == 12
        else day.replace(month=day.month + 1, day=1)
    )
    return date.fromordinal(nxt.toordinal() - 1)
