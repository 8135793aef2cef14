"""Rows in, domain objects out: agencies, users, cases with their events and deadlines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govflow.models.declared_repo import declared_records
from govflow.models.integrity_repo import IntegrityQueries
from govflow.models.rows import (
    apply_deadlines,
    case_header,
    challenge_values,
    event_row,
    new_case_row,
    new_request_row,
    update_case_row,
    update_request_row,
)
from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    ChallengeRow,
    DeadlineRow,
    DisclosureRequestRow,
    EventRow,
    ImportedRequestRow,
    RefCounterRow,
    UserRoleRow,
    UserRow,
    dialect_insert,
)
from govflow.workflow.actors import AccountStatus, Actor, Role, ordered
from govflow.workflow.cases import Case
from govflow.workflow.errors import ActionNotAllowed, NotFound
from govflow.workflow.events import CaseEvent


class Repository(IntegrityQueries):
    """Cases, agencies and users; the tamper-evidence reads come from ``IntegrityQueries``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, CaseRow] = {}

    # -- agencies and users -------------------------------------------------------

    def agency(self, code: str) -> AgencyRow:
        row = self.session.scalar(select(AgencyRow).where(AgencyRow.code == code))
        if row is None:
            raise NotFound(f"没有代码为 {code!r} 的机关")
        return row

    def agency_by_id(self, agency_id: int) -> AgencyRow:
        return self.session.get_one(AgencyRow, agency_id)

    def user(self, username: str) -> UserRow:
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise NotFound(f"没有用户 {username!r}")
        return row

    def actor(self, username: str) -> Actor:
        """The user with every role held and the account's status, in one statement (every
        action asks): whether the status lets them act is the service layer's to say."""
        stmt = (
            select(UserRow.name, UserRow.status, AgencyRow.code, UserRoleRow.role)
            .outerjoin(AgencyRow, AgencyRow.id == UserRow.agency_id)
            .outerjoin(UserRoleRow, UserRoleRow.user_id == UserRow.id)
            .where(UserRow.username == username)
        )
        rows = self.session.execute(stmt).all()
        if not rows:
            raise NotFound(f"没有用户 {username!r}")
        name, status, agency_code = rows[0][:3]
        roles = ordered(Role(r.role) for r in rows if r.role is not None)
        if not roles:
            raise ActionNotAllowed(f"用户 {username} 没有任何角色")
        return Actor(
            username, name, roles[0], agency_code, roles=roles, status=AccountStatus(status)
        )

    # -- references ------------------------------------------------------------------

    def next_ref_seq(self, agency_id: int, case_type: str, year: int) -> int:
        """Atomically take the next number (row-locked upsert: safe with concurrent clerks)."""
        insert = dialect_insert(self.session)
        stmt = insert(RefCounterRow).values(
            agency_id=agency_id, case_type=case_type, year=year, last_seq=1
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["agency_id", "case_type", "year"],
            set_={"last_seq": RefCounterRow.last_seq + 1},
        ).returning(RefCounterRow.last_seq)
        return int(self.session.execute(stmt).scalar_one())

    # -- cases -----------------------------------------------------------------------

    def add(self, case: Case, agency_id: int, now: datetime) -> None:
        row = new_case_row(case, agency_id, now)
        self.session.add(row)
        self._rows[case.ref] = row

    def add_request(self, case: Case, intake: dict[str, Any], derived: dict[str, Any]) -> None:
        row = self._rows[case.ref]
        self.session.add(new_request_row(row.id, row.agency_id, intake, derived))

    def get(self, ref: str) -> Case:
        row = self.session.scalar(select(CaseRow).where(CaseRow.ref == ref))
        if row is None:
            raise NotFound(f"没有编号为 {ref} 的案件")
        self._rows[ref] = row
        return case_header(row, self.agency_by_id(row.agency_id).code)

    def case_id(self, ref: str) -> int:
        return self._rows[ref].id

    def events(self, ref: str) -> list[CaseEvent]:
        rows = self.session.scalars(
            select(EventRow)
            .where(EventRow.case_id == self._rows[ref].id)
            .order_by(EventRow.seq, EventRow.id)
        )
        return [to_event(ref, r) for r in rows]

    def save(self, case: Case, new_events: list[CaseEvent], now: datetime) -> None:
        """Write the case header, its new events and all its deadline rows, in this transaction."""
        row = self._rows[case.ref]
        update_case_row(row, case, now)
        self.session.add_all(event_row(row.id, event) for event in new_events)
        for event in new_events:
            challenge = challenge_values(row.id, row.agency_id, event)
            if challenge is not None:
                self.session.add(ChallengeRow(**challenge))
        existing = {
            d.key: d
            for d in self.session.scalars(select(DeadlineRow).where(DeadlineRow.case_id == row.id))
        }
        self.session.add_all(apply_deadlines(existing, row.id, case.deadlines))
        request = self.session.get(DisclosureRequestRow, row.id)
        if request is not None:
            update_request_row(request, case)

    def stored_deadlines(self, ref: str) -> dict[str, dict[str, Any]]:
        rows = self.session.scalars(
            select(DeadlineRow).where(DeadlineRow.case_id == self._rows[ref].id)
        )
        return {r.key: r.detail for r in rows}

    def request(self, ref: str) -> DisclosureRequestRow | None:
        return self.session.get(DisclosureRequestRow, self._rows[ref].id)

    def applicant_counts(self, applicant_key: str, received_on: date, ref: str) -> dict[str, Any]:
        """The applicant's requests this month and year, and this one's ordinal in the month."""
        month_start = received_on.replace(day=1)
        year_start = received_on.replace(month=1, day=1)
        case_id = self._rows[ref].id
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

    def add_imported(self, case: Case, **values: Any) -> None:
        """Record where an imported request came from (its case row must be flushed)."""
        row = self._rows[case.ref]
        self.session.add(ImportedRequestRow(case_id=row.id, agency_id=row.agency_id, **values))

    def declared_records(
        self, case_type: str, deadline_key: str, agency_ids: list[int], open_states: frozenset[str]
    ) -> list[Any]:
        """The cases of a declared type as its periodic reports read them."""
        return declared_records(self.session, case_type, deadline_key, agency_ids, open_states)

    def agency_ids(self, code: str, include_children: bool = False) -> list[int]:
        """An agency's id, and with ``include_children`` those of every agency below it."""
        root = self.agency(code).id
        if not include_children:
            return [root]
        children: dict[int | None, list[int]] = {}
        for agency_id, parent_id in self.session.execute(select(AgencyRow.id, AgencyRow.parent_id)):
            children.setdefault(parent_id, []).append(agency_id)
        found, todo = [root], [root]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.append(child)
                    todo.append(child)
        return found


def to_event(ref: str, row: EventRow) -> CaseEvent:
    return CaseEvent(
        case_ref=ref,
        seq=row.seq,
        occurred_at=row.occurred_at,
        actor=row.actor,
        actor_role=row.actor_role,
        action=row.action,
        state_before=row.state_before,
        state_after=row.state_after,
        data=row.data,
        prev_hash=row.prev_hash,
        hash=row.hash,
        key_id=row.key_id,
        mac=row.mac,
    )


def _month_end(day: date) -> date:
    nxt = (
        day.replace(year=day.year + 1, month=1, day=1)
        if day.month == 12
        else day.replace(month=day.month + 1, day=1)
    )
    return date.fromordinal(nxt.toordinal() - 1)
