"""Logging in and out of the workbench with a local password (identity's use cases).

The session id lives only in an ``HttpOnly``, ``SameSite=Lax`` cookie (``Secure`` when
served over HTTPS); a login replaces whatever session the browser had (no fixation). The
login form itself is guarded by a double-submit token, since no session exists yet.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govflow.web.api.auth import SESSION_COOKIE
from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import (
    CSRF_FIELD,
    AnySession,
    checked_form,
    form_of,
    login_url,
)
from govflow.workflow.errors import GovflowError, NotAuthenticated
from govflow.workflow.identity.providers import PasswordProof
from govflow.workflow.services import signin

router = APIRouter(include_in_schema=False)
LOGIN_TOKEN_COOKIE = "govflow_login_token"
HOME = "/"


def safe_next(target: str | None) -> str:
    """Only a path of this site: ``next`` never sends a person elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return HOME


def login_form(
    request: Request, reason: str | None, error: str | None, username: str, next_path: str
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    context = {
        "reason": reason,
        "error": error,
        "username": username,
        "next_path": next_path,
        "login_token": token,
        "csrf_field": CSRF_FIELD,
        # The single sign-on button, when a provider is configured (``pages.sso``).
        "sso_label": getattr(getattr(request.app.state, "sso", None), "label", None),
    }
    response = page(request, "login.html", context, status=401 if error else 200)
    response.set_cookie(
        LOGIN_TOKEN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, reason: str | None = None, next: str | None = None) -> Response:
    return login_form(request, reason, None, "", safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request, svc: Svc) -> Response:
    form = await form_of(request)
    username = form.get("username", "").strip()[:64]
    next_path = safe_next(form.get("next"))
    expected = request.cookies.get(LOGIN_TOKEN_COOKIE)
    if not expected or not secrets.compare_digest(expected, form.get(CSRF_FIELD, "")):
        return login_form(request, None, _("登录页面已过期，请重新输入"), username, next_path)
    try:
        session = signin.login(
            svc,
            signin.local_passwords(svc),
            PasswordProof(username, form.get("password", "")),
            remote_addr=request.client.host if request.client else None,
            replaces=request.cookies.get(SESSION_COOKIE),
        )
    except NotAuthenticated as exc:
        return login_form(request, None, str(exc), username, next_path)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(request, response, session.session_id)
    response.delete_cookie(LOGIN_TOKEN_COOKIE, path="/login")
    return response


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    """Only the random id, out of the page scripts' reach, not sent by other sites' posts."""
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


@router.post("/logout")
async def logout(request: Request, svc: Svc, session: AnySession) -> Response:
    try:
        await checked_form(request, session)
    except GovflowError as exc:
        return refusal(request, str(exc), 403, session)
    signin.logout(svc, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse(login_url(_("已退出登录")), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
