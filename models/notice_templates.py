"""Uploaded notice templates (``notice_templates``): the .docx bytes in the database, so
every process on every machine issues from the same template; implements
``govflow.workflow.notices.uploads.TemplateUploads``.

Rows are never deleted: a replaced or removed upload stays, inactive, with who removed it
and when (what a notice issued before was filled from stays known).

At most one upload is active per (agency, kind): two partial unique indexes say so to the
database itself (migration 0014), because reading the active row and then writing is a
race two processes can both win otherwise. Two indexes, not one, since an upload for every
agency has a NULL agency and NULLs never collide in a unique index. ``add`` and ``remove``
first wait for any other transaction on the same place (``_serialize``), so a second
upload replaces the first; should the index refuse a write all the same, the service tries
the whole upload again (``workflow.services.templates``).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Select,
    String,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from govflow.models.db import core
from govflow.models.tables import AgencyRow, Base, UTCDateTime
from govflow.workflow.documents.store import sha256_hex
from govflow.workflow.errors import NotFound
from govflow.workflow.notices.uploads import Marker, UploadedTemplate

ACTIVE_FOR_AGENCY = "active AND agency_id IS NOT NULL"
ACTIVE_FOR_ALL = "active AND agency_id IS NULL"
"""The predicates of the two partial unique indexes (one agency's uploads; every agency's)."""


class NoticeTemplateRow(Base):
    __tablename__ = "notice_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))  # NULL: every one
    kind: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    filename: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean)
    removed_by: Mapped[str | None] = mapped_column(String(64))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_notice_templates_kind_agency", "kind", "agency_id"),
        Index(
            "uq_notice_templates_active_agency",
            "agency_id",
            "kind",
            unique=True,
            sqlite_where=text(ACTIVE_FOR_AGENCY),
            postgresql_where=text(ACTIVE_FOR_AGENCY),
        ),
        Index(
            "uq_notice_templates_active_all",
            "kind",
            unique=True,
            sqlite_where=text(ACTIVE_FOR_ALL),
            postgresql_where=text(ACTIVE_FOR_ALL),
        ),
    )


_COLUMNS = (
    NoticeTemplateRow.id,
    AgencyRow.code,
    NoticeTemplateRow.kind,
    NoticeTemplateRow.sha256,
    NoticeTemplateRow.size,
    NoticeTemplateRow.filename,
    NoticeTemplateRow.uploaded_by,
    NoticeTemplateRow.uploaded_at,
    NoticeTemplateRow.active,
    NoticeTemplateRow.removed_by,
    NoticeTemplateRow.removed_at,
)


@cache
def _marker() -> Select[Any]:
    """The newest upload's id and the count of active ones, on the table (a Core statement):
    every action that issues a notice asks, so an upload in another process is used at once."""
    table = NoticeTemplateRow.__table__
    return select(
        func.coalesce(func.max(table.c.id), 0),
        func.count(table.c.id).filter(table.c.active.is_(True)),
    )


class SqlTemplateUploads:
    def __init__(self, session: Session) -> None:
        self.session = session

    def marker(self) -> Marker:
        newest, active = core(self.session).execute(_marker()).one()
        return int(newest), int(active)

    def _select(self, *extra):  # type: ignore[no-untyped-def]
        return (
            select(*_COLUMNS, *extra)
            .outerjoin(AgencyRow, AgencyRow.id == NoticeTemplateRow.agency_id)
            .order_by(NoticeTemplateRow.id)
        )

    def active(self) -> list[tuple[UploadedTemplate, bytes]]:
        stmt = self._select(NoticeTemplateRow.content).where(NoticeTemplateRow.active.is_(True))
        return [(UploadedTemplate(*row[:-1]), row[-1]) for row in self.session.execute(stmt)]

    def listing(self, include_inactive: bool) -> list[UploadedTemplate]:
        stmt = self._select()
        if not include_inactive:
            stmt = stmt.where(NoticeTemplateRow.active.is_(True))
        return [UploadedTemplate(*row) for row in self.session.execute(stmt)]

    def _agency_id(self, code: str | None) -> int | None:
        if code is None:
            return None
        found = self.session.scalar(select(AgencyRow.id).where(AgencyRow.code == code))
        if found is None:
            raise NotFound(f"没有代码为 {code!r} 的机关")
        return found

    def _serialize(self, agency_id: int | None, kind: str) -> None:
        """Wait for any other transaction replacing this (agency, kind) to end, so the
        active row read next is the one it left. ``FOR UPDATE`` alone is not enough on
        PostgreSQL: the waiter would find the row it waited for inactive and see nothing
        to replace. SQLite has one write lock for the file and takes it at a
        transaction's first write, not at its reads: a write that changes nothing takes
        it now (what ``BEGIN IMMEDIATE`` would)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"notice_templates:{agency_id or 0}:{kind}"},
            )
        else:
            self.session.execute(text("UPDATE notice_templates SET active = active WHERE 1 = 0"))

    def _active_row(self, agency_id: int | None, kind: str) -> NoticeTemplateRow | None:
        stmt = select(NoticeTemplateRow).where(
            NoticeTemplateRow.kind == kind,
            NoticeTemplateRow.active.is_(True),
            NoticeTemplateRow.agency_id.is_(None)
            if agency_id is None
            else NoticeTemplateRow.agency_id == agency_id,
        )
        return self.session.scalars(stmt.with_for_update()).first()

    def add(
        self,
        agency_code: str | None,
        kind: str,
        content: bytes,
        filename: str | None,
        by: str,
        at: datetime,
    ) -> UploadedTemplate:
        agency_id = self._agency_id(agency_code)
        self._serialize(agency_id, kind)
        old = self._active_row(agency_id, kind)
        if old is not None:
            old.active, old.removed_by, old.removed_at = False, by, at
            self.session.flush()  # the old row leaves the unique index before the new enters
        row = NoticeTemplateRow(
            agency_id=agency_id,
            kind=kind,
            sha256=sha256_hex(content),
            size=len(content),
            content=content,
            filename=filename,
            uploaded_by=by,
            uploaded_at=at,
            active=True,
        )
        self.session.add(row)
        self.session.flush()
        return self._record(row, agency_code)

    def remove(
        self, agency_code: str | None, kind: str, by: str, at: datetime
    ) -> UploadedTemplate | None:
        agency_id = self._agency_id(agency_code)
        self._serialize(agency_id, kind)
        row = self._active_row(agency_id, kind)
        if row is None:
            return None
        row.active, row.removed_by, row.removed_at = False, by, at
        self.session.flush()
        return self._record(row, agency_code)

    @staticmethod
    def _record(row: NoticeTemplateRow, agency_code: str | None) -> UploadedTemplate:
        return UploadedTemplate(
            row.id,
            agency_code,
            row.kind,
            row.sha256,
            row.size,
            row.filename,
            row.uploaded_by,
            row.uploaded_at,
            row.active,
            row.removed_by,
            row.removed_at,
        )
