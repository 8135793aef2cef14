"""A handler's "my queue" (我的待办): the open cases of the reader's scope, least time
left first, with the badge of how pressing each is; by default those assigned to the
reader, with one switch for every open case the reader may read. Someone with no case
work (an administrator only) is sent to the home the service layer names instead of an
empty queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session
from govflow.workflow.errors import GovflowError
from govflow.workflow.services import CaseFilter, list_cases, workbench

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/", response_class=HTMLResponse)
def my_queue(
    request: Request,
    svc: Svc,
    session: Session,
    scope: str = "mine",
    after: str | None = None,
) -> Response:
    home = workbench(svc, session.principal).home
    if home != "/":
        return RedirectResponse(home, status_code=303)
    reader = session.principal.as_reader()
    mine = scope != "all"
    filters = CaseFilter(assignee=reader.username if mine else None)
    try:
        cases = list_cases(svc, reader, filters, after=after, limit=PAGE_SIZE)
    except GovflowError as exc:
        return refusal(request, str(exc), 400, session)
    context = {"page_of_cases": cases, "mine": mine}
    return page(request, "queue.html", context, session)
