"""A clerk (or handler, or office head) opens a case of any declared type (X-1): a chooser
of the types the person may open, from the service layer, and each type's creation form,
drawn from its creation action's model like the registration page. A refusal comes back
as the same form, each message beside its field, and nothing is written."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.i18n import N_, _
from govflow.web.pages.cases import case_url
from govflow.web.pages.forms import FormState, payload_of
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session, checked_form, is_htmx
from govflow.workflow import services
from govflow.workflow.errors import GovflowError, InvalidInput
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
PATH = "/cases/new"
NOT_OPENABLE = N_("没有名为 %(name)s 的案件类型，或您无权登记此类案件")


def _form(svc: services.Services, session: SessionView, name: str) -> services.ActionForm | None:
    """The type's creation form, if this person may open a case of it."""
    openable = services.openable_case_types(svc, session.principal)
    chosen = next((t for t in openable if t.name == name), None)
    return services.action_form(svc, name, chosen.action) if chosen else None


@router.get(PATH, response_class=HTMLResponse)
def chooser(request: Request, svc: Svc, session: Session) -> Response:
    types = services.openable_case_types(svc, session.principal)
    return page(request, "new_case.html", {"types": types, "path": PATH}, session)


@router.get(PATH + "/{case_type}", response_class=HTMLResponse)
def creation_page(request: Request, svc: Svc, session: Session, case_type: str) -> Response:
    form = _form(svc, session, case_type)
    if form is None:
        return refusal(request, _(NOT_OPENABLE, name=case_type), 404, session)
    return _again(request, session, FormState(form), 200)


@router.post(PATH + "/{case_type}", response_class=HTMLResponse)
async def open_case(request: Request, svc: Svc, session: Session, case_type: str) -> Response:
    htmx = is_htmx(request)
    try:
        submitted = await checked_form(request, session)
    except GovflowError as exc:
        return refusal(request, str(exc), 403, session, htmx)
    form = _form(svc, session, case_type)
    if form is None:
        return refusal(request, _(NOT_OPENABLE, name=case_type), 404, session, htmx)
    try:
        ref = services.open_case(
            svc,
            case_type=case_type,
            agency_code=session.principal.agency_code or "",
            principal=session.principal,
            payload=payload_of(form, submitted),
        )
    except InvalidInput as exc:
        state = FormState(form, submitted, errors=exc.fields, message=str(exc))
        return _again(request, session, state, 422)
    except GovflowError as exc:
        return _again(request, session, FormState(form, submitted, message=str(exc)), 403)
    target = case_url(ref)
    if htmx:
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _again(request: Request, session: SessionView, state: FormState, status: int) -> Response:
    url = f"{PATH}/{state.form.case_type}"
    return page(request, "register.html", {"state": state, "action_url": url}, session, status)
