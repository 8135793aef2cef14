"""The working-day calendar in force (SPEC T-1, T-4): years and their special days."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from govflow.web.api.auth import Reader
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services
from govflow.workflow.calendar import DayKind

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


@router.get("/{year}", response_model=Year, summary="一年的节假日、调休上班日与本机关闭馆日")
def year(svc: Svc, who: Reader, year: int) -> Year:
    found = services.calendar_year(svc, year)
    return Year(
        year=found.year,
        official=found.official,
        days=[Day(day=d.day, kind=d.kind, name=d.name) for d in found.days],
    )
