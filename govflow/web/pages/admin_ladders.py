"""The administrator's read-only view of the escalation ladders in force (预警与督办升级,
SPEC E-1): per case type and deadline, each rule in words — when it fires, who is told
or which system action runs — as ``services.escalation_ladders`` reads them from the
configuration this process runs with. Changing a ladder is a change of the escalation
file and ``govflow escalation adopt``, not of this page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session
from govflow.web.pages.supervise import status_of
from govflow.workflow import services
from govflow.workflow.errors import GovflowError

router = APIRouter(include_in_schema=False)
LADDERS = "/admin/ladders"


@router.get(LADDERS, response_class=HTMLResponse)
def ladders(request: Request, svc: Svc, session: Session) -> Response:
    try:
        found = services.escalation_ladders(svc, session.principal)
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    return page(request, "admin_ladders.html", {"ladders": found}, session)
