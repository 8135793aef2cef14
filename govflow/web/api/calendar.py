"""The working-day calendar in force (SPEC T-1, T-4): years and their special days; the
files it is made of, and importing one (an administrator, issue 10): the same use case as
``govflow calendar import``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from govflow.web.api.auth import Caller, Reader
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services
from govflow.workflow.calendar import DayKind
from govflow.workflow.calendar.imports import MAX_BYTES

router = APIRouter(prefix="/api/v1/calendar", tags=["日历"], responses=ERROR_RESPONSES)


class Day(BaseModel):
    day: date
    kind: DayKind
    name: str | None


class Year(BaseModel):
    year: int
    official: bool
    days: list[Day]


@router.get("", response_model=list[int], summary="已载入国务院安排的年份")
def years(svc: Svc, who: Reader) -> list[int]:
    return services.calendar_years(svc)


class NewImport(BaseModel):
    name: str = Field(
        max_length=120, description="文件名：YYYY.yaml（年度节假日安排）或 名称.yaml（闭馆日）"
    )
    text: str = Field(
        max_length=MAX_BYTES, description="文件内容（UTF-8 YAML，格式同 configs/calendar）"
    )


class Change(BaseModel):
    ref: str
    changes: dict[str, dict[str, Any]] = Field(
        description="期限键 → {from, to, provisional, label（期限名称）}"
    )


class Imported(BaseModel):
    name: str
    kind: str = Field(description="year：年度节假日安排；closures：本机关闭馆日")
    year: int
    sha256: str
    import_id: int | None = Field(description="导入编号；与在用版本相同时为空（未作更改）")
    unchanged: bool
    checked: int = Field(description="按新日历重新计算期限的案件数")
    changed: list[Change]


class CalendarFile(BaseModel):
    id: int
    name: str
    kind: str
    year: int
    sha256: str
    imported_by: str
    imported_at: datetime


@router.get("/imports", response_model=list[CalendarFile], summary="在用的日历文件")
def calendar_files(svc: Svc, who: Reader) -> list[CalendarFile]:
    return [CalendarFile(**vars(f)) for f in services.calendar_files(svc)]


@router.post(
    "/imports",
    response_model=Imported,
    status_code=status.HTTP_200_OK,
    summary="导入日历文件（系统管理员），并重新计算未办结案件的期限",
)
def import_calendar(svc: Svc, who: Caller, body: NewImport) -> Imported:
    done = services.import_calendar(svc, who, body.name, body.text)
    return Imported(
        name=done.name,
        kind=done.kind,
        year=done.year,
        sha256=done.sha256,
        import_id=done.import_id,
        unchanged=done.unchanged,
        checked=done.checked,
        changed=[Change(ref=ref, changes=changes) for ref, changes in done.changes],
    )


@router.get("/{year}", response_model=Year, summary="一年的节假日、调休上班日与本机关闭馆日")
def year(svc: Svc, who: Reader, year: int) -> Year:
    found = services.calendar_year(svc, year)
    return Year(
        year=found.year,
        official=found.official,
        days=[Day(day=d.day, kind=d.kind, name=d.name) for d in found.days],
    )
