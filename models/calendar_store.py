"""The calendar kept in the database (issue 10): ``calendar_imports`` behind the domain's
``CalendarStore`` port (``workflow/calendar/imports.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govflow.models.tables import CalendarImportRow, CaseRow, DeadlineRow
from govflow.workflow.calendar.imports import CalendarFile, StoredCalendarFile


class SqlCalendarStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def imports(self) -> list[StoredCalendarFile]:
        rows = self.session.scalars(select(CalendarImportRow).order_by(CalendarImportRow.id))
        return [
            StoredCalendarFile(
                id=r.id,
                name=r.name,
                kind=r.kind,
                year=r.year,
                text=r.text,
                sha256=r.sha256,
                imported_by=r.imported_by,
                imported_at=r.imported_at,
            )
            for r in rows
        ]

    def newest_id(self) -> int | None:
        newest: int | None = self.session.scalar(select(func.max(CalendarImportRow.id)))
        return newest

    def add(self, file: CalendarFile, by: str, at: datetime) -> int:
        row = CalendarImportRow(
            name=file.name,
            kind=file.kind,
            year=file.year,
            text=file.text,
            sha256=file.sha256,
            imported_by=by,
            imported_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def refs_with_running_deadlines(self) -> list[str]:
        stmt = (
            select(CaseRow.ref)
            .join(DeadlineRow, DeadlineRow.case_id == CaseRow.id)
            .where(DeadlineRow.status.in_(("running", "paused")))
            .group_by(CaseRow.id, CaseRow.ref)
            .order_by(CaseRow.id)
        )
        return list(self.session.scalars(stmt))
