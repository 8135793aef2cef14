"""Requests awaiting receipt confirmation (待确认收到, SPEC D-2): the cases of the reader's
scope that arrived by post or online and wait, clock not started, until the receipt date is
confirmed — each type's own such states (``awaiting_receipt`` in its declaration), so the
page names none. Each opens on its case page, where the confirmation form is."""

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
PATH = "/awaiting-receipt"
PAGE_SIZE = 50


@router.get(PATH, response_class=HTMLResponse)
def awaiting_receipt(
    request: Request, svc: Svc, session: Session, after: str | None = None
) -> Response:
    reader = session.principal.as_reader()
    try:
        require_section(session.principal, "awaiting_receipt")
        found = list_cases(
            svc, reader, CaseFilter(awaiting_receipt=True), after=after, limit=PAGE_SIZE
        )
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    return page(request, "awaiting_receipt.html", {"page_of_cases": found, "path": PATH}, session)
