"""Rows in, domain objects out: agencies, users, cases with their events and deadlines.

Implements ``CaseRepository`` (``govflow.workflow.ports``); the tamper-evidence reads come
from ``IntegrityQueries``. A case type's own tables have their own store
(``govflow.models.disclosure_register``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from govflow.models.case_writes import CaseWrites
from govflow.models.db import core
from govflow.models.declared_repo import declared_records
from govflow.models.integrity_repo import IntegrityQueries
from govflow.models.listing import page_statement
from govflow.models.rows import (
    LoadedCase,
    case_record,
    new_case_row,
)
from govflow.models.statements import (
    actor_rows,
    actor_with_case,
    agency_rows,
    case_with_agency,
    next_number,
)
from govflow.models.tables import (
    NO_DUE,
    AgencyRow,
    CaseRow,
    DeadlineRow,
    EventRow,
    UserRow,
)
from govflow.workflow.access import case_not_found
from govflow.workflow.actors import AccountKind, AccountStatus, Actor, Agency, Role, ordered
from govflow.workflow.cases import Case, CaseRecord
from govflow.workflow.deadline_terms import Basis
from govflow.workflow.deadlines import Deadline
from govflow.workflow.errors import ActionNotAllowed, NotFound
from govflow.workflow.events import CaseEvent
from govflow.workflow.kept_facts import FORMAT_PREFIX
from govflow.workflow.ports import CaseQuery, LimitRecord, ListPosition
from govflow.workflow.reports.periodic import CaseRecord as PeriodicRecord


class Repository(CaseWrites, IntegrityQueries):
    """Cases, agencies and users; a loaded case's writes come from ``CaseWrites``, the
    tamper-evidence reads from ``IntegrityQueries``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # A case added here is an ORM row (its id comes with the flush); a case read is
        # plain values, written back by ``case_update`` without the ORM's unit of work.
        self._rows: dict[str, CaseRow | LoadedCase] = {}
        self._agencies: dict[str, Agency] = {}
        # What ``prefetch`` read, each answered once (by ``actor`` and by ``get``).
        self._fetched: dict[str, Sequence[Row[Any]]] = {}
        self._fetched_cases: dict[str, Row[Any] | None] = {}
        self._postgres = session.get_bind().dialect.name == "postgresql"

    # -- agencies and users -------------------------------------------------------

    def agency(self, code: str) -> Agency:
        known = self._agencies.get(code)
        if known is not None:  # came along with a case this unit of work read
            return known
        row = self.session.scalar(select(AgencyRow).where(AgencyRow.code == code))
        if row is None:
            raise NotFound(f"没有代码为 {code!r} 的机关")
        parent = self.session.get(AgencyRow, row.parent_id) if row.parent_id else None
        return _agency(row, parent.code if parent else None)

    def add_agency(self, code: str, name: str, ref_prefix: str, parent: str | None) -> Agency:
        """A new agency row (its code and prefix are unique in the table: a concurrent twin
        fails at the flush, as a conflict)."""
        parent_id = self.agency(parent).id if parent else None
        row = AgencyRow(code=code, name=name, ref_prefix=ref_prefix, parent_id=parent_id)
        self.session.add(row)
        self.session.flush()
        return _agency(row, parent)

    def agencies(self) -> list[Agency]:
        """Every agency, in id order (one query: a county has tens, a city hundreds)."""
        rows = self.session.execute(agency_rows()).all()
        codes = {row.id: row.code for row in rows}
        return [_agency(row, codes.get(row.parent_id)) for row in rows]

    def actor(self, username: str) -> Actor:
        """The user with every role held and the account's status, in one statement (every
        action asks): whether the status lets them act is the service layer's to say."""
        rows = self._fetched.pop(username, None)
        if rows is None:
            rows = core(self.session).execute(actor_rows(), {"username": username}).all()
        if not rows:
            raise NotFound(f"没有用户 {username!r}")
        name, status, agency_code, _, kind = rows[0][:5]
        roles = ordered(Role(r[3]) for r in rows if r[3] is not None)
        if not roles:
            raise ActionNotAllowed(f"用户 {username} 没有任何角色")
        return Actor(
            username,
            name,
            roles[0],
            agency_code,
            roles=roles,
            status=AccountStatus(status),
            kind=AccountKind(kind),
        )

    def prefetch(self, username: str, ref: str) -> None:
        """Read the account and the case an action is about in one statement; the next
        ``actor(username)`` and ``get(ref)`` answer from it, once each (a later ``get``
        reads the case again, as saved)."""
        rows = core(self.session).execute(actor_with_case(), {"username": username, "ref": ref})
        fetched = rows.all()
        if not fetched:
            return  # no such account: ``actor`` says so
        self._fetched[username] = fetched
        self._fetched_cases[ref] = fetched[0] if fetched[0].id is not None else None

    def names(self, usernames: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(usernames))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(UserRow.username, UserRow.name).where(UserRow.username.in_(wanted))
        )
        return {username: name for username, name in rows}

    # -- references ------------------------------------------------------------------

    def next_ref_seq(self, agency_id: int, case_type: str, year: int) -> int:
        """Atomically take the next number (row-locked upsert: safe with concurrent clerks)."""
        dialect = "postgresql" if self._postgres else "sqlite"
        values = {"agency_id": agency_id, "case_type": case_type, "year": year}
        return int(core(self.session).execute(next_number(dialect), values).scalar_one())

    # -- cases -----------------------------------------------------------------------

    def add(self, case: Case, agency_id: int, now: datetime) -> None:
        row = new_case_row(case, agency_id, now)
        self.session.add(row)
        self._rows[case.ref] = row

    def get(self, ref: str) -> CaseRecord:
        """The case row, its stored facts and its agency: one statement."""
        if ref in self._fetched_cases:
            found = self._fetched_cases.pop(ref)
        else:
            found = core(self.session).execute(case_with_agency(), {"ref": ref}).first()
        if found is None:
            # The one answer a person gets for a missing case and one they may not read.
            raise case_not_found(ref)
        return self._record(found)

    def _record(self, row: Row[Any]) -> CaseRecord:
        self._rows[row.ref] = LoadedCase(
            row.id, row.agency_id, row.version, row.updated_at, row.closed_at
        )
        self._agencies[row.agency_code] = Agency(
            row.agency_id, row.agency_code, row.agency_name, row.agency_prefix, row.parent_code
        )
        return case_record(row, row.agency_code)

    def case_row(self, ref: str) -> CaseRow | LoadedCase:
        """The row of a case this repository added or read (a type's store keys on it)."""
        return self._rows[ref]

    def case_id(self, ref: str) -> int:
        return self._rows[ref].id

    def events(self, ref: str) -> list[CaseEvent]:
        rows = self.session.scalars(
            select(EventRow)
            .where(EventRow.case_id == self._rows[ref].id)
            .order_by(EventRow.seq, EventRow.id)
        )
        return [to_event(ref, r) for r in rows]

    def refs_without_facts(self, after_id: int | None, limit: int) -> list[tuple[int, str]]:
        current = FORMAT_PREFIX + "%"
        stmt = select(CaseRow.id, CaseRow.ref).where(
            or_(CaseRow.facts.is_(None), CaseRow.facts.not_like(current))
        )
        if after_id is not None:
            stmt = stmt.where(CaseRow.id > after_id)
        return [(i, r) for i, r in self.session.execute(stmt.order_by(CaseRow.id).limit(limit))]

    def store_facts(self, case: Case) -> bool:
        row = self._rows[case.ref]
        values: dict[str, Any] = {
            "facts": case.stored_facts()[0],
            "updated_at": case.head_at or row.updated_at,
            "closed_at": case.closed_at(row.closed_at),
        }
        index = case.index()  # a replayed case has its creation event
        if index is not None:
            values |= {
                "channel": index.channel,
                "search_text": index.text,
                "search_personal": index.personal,
            }
        stored = self.session.execute(
            update(CaseRow)
            .where(CaseRow.id == row.id, CaseRow.version == row.version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return stored.rowcount == 1

    def stored_deadlines(self, ref: str) -> dict[str, dict[str, Any]]:
        rows = self.session.scalars(
            select(DeadlineRow).where(DeadlineRow.case_id == self._rows[ref].id)
        )
        return {r.key: r.detail for r in rows}

    def open_refs(
        self, case_type: str, states: frozenset[str], agency_ids: Sequence[int] | None = None
    ) -> list[str]:
        stmt = select(CaseRow.ref).where(CaseRow.case_type == case_type, CaseRow.state.in_(states))
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

    def deadline_records(
        self, case_type: str, agency_ids: Sequence[int], basis: str
    ) -> Iterator[tuple[str, Deadline]]:
        """Every stored deadline of ``basis`` of the type's cases in the agencies, streamed."""
        stmt = (
            select(CaseRow.ref, DeadlineRow.detail)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(
                CaseRow.case_type == case_type,
                CaseRow.agency_id.in_(agency_ids),
                DeadlineRow.basis == basis,
            )
            .order_by(CaseRow.id, DeadlineRow.id)
            .execution_options(yield_per=1000)
        )
        for ref, detail in self.session.execute(stmt):
            yield ref, Deadline.from_json(detail)

    def declared_records(
        self,
        case_type: str,
        deadline_key: str,
        agency_ids: Sequence[int],
        open_states: frozenset[str],
    ) -> list[PeriodicRecord]:
        """The cases of a declared type as its periodic reports read them."""
        return declared_records(self.session, case_type, deadline_key, agency_ids, open_states)

    def working_day_limits(
        self, case_types: Sequence[str], agency_ids: Sequence[int]
    ) -> Iterator[LimitRecord]:
        """Every working-day limit of these types' cases in the agencies, with the agency's
        and the assignee's names, streamed (the timeliness report's other limits)."""
        stmt = (
            select(CaseRow.ref, CaseRow.case_type, AgencyRow.name, UserRow.name, CaseRow.assignee,
                   DeadlineRow.detail)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .join(AgencyRow, AgencyRow.id == CaseRow.agency_id)
            .outerjoin(UserRow, UserRow.username == CaseRow.assignee)
            .where(
                CaseRow.case_type.in_(case_types),
                CaseRow.agency_id.in_(agency_ids),
                DeadlineRow.basis == Basis.WORKING_DAYS.value,
            )
            .order_by(CaseRow.id, DeadlineRow.id)
            .execution_options(yield_per=1000)
        )  # fmt: skip
        for ref, case_type, agency, user_name, assignee, detail in self.session.execute(stmt):
            yield LimitRecord(
                ref, case_type, agency, user_name or assignee, Deadline.from_json(detail)
            )

    def channels(
        self, case_types: Sequence[str], agency_ids: Sequence[int] | None, limit: int
    ) -> list[str]:
        stmt = (
            select(CaseRow.channel)
            .where(CaseRow.case_type.in_(case_types), CaseRow.channel.is_not(None))
            .distinct()
            .order_by(CaseRow.channel)
            .limit(limit)
        )
        if agency_ids is not None:
            stmt = stmt.where(CaseRow.agency_id.in_(agency_ids))
        return [c for (c,) in self.session.execute(stmt)]

    def page(self, query: CaseQuery) -> list[tuple[CaseRecord, ListPosition]]:
        """One page of a list, least time left first: cases ordered by their nearest running
        deadline at ``query.running_at`` (none: last), then id; the page starts after
        ``query.after`` (keyset). One statement (``models.listing``).

        "Running" is ``Deadline.is_running_at``, the same key as ``Case.queue_deadline``,
        the deadline each row shows: a paused limit is stored without a due instant and
        orders nothing; an optional limit (a correction notice) stops running once its due
        instant passes unused, so it no longer holds the case at the top of the list nor
        counts as overdue."""
        statement, values = page_statement(query)
        rows = core(self.session).execute(statement, values)
        return [
            (self._record(row), ListPosition(None if row.due_at == NO_DUE else row.due_at, row.id))
            for row in rows
        ]


def _agency(row: AgencyRow | Row[Any], parent: str | None) -> Agency:
    return Agency(row.id, row.code, row.name, row.ref_prefix, parent)


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
