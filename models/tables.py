"""SQLAlchemy 2.x tables. The domain never imports this module; the repository maps rows.

``cases`` holds what queries need (state, version for optimistic locking, the chain
head); ``events`` is the append-only history; ``deadlines`` is a projection of the
events, one row per obligation, indexed for the sweeper. Here too: agencies and accounts,
reference counters, the escalation machinery and the calendar imports, with ``Base``,
its naming convention and ``UTCDateTime``, on which every table module builds.

A concept's own tables live beside it: the disclosure register's in
``disclosure_tables``, the tamper evidence's in ``integrity_tables``, identity's in
``identity_tables``, the notice templates' in ``notice_templates``; ``schema`` gathers
them all on one ``MetaData``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from govflow.models.canonical_json import CanonicalJSON


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC instants on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The end of time: ``cases.queue_due_at`` of a case with no running obligation, so that it
# sorts after every case with one.
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AgencyRow(Base):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    ref_prefix: Mapped[str] = mapped_column(String(32), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))


class UserRow(Base):
    """An account (SPEC U-1). Never deleted: a departed user is deactivated, so the names
    on past events stay. ``agency_id`` is empty only for administrators."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    email: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), server_default="person")  # person | service
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the login lockout
    failures_reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    oidc_subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    managed_by_org: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserRoleRow(Base):
    """The roles a user holds, one row each (a small office's head also handles cases)."""

    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class RefCounterRow(Base):
    """Last sequence number handed out per agency, case type and year (依申〔2026〕0012号)."""

    __tablename__ = "ref_counters"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    case_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class CaseRow(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    case_type: Mapped[str] = mapped_column(String(64), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    head_seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    escalation_policy: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last event's instant
    # The facts and deadlines folded from events 1…head_seq (``Case.stored_facts``, JSON
    # text), written with each event: what an action loads instead of replaying the
    # history. NULL (or another format) until then: the case is replayed once.
    facts: Mapped[str | None] = mapped_column(Text)
    # What lists filter by besides the columns above (``workflow.search``; migration 0013):
    # how the case arrived, when it left its type's open states, and its searchable text —
    # ``search_personal`` only for the staff of the case's agency.
    channel: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_text: Mapped[str | None] = mapped_column(Text)
    search_personal: Mapped[str | None] = mapped_column(Text)
    # What a list sorts by (``Case.queue_instants``; migration 0015): the nearest due
    # instant of the running obligations (``NO_DUE``, the end of time, when none: a plain
    # value keeps the index usable for ordering and keyset paging), and that of the running
    # optional limits, which count only until they pass — decided when the list is read.
    queue_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 0015 filled every row
    optional_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  optimistic locking
    __table_args__ = (
        Index("ix_cases_channel", "channel"),
        Index("ix_cases_closed_at", "closed_at"),
        Index("ix_cases_queue_due_at", "queue_due_at", "id"),
        Index("ix_cases_optional_due_at", "optional_due_at"),
    )


class DeadlineRow(Base):
    __tablename__ = "deadlines"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    provisional: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("case_id", "key"),
        Index("ix_deadlines_status_due_at", "status", "due_at"),
    )


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    state_before: Mapped[str | None] = mapped_column(String(32))
    state_after: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(CanonicalJSON)  # the text the hash covers
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA-256 of the hash under the installation key ``key_id`` (NULL: written before
    # the chain was keyed); the key itself is never in the database.
    key_id: Mapped[str | None] = mapped_column(String(32))
    mac: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("case_id", "seq"),)


class EscalationPolicyRow(Base):
    """Every escalation policy ever put in force, by digest: cases point at the one they follow."""

    __tablename__ = "escalation_policies"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EscalationScheduleRow(Base):
    """When each rule of each running deadline fires next; the sweeper's indexed work list.

    ``epoch`` grows whenever the deadline's due instant changes (extension, pause, restart),
    so the ladder starts again for the new date; ``repeat_no`` counts the firings made within
    the epoch (the next firing's number: 0 for the first, then its repeats).
    """

    __tablename__ = "escalation_schedule"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    deadline_key: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(64))
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    repeat_no: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("case_id", "deadline_key", "rule"),)


class FiringRow(Base):
    """One firing of one rule, recorded once under its unique key (SPEC E-2).

    ``repeats``: how many repeats of the rule this firing stands for (a sweeper that finds
    several due makes one firing, from ``threshold_at`` on). A daily digest is a firing too,
    of no case and no schedule row (key ``digest:<day>:<username>``).
    """

    __tablename__ = "firings"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_schedule.id"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    deadline_key: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    action: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(200))
    threshold_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(Boolean)
    message: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    repeats: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))


class DigestRunRow(Base):
    """One day's daily digests (SPEC E-3, issue 14): claimed by one sweeper with
    ``FOR UPDATE SKIP LOCKED`` and marked done in the transaction that records them."""

    __tablename__ = "digest_runs"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digests: Mapped[int] = mapped_column(Integer, default=0)


class DeliveryRow(Base):
    """The outbox: one notification to one recipient through one channel."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(240), unique=True)
    firing_id: Mapped[int] = mapped_column(ForeignKey("firings.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_deliveries_status_not_before", "status", "not_before"),)


class CalendarImportRow(Base):
    """One calendar file imported (issue 10): a year's schedule or an office's closure
    days, its text and SHA-256, who imported it and when. Append-only: what is in force is
    the latest import of each file (``workflow/calendar/imports.py``)."""

    __tablename__ = "calendar_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


def dialect_insert(session: Any) -> Any:
    """``INSERT … ON CONFLICT`` for the session's database (PostgreSQL or SQLite): the upserts
    that keep reference numbers and policy digests safe when clerks act at once."""
    return insert_for(session.get_bind().dialect.name)


def insert_for(dialect: str) -> Any:
    """``dialect_insert`` by the database's name (a statement built once per database)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect == "postgresql" else sqlite.insert
