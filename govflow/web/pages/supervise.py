"""The supervisor's screens (督查): the dashboard over the supervisor's agency tree (the
timeliness report, SPEC R-2, as charts with their tables and a drill-down to the cases),
and the annual report's tables 三 and 四 on screen with their downloads (R-1).

Who may see them is the service layer's answer (``services.supervised_agency``,
``supervision_dashboard``): anyone but a supervisor gets its refusal, as does an agency
outside the reader's scope. A report over histories ``audit verify`` found in doubt is
refused with the reason, a link to the list of what was found and one to draw it anyway,
noted; drawn, the dashboard says how many cases of the tree such findings name.
"""

from __future__ import annotations

import io
import json
from datetime import date
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.presentation.annual import title, to_csv, to_markdown, to_xlsx
from govflow.presentation.dashboard import drilled, figures
from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session, is_htmx
from govflow.workflow import services
from govflow.workflow.clock import local_date
from govflow.workflow.errors import (
    ActionNotAllowed,
    GovflowError,
    InvalidInput,
    NotFound,
    NotPermitted,
    OpenFindings,
)
from govflow.workflow.reports.annual import APPLICANT_COLUMNS, RESULTS_4, ROUTES
from govflow.workflow.reports.timeliness import TimelinessReport
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def status_of(exc: GovflowError) -> int:
    """The refusal's status, as the API maps the same errors."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, NotPermitted):
        return 403
    if isinstance(exc, ActionNotAllowed | OpenFindings):
        return 422
    return 400


def refused(
    request: Request, session: SessionView, exc: GovflowError, retry: str | None = None
) -> Response:
    """The service's refusal as a page (a fragment for htmx); for open audit findings, a
    link that draws the report anyway (noted in it)."""
    status, htmx = status_of(exc), is_htmx(request)
    if not (isinstance(exc, OpenFindings) and retry):
        return refusal(request, str(exc), status, session, htmx)
    context = {"message": str(exc), "status": status, "retry": retry}
    return page(request, "_error.html" if htmx else "error.html", context, session, status)


ORG_EXCLUDED = frozenset({"natural_person", "total"})


def day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("%(name)s应为日期（如 2025-10-01），实为 %(value)s", name=name, value=repr(value))
        ) from None


def download(body: bytes, media: str, name: str) -> Response:
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


@router.get("/supervise", response_class=HTMLResponse)
def dashboard(
    request: Request,
    svc: Svc,
    session: Session,
    start: str | None = None,
    end: str | None = None,
    allow_findings: bool = False,
) -> Response:
    query = {"start": start or "", "end": end or "", "allow_findings": "1"}
    try:
        report = _dashboard(svc, session, start, end, allow_findings)
        # Cases whose history a verify found in doubt: the page says how many, with the list.
        flagged = (
            0 if is_htmx(request) else services.flagged_in_tree(svc, session.principal.as_reader())
        )
    except GovflowError as exc:
        return refused(request, session, exc, "/supervise?" + urlencode(query))
    period = {"start": report.start.isoformat(), "end": report.end.isoformat()}
    if allow_findings:
        period["allow_findings"] = "1"
    shown = figures(report)
    links = {
        f.key: [
            "/supervise/cases?" + urlencode({**period, "group": r.drill[0], "key": r.drill[1]})
            if r.drill and r.value
            else None
            for r in f.rows
        ]
        for f in shown
    }
    charts = {
        f.key: json.dumps({**f.chart(), "links": links[f.key]}, ensure_ascii=False) for f in shown
    }
    context = {
        "report": report,
        "figures": shown,
        "charts": charts,
        "links": links,
        "period": period,
        "flagged": flagged,
    }
    template = "_dashboard_figures.html" if is_htmx(request) else "supervise.html"
    return page(request, template, context, session)


def _dashboard(
    svc: services.Services,
    session: SessionView,
    start: str | None,
    end: str | None,
    allow_findings: bool,
) -> TimelinessReport:
    """The dashboard's report for the period the query names (both pages draw from it)."""
    return services.supervision_dashboard(
        svc,
        session.principal.as_reader(),
        start=day(start, _("起始日")),
        end=day(end, _("截止日")),
        allow_findings=allow_findings,
    )


@router.get("/supervise/cases", response_class=HTMLResponse)
def drill_down(
    request: Request,
    svc: Svc,
    session: Session,
    group: str,
    key: str,
    start: str | None = None,
    end: str | None = None,
    allow_findings: bool = False,
) -> Response:
    try:
        report = _dashboard(svc, session, start, end, allow_findings)
    except GovflowError as exc:
        return refused(request, session, exc)
    found = drilled(report, group, key)
    if found is None:
        return refusal(request, _("看板上没有这一项"), 404, session)
    back = {"start": report.start.isoformat(), "end": report.end.isoformat()}
    context = {"report": report, "drill": found, "back": "/supervise?" + urlencode(back)}
    return page(request, "supervise_cases.html", context, session)


ANNUAL_FORMATS = ("md", "csv", "xlsx")


@router.get("/supervise/report/annual", response_class=HTMLResponse)
def annual(
    request: Request,
    svc: Svc,
    session: Session,
    agency: str | None = None,
    year: str | None = None,
    scope: str = "tree",
    format: str | None = None,
    allow_findings: bool = False,
) -> Response:
    reader = session.principal.as_reader()
    try:
        own = services.supervised_agency(reader)
        agencies = services.supervised_agencies(svc, reader)  # the form's choices, by name
    except GovflowError as exc:
        return refused(request, session, exc)
    agency = (agency or own).strip()
    children = scope != "own"
    form = {"agency": agency, "year": year or "", "scope": "own" if not children else "tree"}
    context: dict[str, object] = {"form": form, "report": None, "agencies": agencies}
    if not year:
        form["year"] = str(local_date(svc.clock.now()).year - 1)
        return page(request, "supervise_annual.html", context, session)
    query = {**form, "allow_findings": "1"}
    try:
        if not year.isdigit() or not 2008 <= int(year) <= 2100:
            raise InvalidInput(_("年度应为 2008–2100 之间的年份，实为 %(year)s", year=repr(year)))
        if format is not None and format not in ANNUAL_FORMATS:
            raise InvalidInput(
                _("没有下载格式 %(format)s（可选：md、csv、xlsx）", format=repr(format))
            )
        report = services.annual_report(
            svc,
            reader,
            agency=agency,
            year=int(year),
            include_children=children,
            allow_findings=allow_findings,
        )
    except GovflowError as exc:
        return refused(request, session, exc, "/supervise/report/annual?" + urlencode(query))
    name = f"{report.agency}-{year}"  # the agency's name, as the report's title gives it
    if format == "xlsx":
        out = io.BytesIO()
        to_xlsx(report, out)
        return download(out.getvalue(), XLSX, f"{name}.xlsx")
    if format == "csv":
        return download(to_csv(report), "text/csv; charset=utf-8", f"{name}.csv")
    if format == "md":
        body = to_markdown(report).encode("utf-8")
        return download(body, "text/markdown; charset=utf-8", f"{name}.md")
    kept = {**form}
    if allow_findings:
        kept["allow_findings"] = "1"
    context.update(
        report=report,
        title=title(report),
        download_base="/supervise/report/annual?" + urlencode(kept),
        # Table 三's organisations: every column but the natural person and the total.
        org=[label for key, label, _group in APPLICANT_COLUMNS if key not in ORG_EXCLUDED],
        routes=ROUTES,
        results=RESULTS_4,
    )
    return page(request, "supervise_annual.html", context, session)
