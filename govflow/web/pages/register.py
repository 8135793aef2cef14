"""A clerk registers a request (登记, SPEC D-1, D-2): the form of the request type's
creation action, for the clerk's own agency; the channel chosen decides how the receipt
date is set (the service confirms an in-person receipt at once). While the clerk types,
the applicant's requests this month and year and earlier requests for the same
information are shown beside the form (D-7, Art. 36(6)), before anything is saved."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.cases import case_url
from govflow.web.pages.forms import FormState, payload_of
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session, checked_form, is_htmx
from govflow.workflow import services
from govflow.workflow.errors import GovflowError, InvalidInput
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
PATH = "/requests/new"


@router.get(PATH, response_class=HTMLResponse)
def registration_page(request: Request, svc: Svc, session: Session) -> Response:
    state = FormState(services.registration_form(svc))
    return page(
        request,
        "register.html",
        {"state": state, "action_url": PATH, "history_url": PATH + "/applicant"},
        session,
    )


@router.post(PATH, response_class=HTMLResponse)
async def register(request: Request, svc: Svc, session: Session) -> Response:
    try:
        submitted = await checked_form(request, session)
    except GovflowError as exc:
        return refusal(request, str(exc), 403, session, is_htmx(request))
    form = services.registration_form(svc)
    agency = session.principal.agency_code
    try:
        if agency is None:
            raise InvalidInput(_("您的账户不属于任何机关，不能登记申请"))
        ref = services.register_request(
            svc,
            agency_code=agency,
            principal=session.principal,
            intake=payload_of(form, submitted),
        )
    except InvalidInput as exc:
        state = FormState(form, submitted, errors=exc.fields, message=str(exc))
        return _again(request, session, state, 422)
    except GovflowError as exc:
        return _again(request, session, FormState(form, submitted, message=str(exc)), 403)
    target = case_url(ref)
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post(PATH + "/applicant", response_class=HTMLResponse)
async def applicant_history(request: Request, svc: Svc, session: Session) -> Response:
    """The applicant's record beside the form, asked by htmx as the clerk types (D-7)."""
    try:
        submitted = await checked_form(request, session)
        form = services.registration_form(svc)
        found = services.applicant_preview(svc, session.principal, payload_of(form, submitted))
    except GovflowError as exc:
        return refusal(request, str(exc), 403, session, htmx=True)
    return page(request, "_applicant_history.html", {"found": found}, session)


def _again(request: Request, session: SessionView, state: FormState, status: int) -> Response:
    return page(
        request,
        "register.html",
        {"state": state, "action_url": PATH, "history_url": PATH + "/applicant"},
        session,
        status,
    )
