"""Who is looking at a page: the session behind the cookie, and the CSRF check of a form.

A page without a live session (none, expired idle or absolute, revoked, the account
locked) sends the browser to the login page with the reason; an htmx request is told the
same through ``HX-Redirect``, so a partial update never lands a login form inside a case.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
from govflow.web.api.wiring import Svc
from govflow.workflow.errors import NotAuthenticated
from govflow.workflow.services import signin
from govflow.workflow.services.signin import SessionView

CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 64 * 1024


PASSWORD_PAGE = "/password"


class LoginRequired(Exception):
    """No live session behind this page's request; ``reason`` is shown on the login page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def login_url(reason: str | None = None, next_path: str | None = None) -> str:
    query = []
    if reason:
        query.append(f"reason={quote(reason)}")
    if next_path and next_path.startswith("/") and not next_path.startswith("//"):
        query.append(f"next={quote(next_path)}")
    return "/login" + ("?" + "&".join(query) if query else "")


class PasswordChangeRequired(Exception):
    """The session was opened with a one-time password: nothing else until it is changed."""


def install(app: FastAPI) -> None:
    @app.exception_handler(PasswordChangeRequired)
    async def _to_password(request: Request, exc: PasswordChangeRequired) -> Response:
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": PASSWORD_PAGE})
        return RedirectResponse(PASSWORD_PAGE, status_code=303)

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, exc: LoginRequired) -> Response:
        target = login_url(exc.reason, _return_path(request))
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)


def _return_path(request: Request) -> str | None:
    """Where the person goes back to after logging in again: the page asked for; for a form
    sent after the session ended, the page it was sent from (htmx's ``HX-Current-URL``, else
    the ``Referer``), if on this server — the case, not a login page that forgot it. An
    htmx request (a form, or a fragment such as the notification count) returns to its
    page too, never to the fragment's own address."""
    if request.method == "GET" and not is_htmx(request):
        return request.url.path
    source = request.headers.get("HX-Current-URL") or request.headers.get("referer")
    if not source:
        return None
    parts = urlsplit(source)
    if parts.netloc and parts.netloc != request.url.netloc:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def any_session(request: Request, svc: Svc) -> SessionView:
    try:
        return signin.authenticate_session(svc, request.cookies.get(SESSION_COOKIE))
    except NotAuthenticated as exc:
        raise LoginRequired(str(exc)) from None


def current_session(session: Annotated[SessionView, Depends(any_session)]) -> SessionView:
    if session.principal.must_change_password:
        raise PasswordChangeRequired()
    return session


Session = Annotated[SessionView, Depends(current_session)]
"""A live session whose password need not be changed first: every page but that one."""
AnySession = Annotated[SessionView, Depends(any_session)]
"""Any live session: the change-password page and logging out."""


async def form_of(request: Request) -> dict[str, str]:
    """The submitted form (``application/x-www-form-urlencoded``), blank fields left out.
    A repeated name keeps its last value: the generated forms never repeat one."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=False)
    return {k: v for k, v in pairs}


async def checked_form(request: Request, session: SessionView) -> dict[str, str]:
    """The form of a state-changing request whose CSRF token (field or htmx header) is the
    session's; refused (``ActionNotAllowed``) before anything else is looked at."""
    form = await form_of(request)
    signin.check_csrf(session, form.pop(CSRF_FIELD, None) or request.headers.get(CSRF_HEADER))
    return form
