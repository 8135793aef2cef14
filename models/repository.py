"""Rows in, domain objects out: agencies, users, cases with their stored facts and events.

The reads no action needs (lists, the applicant's history, reports) are in
``case_queries``, the tamper-evidence reads in ``integrity_repo``; both are mixed in.

An action costs few round trips (issue 17): one statement loads the case row with its
stored facts, its escalation schedule and the reference-data generation; saving appends
the events, updates the row (its version checked), and writes only what changed — the
deadline rows and the schedule rows in one set-based upsert each, the request's results
when they moved. Agencies, actors and policies come from the process's cache
(``models.reference``). Statements are Core, not ORM: nothing is tracked, nothing
fetched twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from govflow.models import case_writes
from govflow.models.case_queries import CASE_COLUMNS, CaseQueries
from govflow.models.case_writes import CaseWrites
from govflow.models.escalation_repo import SCHEDULE_COLUMNS, ScheduleState
from govflow.models.integrity_repo import IntegrityQueries
from govflow.models.reference import Agency, ReferenceCache, cache_for
from govflow.models.rows import (
    REQUEST_FIELDS,
    challenge_values,
    deadline_values,
    event_text_values,
    new_case_values,
    new_request_row,
    request_values,
    stored_case_values,
)
from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    DeadlineRow,
    EscalationScheduleRow,
    EventRow,
    ImportedRequestRow,
    RefCounterRow,
    ReferenceDataRow,
    UserRow,
    dialect_insert,
)
from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.errors import Conflict, NotFound
from govflow.workflow.events import CaseEvent

CONFLICT_MESSAGE = "案件已被他人修改，本次操作未保存，请重新加载后再试"

_GENERATION = select(ReferenceDataRow.generation).where(ReferenceDataRow.id == 1).scalar_subquery()
_SCHEDULE_COLUMNS = SCHEDULE_COLUMNS
_CASE_COLUMNS = CASE_COLUMNS
# The case, its stored facts, its schedule rows (one result row each, or one of NULLs) and
# the reference generation: everything an action reads, in one round trip.
_LOAD = (
    select(*_CASE_COLUMNS, CaseRow.version, _GENERATION.label("generation"), *_SCHEDULE_COLUMNS)
    .select_from(CaseRow)
    .outerjoin(EscalationScheduleRow, EscalationScheduleRow.case_id == CaseRow.id)
    .where(CaseRow.ref == bindparam("ref"))
)
# Statements built once (building one costs more than running it): Core, on the tables.
_CASES = CaseRow.__table__
_ADD_CASE = insert(_CASES).returning(_CASES.c.id)
_READ_GENERATION = select(_GENERATION)
_ACTOR = (
    select(UserRow.username, UserRow.name, UserRow.role, AgencyRow.code, _GENERATION)
    .join(AgencyRow, AgencyRow.id == UserRow.agency_id)
    .where(UserRow.username == bindparam("username"))
)
_EVENT_COLUMNS = (
    EventRow.seq,
    EventRow.occurred_at,
    EventRow.actor,
    EventRow.actor_role,
    EventRow.action,
    EventRow.state_before,
    EventRow.state_after,
    EventRow.data,
    EventRow.prev_hash,
    EventRow.hash,
)


@dataclass
class Loaded:
    """What the repository remembers of a case it loaded or created, until it is saved."""

    id: int
    agency_id: int
    version: int
    schedule: dict[tuple[str, str], ScheduleState] = field(default_factory=dict)


class Repository(CaseQueries, IntegrityQueries):
    """Cases, agencies and users; the tamper-evidence reads come from ``IntegrityQueries``."""

    def __init__(self, session: Session, cache: ReferenceCache | None = None) -> None:
        self.session = session
        self.cache = cache if cache is not None else cache_for(session.get_bind())
        self._loaded: dict[str, Loaded] = {}
        self._confirmed = False  # this transaction has seen the current reference generation
        # Outside a transaction (``SqlUnitOfWork.single_write``): how many saves may still
        # be made (one: each statement commits by itself); None inside a transaction.
        self.saves_left: int | None = None

    def _execute(self, statement: Any, params: Any = None) -> Any:
        return self.session.connection().execute(statement, params)

    # -- agencies and users (cached per process) ---------------------------------------

    def _confirm_reference(self) -> None:
        """Consult the cache only once this transaction has read the current generation."""
        if not self._confirmed:
            self.cache.observe(self._execute(_READ_GENERATION).scalar_one())
            self._confirmed = True

    def _agencies(self) -> dict[str, Agency]:
        self._confirm_reference()
        found = self.cache.agencies()
        if found is None:
            rows = self._execute(
                select(
                    AgencyRow.id,
                    AgencyRow.code,
                    AgencyRow.name,
                    AgencyRow.ref_prefix,
                    AgencyRow.parent_id,
                    _GENERATION,
                ).order_by(AgencyRow.id)
            ).all()
            agencies = [Agency(*row[:5]) for row in rows]
            generation = rows[0][5] if rows else self.cache.generation
            if generation is not None:
                self.cache.observe(generation)
                self.cache.remember_agencies(generation, agencies)
            found = {a.code: a for a in agencies}
        return found

    def agency(self, code: str) -> Agency:
        agency = self._agencies().get(code)
        if agency is None:
            raise NotFound(f"没有代码为 {code!r} 的机关")
        return agency

    def _agency_code(self, agency_id: int) -> str:
        code = self.cache.agency_code(agency_id)
        if code is None:
            code = next(a.code for a in self._agencies().values() if a.id == agency_id)
        return code

    def user(self, username: str) -> UserRow:
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise NotFound(f"没有用户 {username!r}")
        return row

    def actor(self, username: str) -> Actor:
        self._confirm_reference()
        found = self.cache.actor(username)
        if found is not None:
            return found
        row = self._execute(_ACTOR, {"username": username}).first()
        if row is None:
            raise NotFound(f"没有用户 {username!r}")
        actor = Actor(row[0], row[1], Role(row[2]), row[3])
        self.cache.observe(row[4])
        self.cache.remember_actor(row[4], actor)
        return actor

    # -- references ------------------------------------------------------------------

    def next_ref_seq(self, agency_id: int, case_type: str, year: int) -> int:
        """Atomically take the next number (row-locked upsert: safe with concurrent clerks)."""
        insert_ = dialect_insert(self.session)
        stmt = insert_(RefCounterRow).values(
            agency_id=agency_id, case_type=case_type, year=year, last_seq=1
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["agency_id", "case_type", "year"],
            set_={"last_seq": RefCounterRow.last_seq + 1},
        ).returning(RefCounterRow.last_seq)
        return int(self._execute(stmt).scalar_one())

    # -- cases -----------------------------------------------------------------------

    def add(self, case: Case, agency_id: int, now: datetime) -> None:
        """Insert a new case's row at once (its id is needed by what follows); the first
        ``save`` fills in its state, head and facts."""
        case_id = self._execute(_ADD_CASE, new_case_values(case, agency_id, now)).scalar_one()
        self._loaded[case.ref] = Loaded(case_id, agency_id, 1)

    def add_request(self, case: Case, intake: dict[str, Any], derived: dict[str, Any]) -> None:
        loaded = self._loaded[case.ref]
        self.session.add(new_request_row(loaded.id, loaded.agency_id, intake, derived))
        self.session.flush()

    def load(self, ref: str) -> tuple[Case, str | None]:
        """The case row (header, chain head, version) with its stored facts, as text: one
        statement, which also reads the escalation schedule and the reference generation."""
        rows = self._execute(_LOAD, {"ref": ref}).all()
        if not rows:
            raise NotFound(f"没有编号为 {ref} 的案件")
        first = rows[0]
        self.cache.observe(first.generation)
        self._confirmed = True
        loaded = Loaded(first.id, first.agency_id, first.version)
        for row in rows:
            if row.deadline_key is not None:
                state = ScheduleState(*row[-len(_SCHEDULE_COLUMNS) :])
                loaded.schedule[(state.deadline_key, state.rule)] = state
        self._loaded[ref] = loaded
        return self._header(first), first.facts

    def _header(self, row: Any) -> Case:
        return Case(
            ref=row.ref,
            case_type=row.case_type,
            agency_code=self._agency_code(row.agency_id),
            state=row.state,
            assignee=row.assignee,
            escalation_policy=row.escalation_policy,
            head_seq=row.head_seq,
            head_hash=row.head_hash,
            head_at=row.updated_at,
        )

    def get(self, ref: str) -> Case:
        """The case as its row describes it (no facts)."""
        return self.load(ref)[0]

    def case_id(self, ref: str) -> int:
        return self._loaded[ref].id

    def loaded_schedule(self, ref: str) -> dict[tuple[str, str], ScheduleState]:
        """The escalation schedule rows as the case was loaded (none for a new case)."""
        return self._loaded[ref].schedule

    def events(self, ref: str) -> list[CaseEvent]:
        rows = self._execute(
            select(*_EVENT_COLUMNS)
            .where(EventRow.case_id == self._loaded[ref].id)
            .order_by(EventRow.seq, EventRow.id)
        )
        return [CaseEvent(ref, *row) for row in rows]

    def save(
        self,
        case: Case,
        new_events: list[CaseEvent],
        now: datetime,
        schedule: list[dict[str, Any]] | None = None,
    ) -> None:
        """Write the new events, the case row and whatever else they changed — the deadline
        rows and ``schedule`` rows that differ, the request's results if they moved — in
        this transaction (``case_writes``: one statement on PostgreSQL). Another writer's
        change since the load is a ``Conflict``."""
        loaded = self._loaded[case.ref]
        text, facts = case.stored_facts()
        before = case.loaded_state or {}
        old = {d["key"]: d for d in before.get("deadlines", ())}
        states = {d["key"]: d for d in facts["deadlines"]}
        writes = CaseWrites(
            loaded.id,
            loaded.version,
            {**stored_case_values(case, text, now), "version": loaded.version + 1},
            events=[event_text_values(loaded.id, e) for e in new_events],
            challenges=[
                c
                for c in (challenge_values(loaded.id, loaded.agency_id, e) for e in new_events)
                if c is not None
            ],
            deadlines=[
                {"case_id": loaded.id, "key": d.key, **deadline_values(d)}
                for d in case.deadlines
                if old.get(d.key) != states[d.key]
            ],
            schedule=schedule or [],
            request=(
                request_values(case)
                if any(before.get(name) != facts.get(name) for name in REQUEST_FIELDS)
                else None
            ),
        )
        if self.session.identity_map:
            self.session.flush()  # what the caller changed through the ORM goes first
        if self.saves_left is not None:
            # Each statement commits by itself here: a second save would not be atomic with
            # the first. A use case that saves twice needs its transaction.
            if self.saves_left < 1:
                raise RuntimeError("a second save outside a transaction (single_write)")
            self.saves_left -= 1
        if not case_writes.run(self.session.connection(), writes):
            raise Conflict(CONFLICT_MESSAGE)
        if self.session.identity_map:
            # These writes bypass the ORM: rows the caller holds (the sweeper its claimed
            # schedule row) are read again when next touched, not written back stale.
            self.session.expire_all()
        loaded.version += 1
        case.loaded_state = facts

    def stored_deadlines(self, ref: str) -> dict[str, dict[str, Any]]:
        rows = self._execute(
            select(DeadlineRow.key, DeadlineRow.detail).where(
                DeadlineRow.case_id == self._loaded[ref].id
            )
        )
        return {key: detail for key, detail in rows}

    def add_imported(self, case: Case, **values: Any) -> None:
        """Record where an imported request came from (its case row must be flushed)."""
        row = self._loaded[case.ref]
        self.session.add(ImportedRequestRow(case_id=row.id, agency_id=row.agency_id, **values))

    def agency_ids(self, code: str, include_children: bool = False) -> list[int]:
        """An agency's id, and with ``include_children`` those of every agency below it."""
        agencies = self._agencies()
        root = self.agency(code).id
        if not include_children:
            return [root]
        children: dict[int | None, list[int]] = {}
        for agency in agencies.values():
            children.setdefault(agency.parent_id, []).append(agency.id)
        found, todo = [root], [root]
        while todo:
            for child in sorted(children.get(todo.pop(), [])):
                if child not in found:
                    found.append(child)
                    todo.append(child)
        return found
