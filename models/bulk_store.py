"""The bulk writer's store: the database as the use cases see it, in memory, between
flushes, and the flush that inserts it with one multi-row statement per table.

``BulkStore`` reads once what the use cases ask of the database (agencies, accounts, the
reference counters, the ladders in force, the applicants' earlier requests), keeps each
case written since the last flush (``OpenCase``) and inserts them in one transaction.
Apart from ``bulk`` (the ports it answers through: repository, register, escalations,
unit of work) because it is the one part that touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from govflow.models.disclosure_tables import ChallengeRow, DisclosureRequestRow
from govflow.models.rows import deadline_values, event_values
from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    DeadlineRow,
    EscalationPolicyRow,
    EscalationScheduleRow,
    EventRow,
    RefCounterRow,
    UserRoleRow,
    UserRow,
    dialect_insert,
)
from govflow.workflow.actors import AccountKind, AccountStatus, Actor, Agency, Role, ordered
from govflow.workflow.deadlines import Deadline
from govflow.workflow.errors import GovflowError, NotFound
from govflow.workflow.escalation import Policy
from govflow.workflow.events import CaseEvent


@dataclass(frozen=True)
class PastRequest:
    """What the use cases ask about an applicant's earlier requests (D-7 counting)."""

    received_on: date
    case_id: int
    description_key: str
    ref: str
    agency_id: int


@dataclass
class OpenCase:
    """A case written since the last flush: its row, history, deadlines and schedule."""

    row: CaseRow
    agency_code: str
    events: list[CaseEvent] = field(default_factory=list)
    deadlines: dict[str, Deadline] = field(default_factory=dict)  # as last saved, by key
    schedule: dict[tuple[str, str], EscalationScheduleRow] = field(default_factory=dict)
    request: DisclosureRequestRow | None = None
    challenges: list[dict[str, Any]] = field(default_factory=list)  # rows of ``challenges``


class BulkStore:
    """The database as the use cases see it, in memory, between flushes."""

    def __init__(self, engine: Engine, first_id: int | None = None) -> None:
        """``first_id``: where this store's case ids start (default: after the last one);
        writers running in parallel are given ranges that do not overlap."""
        self.engine = engine
        self.broken = False
        self.cases: dict[str, OpenCase] = {}
        self.by_id: dict[int, OpenCase] = {}
        self.new_policies: list[EscalationPolicyRow] = []
        with Session(engine) as session:
            rows = list(session.execute(select(AgencyRow)).scalars())
            codes = {a.id: a.code for a in rows}
            self.agencies = {
                a.code: Agency(a.id, a.code, a.name, a.ref_prefix, codes.get(a.parent_id))  # type: ignore[arg-type]
                for a in rows
            }
            roles: dict[int, list[Role]] = {}
            for user_id, role in session.execute(select(UserRoleRow.user_id, UserRoleRow.role)):
                roles.setdefault(user_id, []).append(Role(role))
            self.actors: dict[str, Actor] = {}
            for u in session.execute(select(UserRow)).scalars():
                held = ordered(roles.get(u.id, ()))
                if held:
                    self.actors[u.username] = Actor(
                        u.username,
                        u.name,
                        held[0],
                        codes.get(u.agency_id) if u.agency_id is not None else None,
                        roles=held,
                        status=AccountStatus(u.status),
                        kind=AccountKind(u.kind),
                    )
            self.counters = {
                (c.agency_id, c.case_type, c.year): c.last_seq
                for c in session.execute(select(RefCounterRow)).scalars()
            }
            self.policies = {
                p.digest: Policy.model_validate(p.body)
                for p in session.execute(select(EscalationPolicyRow)).scalars()
            }
            self.next_id = first_id or (session.scalar(select(func.max(CaseRow.id))) or 0) + 1
            self.applicants: dict[str, list[PastRequest]] = {}
            past = session.execute(
                select(
                    DisclosureRequestRow.applicant_key,
                    DisclosureRequestRow.received_on,
                    DisclosureRequestRow.case_id,
                    DisclosureRequestRow.description_key,
                    CaseRow.ref,
                    CaseRow.agency_id,
                )
                .join(CaseRow, CaseRow.id == DisclosureRequestRow.case_id)
                .order_by(DisclosureRequestRow.case_id)
            )
            for key, received_on, case_id, description_key, ref, agency_id in past:
                self.applicants.setdefault(key, []).append(
                    PastRequest(received_on, case_id, description_key, ref, agency_id)
                )
        self.changed_counters: set[tuple[int, str, int]] = set()

    def case(self, ref: str) -> OpenCase:
        found = self.cases.get(ref)
        if found is None:
            raise NotFound(f"没有编号为 {ref} 的案件（批量写入只能办理本批新建的案件）")
        return found

    def flush(self) -> int:
        """Insert the cases written since the last flush, in one transaction; returns how many."""
        if self.broken:
            raise GovflowError("批量写入中途出错，已停止写入数据库")
        if not self.cases and not self.new_policies:
            return 0
        cases = list(self.cases.values())
        with Session(self.engine) as session, session.begin():
            upsert = dialect_insert(session)
            if self.new_policies:
                session.execute(
                    upsert(EscalationPolicyRow).on_conflict_do_nothing(index_elements=["digest"]),
                    [_values(p) for p in self.new_policies],
                )
            _insert(session, CaseRow, [c.row for c in cases])
            _insert(session, DisclosureRequestRow, [c.request for c in cases if c.request])
            _insert_values(
                session, EventRow, [event_values(c.row.id, e) for c in cases for e in c.events]
            )
            _insert_values(session, ChallengeRow, [v for c in cases for v in c.challenges])
            # A deadline row is rewritten whole on every save: the last save is what stays.
            _insert_values(
                session,
                DeadlineRow,
                [
                    {"case_id": c.row.id, "key": key, **deadline_values(d)}
                    for c in cases
                    for key, d in c.deadlines.items()
                ],
            )
            _insert(session, EscalationScheduleRow, [s for c in cases for s in c.schedule.values()])
            for key in sorted(self.changed_counters):
                stmt = upsert(RefCounterRow).values(
                    agency_id=key[0], case_type=key[1], year=key[2], last_seq=self.counters[key]
                )
                session.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["agency_id", "case_type", "year"],
                        set_={"last_seq": stmt.excluded.last_seq},
                    )
                )
            if session.get_bind().dialect.name == "postgresql":
                # Ids were handed out here: move the sequence past them for later inserts
                # (never back: a parallel writer may have gone further).
                session.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence('cases', 'id'),"
                        " GREATEST(:last, (SELECT max(id) FROM cases)))"
                    ),
                    {"last": self.next_id - 1},
                )
        self.cases.clear()
        self.by_id.clear()
        self.new_policies.clear()
        self.changed_counters.clear()
        return len(cases)


def _values(row: Any) -> dict[str, Any]:
    """A row's column values, leaving out a primary key not yet assigned."""
    return {
        c.key: getattr(row, c.key)
        for c in row.__table__.columns
        if not (c.primary_key and getattr(row, c.key) is None)
    }


def _insert(session: Session, table: type[Any], rows: list[Any]) -> None:
    _insert_values(session, table, [_values(r) for r in rows])


def _insert_values(session: Session, table: type[Any], values: list[dict[str, Any]]) -> None:
    # Core, not the ORM's bulk insert: that one would reset the optimistic-lock version.
    if values:
        session.execute(insert(table.__table__), values)
