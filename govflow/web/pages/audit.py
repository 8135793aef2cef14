"""A case's audit timeline (SPEC A-3) on screen: every event with who did it, through which
channel, and every deadline as it stood right after it, under a warning while a verify's
findings on the history are open; with its CSV download. The same use case and writers as
``govflow audit show`` (``services.case_timeline``, ``presentation.timeline``): a case
outside the reader's scope is "not found"."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.presentation.timeline import timeline_csv, timeline_json
from govflow.web.api.wiring import Svc
from govflow.web.pages.cases import case_url
from govflow.web.pages.render import page
from govflow.web.pages.session import Session
from govflow.web.pages.supervise import download, refused
from govflow.workflow import services
from govflow.workflow.errors import GovflowError

router = APIRouter(include_in_schema=False)


@router.get("/cases/{ref}/audit", response_class=HTMLResponse)
def audit_timeline(
    request: Request, svc: Svc, session: Session, ref: str, format: str | None = None
) -> Response:
    try:
        timeline = services.case_timeline(svc, session.principal.as_reader(), ref)
    except GovflowError as exc:
        return refused(request, session, exc)
    data = timeline_json(timeline)
    if format == "csv":
        body = timeline_csv(data).encode("utf-8")
        return download(body, "text/csv; charset=utf-8", f"{ref}-audit.csv")
    # What a verify found in this history and none since cleared: said above the timeline.
    context = {"data": data, "case_url": case_url(ref), "findings": timeline.findings}
    return page(request, "audit.html", context, session)
