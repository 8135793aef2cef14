"""The public-opinion team's screens (舆情, SPEC I-1…I-5): open incidents by their most
pressing milestone, and the accountability list with its CSV download.

The same use cases as ``govflow incident list`` and ``govflow incident accountability``
(``services.list_cases`` with the incident type, ``services.accountability``): the order,
the milestones' due instants and the minutes left (counted through nights and holidays)
are the reading use case's; the bands of the badges are ``presentation.urgency``'s.
Assessing, grading and responding are the case page's generic action forms.

A reader whose scope holds several agencies (a supervisor, the head of an office with
departments below it) narrows the list to one agency, with those below it if asked: the
agencies offered are the search form's (``search_choices``), and an agency outside the
reader's scope is refused by the list use case as the search page shows it (未找到).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.presentation.accountability import accountability_csv
from govflow.presentation.urgency import hour_urgency, hours_minutes
from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session
from govflow.web.pages.supervise import download, refused, status_of
from govflow.workflow import services
from govflow.workflow.clock import local_date
from govflow.workflow.errors import GovflowError
from govflow.workflow.incident.view import KIND_LABELS
from govflow.workflow.services.incidents import CASE_TYPE  # these are the incident's own screens
from govflow.workflow.services.search import search_choices
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/incidents", response_class=HTMLResponse)
def incident_list(
    request: Request,
    svc: Svc,
    session: Session,
    after: str | None = None,
    agency: str | None = None,
    include_children: str | None = None,
) -> Response:
    reader = session.principal.as_reader()
    chosen = {"agency": agency or "", "include_children": bool(include_children)}
    try:
        services.require_section(session.principal, "incidents")
        agencies = search_choices(svc, reader).agencies
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    context: dict[str, object] = {
        "rows": [],
        "next_after": None,
        "agencies": agencies if len(agencies) > 1 else (),
        "chosen": chosen,
        "message": None,
        # 登记舆情事件 only for whoever may open one: the rule of the page it leads to
        "new_incident": _new_incident_url(svc, session),
        "query": urlencode({k: v for k, v in request.query_params.items() if k != "after" and v}),
    }
    filters = services.CaseFilter(
        case_type=CASE_TYPE, agency=agency or None, include_children=bool(include_children)
    )
    try:
        cases = services.list_cases(svc, reader, filters, after=after, limit=PAGE_SIZE)
    except GovflowError as exc:  # an agency outside the reader's scope: as the search says it
        context["message"] = str(exc)
        return page(request, "incidents.html", context, session, status_of(exc))
    context["rows"] = [
        {
            "case": c,
            "badge": hour_urgency(c.deadline),
            "left": hours_minutes(c.deadline),
            "level": c.data.get("grade_label") or "—",
            "title": c.data.get("title") or "",
        }
        for c in cases.cases
    ]
    context["next_after"] = cases.next_after
    return page(request, "incidents.html", context, session)


def _new_incident_url(svc: services.Services, session: SessionView) -> str | None:
    openable = {t.name for t in services.openable_case_types(svc, session.principal)}
    return f"/cases/new/{CASE_TYPE}" if CASE_TYPE in openable else None


@router.get("/incidents/accountability", response_class=HTMLResponse)
def accountability(
    request: Request, svc: Svc, session: Session, format: str | None = None
) -> Response:
    try:
        services.require_section(session.principal, "incidents")
        entries = services.accountability(svc, session.principal.as_reader())
    except GovflowError as exc:
        return refused(request, session, exc)
    if format == "csv":
        name = _("问责清单-%(day)s.csv", day=local_date(svc.clock.now()).isoformat())
        return download(accountability_csv(entries), "text/csv; charset=utf-8", name)
    context = {"entries": entries, "kinds": KIND_LABELS}
    return page(request, "incidents_accountability.html", context, session)
