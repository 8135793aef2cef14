"""Reports (SPEC R-1, R-2): the annual report as JSON, CSV or .xlsx, and timeliness.

A report over agencies whose history ``audit verify`` found in doubt is refused (422)
unless ``allow_findings`` is given; it then says so in its ``audit_note``.
"""

from __future__ import annotations

import io
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, RootModel

from govflow.presentation.annual import to_csv, to_xlsx
from govflow.presentation.timeliness import timeliness_csv
from govflow.web.api.auth import Reader
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services
from govflow.workflow.lawful import IsoDate
from govflow.workflow.reports.timeliness import TimelinessReport
from govflow.workflow.services import AccountabilityEntry

router = APIRouter(prefix="/api/v1/reports", tags=["报表"], responses=ERROR_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AnnualFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class TableFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


class Timeliness(RootModel[TimelinessReport]):
    """The timeliness report as the service returns it (rates as fractions). Defined here,
    with ``AccountabilityEntry`` given, so the report's forward reference to it resolves."""


Timeliness.model_rebuild(_types_namespace={"AccountabilityEntry": AccountabilityEntry})


class AnnualRow(BaseModel):
    key: str
    label: str
    depth: int
    values: list[int] | None


class AnnualReport(BaseModel):
    """Tables 三 and 四 of the year's format (columns: 自然人, five 法人或其他组织, 总计)."""

    agency: str
    year: int
    format_name: str
    format_title: str
    rows: list[AnnualRow]
    table4: list[int]
    violations: list[str]
    audit_note: str | None


Agency = Annotated[str, Query(max_length=64, description="机关代码")]
Children = Annotated[bool, Query(description="包括下级机关")]
AllowFindings = Annotated[bool, Query(description="校验有未消除的发现时照常生成（报表注明）")]


def _download(body: bytes, media: str, name: str) -> Response:
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get(
    "/annual",
    response_model=AnnualReport,
    summary="政府信息公开工作年度报告（表三、表四）",
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
def annual(
    svc: Svc,
    who: Reader,
    agency: Agency,
    year: Annotated[int, Query(ge=2008, le=2100)],
    include_children: Children = False,
    allow_findings: AllowFindings = False,
    format: Annotated[AnnualFormat, Query()] = AnnualFormat.JSON,
) -> AnnualReport | Response:
    report = services.annual_report(
        svc,
        who,
        agency=agency,
        year=year,
        include_children=include_children,
        allow_findings=allow_findings,
    )
    if format is AnnualFormat.CSV:
        return _download(to_csv(report), "text/csv; charset=utf-8", f"{agency}-{year}.csv")
    if format is AnnualFormat.XLSX:
        out = io.BytesIO()
        to_xlsx(report, out)
        return _download(out.getvalue(), XLSX, f"{agency}-{year}.xlsx")
    return AnnualReport(
        agency=report.agency,
        year=report.year,
        format_name=report.format_name,
        format_title=report.format_title,
        rows=[
            AnnualRow(
                key=r.key,
                label=r.label,
                depth=r.depth,
                values=list(r.values) if r.values is not None else None,
            )
            for r in report.rows
        ],
        table4=list(report.table4),
        violations=report.violations,
        audit_note=report.audit_note,
    )


@router.get(
    "/timeliness",
    response_model=Timeliness,
    summary="时效统计：按期答复率、办理用时、剩余时间、超期",
    responses={200: {"content": {"text/csv": {}}}},
)
def timeliness(
    svc: Svc,
    who: Reader,
    agency: Agency,
    start: Annotated[IsoDate, Query(alias="from", description="起始日（北京时间，含）")],
    end: Annotated[IsoDate, Query(alias="to", description="截止日（含）")],
    include_children: Children = False,
    allow_findings: AllowFindings = False,
    format: Annotated[TableFormat, Query()] = TableFormat.JSON,
) -> Timeliness | Response:
    report = services.timeliness_report(
        svc,
        who,
        agency=agency,
        start=start,
        end=end,
        include_children=include_children,
        allow_findings=allow_findings,
    )
    if format is TableFormat.CSV:
        return _download(timeliness_csv(report), "text/csv; charset=utf-8", f"{agency}.csv")
    return Timeliness(report)
