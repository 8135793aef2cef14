"""The case page: facts, deadlines with their explanations, the timeline, and one form for
each action the reader may take now; taking an action, through htmx or a plain post.

An action is sent with the case's version as the page showed it: if someone acted in
between, nothing is written and the form says "该案件已被他人更新，请刷新后重试" with the
state the case is in now. A refusal (a field, a rule, a role) comes back as the same form,
each message beside its field; a case outside the reader's scope is "not found". The forms
are the service layer's (``services.case_forms``): what each action asks, and the choices
that depend on the case (the people who may be named to work it).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govflow.web.api.documents import download_response
from govflow.web.api.wiring import Svc
from govflow.web.i18n import N_, _
from govflow.web.pages.forms import FormState, payload_of
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session, checked_form, is_htmx
from govflow.workflow import services
from govflow.workflow.errors import (
    ActionNotAllowed,
    GovflowError,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
CONFLICT = N_("该案件已被他人更新，请刷新后重试")


def case_url(ref: str) -> str:
    return f"/cases/{quote(ref, safe='')}"


def _forms(svc: services.Services, detail: services.CaseDetail) -> list[FormState]:
    return [FormState(form) for form in services.case_forms(svc, detail)]


@router.get("/cases/{ref}", response_class=HTMLResponse)
def case_page(request: Request, svc: Svc, session: Session, ref: str) -> Response:
    try:
        detail = services.case_detail(svc, session.principal.as_reader(), ref)
    except NotFound as exc:
        return refusal(request, str(exc), 404, session)
    context = {"detail": detail, "forms": _forms(svc, detail), "case_url": case_url(ref)}
    return page(request, "case.html", context, session)


@router.get("/cases/{ref}/documents/{no}")
def document(request: Request, svc: Svc, session: Session, ref: str, no: int) -> Response:
    """A notice or attachment as a download (its latest version), checked against the hash
    its event recorded; only the case's own agency may download (personal data)."""
    try:
        record, content = services.read_document(svc, session.principal.as_reader(), ref, no)
    except NotFound as exc:
        return refusal(request, str(exc), 404, session)
    except ActionNotAllowed as exc:
        return refusal(request, str(exc), 403, session)
    except GovflowError as exc:  # the stored file no longer matches its recorded hash
        return refusal(request, str(exc), 409, session)
    return download_response(record, content)


@router.post("/cases/{ref}/actions/{action}", response_class=HTMLResponse)
async def take_action(
    request: Request, svc: Svc, session: Session, ref: str, action: str
) -> Response:
    htmx = is_htmx(request)
    try:
        submitted = await checked_form(request, session)
        detail = services.case_detail(svc, session.principal.as_reader(), ref)
        (form,) = services.case_forms(svc, detail, (action,))
    except NotFound as exc:
        return refusal(request, str(exc), 404, session, htmx)
    except (GovflowError, KeyError) as exc:
        text = (
            str(exc) if isinstance(exc, GovflowError) else _("没有动作 %(action)s", action=action)
        )
        return refusal(request, text, 403 if isinstance(exc, GovflowError) else 404, session, htmx)
    state = FormState(form, values=submitted)
    try:
        version = int(submitted.get("version", ""))
    except ValueError:
        return _form_again(request, session, ref, state, _("页面缺少案件版本，请刷新后重试"), 400)
    try:
        services.act(
            svc,
            ref=ref,
            action=action,
            payload=payload_of(form, submitted),
            principal=session.principal,
            expected_version=version,
        )
    except StaleVersion:
        now = services.case_detail(svc, session.principal.as_reader(), ref)
        conflict = FormState(form, submitted, message=_(CONFLICT), conflict=True)
        return _form_again(request, session, ref, conflict, None, 409, now)
    except InvalidInput as exc:
        failed = FormState(form, submitted, errors=exc.fields, message=str(exc))
        return _form_again(request, session, ref, failed, None, 422)
    except (ActionNotAllowed, NotFound) as exc:
        # The case was found above: what is missing now is something the input named (a
        # user, a document). Either way the form comes back with what was typed, not a
        # bare message in its place.
        refused = FormState(form, submitted, message=str(exc))
        return _form_again(request, session, ref, refused, None, 422)
    target = case_url(ref)
    if htmx:
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _form_again(
    request: Request,
    session: SessionView,
    ref: str,
    state: FormState,
    message: str | None,
    status: int,
    current: services.CaseDetail | None = None,
) -> Response:
    if message is not None:
        state = FormState(state.form, state.values, state.errors, message, state.conflict)
    context = {
        "state": state,
        "ref": ref,
        "case_url": case_url(ref),
        "current": current,
        "version": state.values.get("version", ""),  # a stale form stays stale: refresh
    }
    template = "_action_form.html" if is_htmx(request) else "action_page.html"
    return page(request, template, context, session, status)
