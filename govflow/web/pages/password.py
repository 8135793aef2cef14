"""Changing one's own password — and the first thing a one-time password allows: every
other page sends such a session here. The change ends every session of the account and
opens a new one for this browser (identity's ``change_password``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govflow.web.api.auth import SESSION_COOKIE
from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.login import set_session_cookie
from govflow.web.pages.render import page
from govflow.web.pages.session import PASSWORD_PAGE, AnySession, checked_form
from govflow.workflow.errors import GovflowError
from govflow.workflow.services import Services, signin
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)


def _form(
    request: Request, svc: Services, session: SessionView, error: str | None, status: int
) -> Response:
    context = {"error": error, "minimum": svc.config.settings.identity.password_min_length}
    return page(request, "password.html", context, session, status)


@router.get(PASSWORD_PAGE, response_class=HTMLResponse)
def password_page(request: Request, svc: Svc, session: AnySession) -> Response:
    return _form(request, svc, session, None, 200)


@router.post(PASSWORD_PAGE, response_class=HTMLResponse)
async def change_password(request: Request, svc: Svc, session: AnySession) -> Response:
    try:
        form = await checked_form(request, session)
        if form.get("new", "") != form.get("repeat", ""):
            return _form(request, svc, session, _("两次输入的新密码不一致"), 422)
        renewed = signin.change_password(
            svc,
            request.cookies.get(SESSION_COOKIE, ""),
            form.get("current", ""),
            form.get("new", ""),
        )
    except GovflowError as exc:
        return _form(request, svc, session, str(exc), 422)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, renewed.session_id)
    return response
