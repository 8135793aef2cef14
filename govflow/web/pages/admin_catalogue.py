"""The administrator's views of the installation: each declared case type (states,
actions with the roles that may take them, the state diagram as Mermaid text — shown as
text, since drawing it would need a script library the intranet does not have) and the
agency tree with each agency's active accounts, with a form to add an agency.

Adding one is ``services.add_agency``'s to decide (an administrator only; code, name and
reference prefix unique, the parent existing) and to write to the security log; the page
only reads the form and shows the answer: the tree with a confirmation, or each problem
beside its field with what was typed kept (nothing written). The organisation file
(``govflow init --org``) still adds and renames agencies; it never removes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.admin import Outcome, admin_form, admin_page, refusal_status
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session
from govflow.web.pages.supervise import status_of
from govflow.workflow import services
from govflow.workflow.errors import GovflowError, InvalidInput
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
AGENCIES = "/admin/agencies"


@router.get("/admin/case-types", response_class=HTMLResponse)
def case_types(request: Request, svc: Svc, session: Session) -> Response:
    try:
        sheets = services.case_type_sheets(svc, session.principal)
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    return page(request, "admin_case_types.html", {"sheets": sheets}, session)


def agencies_page(
    request: Request,
    svc: services.Services,
    session: SessionView,
    outcome: Outcome,
    status: int = 200,
) -> Response:
    read = partial(services.agency_tree, svc, session.principal)
    return admin_page(
        request, session, "admin_agencies.html", "agencies", read, status, outcome=outcome
    )


@router.get(AGENCIES, response_class=HTMLResponse)
def agencies(request: Request, svc: Svc, session: Session) -> Response:
    return agencies_page(request, svc, session, Outcome())


def new_agency(form: Mapping[str, str]) -> services.NewAgency:
    """The agency the form describes; whether it may be added is ``add_agency``'s to say."""
    return services.NewAgency(
        code=form.get("code", ""),
        name=form.get("name", ""),
        ref_prefix=form.get("ref_prefix", ""),
        parent=form.get("parent") or None,
    )


@router.post(AGENCIES, response_class=HTMLResponse)
async def add_agency(request: Request, svc: Svc, session: Session) -> Response:
    form = await admin_form(request, session)
    if isinstance(form, Response):
        return form
    try:
        added = services.add_agency(svc, session.principal, new_agency(form))
    except GovflowError as exc:
        fields = exc.fields if isinstance(exc, InvalidInput) else {}
        outcome = Outcome(error=str(exc), values=form, errors=fields)
        return agencies_page(request, svc, session, outcome, refusal_status(exc))
    notice = _("已新增机关 %(name)s（%(code)s）", name=added.name, code=added.code)
    return agencies_page(request, svc, session, Outcome(notice=notice))
