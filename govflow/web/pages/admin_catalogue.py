"""The administrator's read-only views of the installation: each declared case type
(states, actions with the roles that may take them, the state diagram as Mermaid text —
shown as text, since drawing it would need a script library the intranet does not have)
and the agency tree with each agency's active accounts. Agencies are kept in the
organisation file (``govflow init --org``): this page lists them and changes nothing."""

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


@router.get("/admin/case-types", response_class=HTMLResponse)
def case_types(request: Request, svc: Svc, session: Session) -> Response:
    try:
        sheets = services.case_type_sheets(svc, session.principal)
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    return page(request, "admin_case_types.html", {"sheets": sheets}, session)


@router.get("/admin/agencies", response_class=HTMLResponse)
def agencies(request: Request, svc: Svc, session: Session) -> Response:
    try:
        tree = services.agency_tree(svc, session.principal)
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    return page(request, "admin_agencies.html", {"agencies": tree}, session)
