"""Tables of tamper evidence (SPEC A-2): the checkpoints taken (``checkpoints``) and what
``audit verify`` found and no later verify cleared (``audit_findings``), read and written
by ``integrity_repo``.

Apart from ``tables`` because no action on a case touches them: only the integrity use
cases write them (a checkpoint noted, a verify's findings), and a finding keeps no foreign
key to the case it is about.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govflow.models.tables import Base, UTCDateTime


class CheckpointRow(Base):
    """A checkpoint taken (SPEC A-2): when, of which cases, how many, and the digest over
    their heads. The digest that counts is the copy the supervisor keeps outside the
    database; this row only says which checkpoints were taken, and by whom."""

    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scope: Mapped[dict[str, Any]] = mapped_column(JSON)
    cases: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(64))


class AuditFindingRow(Base):
    """What ``audit verify`` found on a case, until a later verify finds the case clean
    (``cleared_at``). Reports refuse an agency with open findings (issue 16 item 1). No
    foreign key: a finding outlives a case deleted by whoever tampered with it."""

    __tablename__ = "audit_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    case_ref: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    table_name: Mapped[str | None] = mapped_column(String(64))
    column_name: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_audit_findings_agency_open", "agency_id", "cleared_at"),)
