"""The office head's approvals inbox (待审批): the cases of the reader's scope waiting in a
state their type declares an approval (``approvals:`` in the declaration — a reply drafted
and awaiting the head), least time left first; each opens on its case page, where the
approve and return forms are."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session
from govflow.web.pages.supervise import status_of
from govflow.workflow.errors import GovflowError
from govflow.workflow.services import CaseFilter, list_cases, require_section

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/approvals", response_class=HTMLResponse)
def approvals(request: Request, svc: Svc, session: Session, after: str | None = None) -> Response:
    reader = session.principal.as_reader()
    try:
        require_section(session.principal, "approvals")
        found = list_cases(
            svc, reader, CaseFilter(awaiting_approval=True), after=after, limit=PAGE_SIZE
        )
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    return page(request, "approvals.html", {"page_of_cases": found}, session)
