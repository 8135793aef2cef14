"""Single sign-on from the login page (统一身份认证): the button sends the browser to the
OpenID Connect provider, which sends it back to ``/login/oidc`` with a code; identity's
``signin.login`` checks everything (state, the code with PKCE, the id_token's signature,
issuer, audience, expiry and nonce) and opens the session, as a password login does.

What must survive the trip to the provider (state, nonce, the PKCE verifier, where to go
after) is kept in a short-lived ``HttpOnly`` cookie scoped to ``/login``: it never reaches a
page script, and ``SameSite=Lax`` still sends it on the provider's top-level redirect back.
The provider is built once by the composition root and handed to ``create_app``; without
one, the button is not shown and these routes answer "not configured".
"""

from __future__ import annotations

import base64
import binascii
import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from govflow.web.api.auth import SESSION_COOKIE
from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.login import login_form, safe_next, set_session_cookie
from govflow.workflow.errors import NotAuthenticated
from govflow.workflow.identity.oidc import OidcCallback, OpenIdConnect, PendingLogin
from govflow.workflow.services import signin

router = APIRouter(include_in_schema=False)
PENDING_COOKIE = "govflow_sso"
PENDING_SECONDS = 600  # ten minutes to sign in at the provider


def provider_of(request: Request) -> OpenIdConnect | None:
    return getattr(request.app.state, "sso", None)


@router.get("/login/sso")
def begin(request: Request, next: str | None = None) -> Response:
    provider = provider_of(request)
    if provider is None:
        return login_form(request, None, _("未配置统一身份认证，请用用户名和密码登录"), "", "/")
    try:
        pending = provider.begin()
    except NotAuthenticated as exc:  # the provider is down or misconfigured
        return login_form(request, None, str(exc), "", safe_next(next))
    response = RedirectResponse(pending.authorization_url, status_code=303)
    kept = {
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "next": safe_next(next),
    }
    response.set_cookie(
        PENDING_COOKIE,
        base64.urlsafe_b64encode(json.dumps(kept).encode()).decode(),
        max_age=PENDING_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


@router.get("/login/oidc")
def callback(request: Request, svc: Svc) -> Response:
    provider = provider_of(request)
    kept = _kept(request.cookies.get(PENDING_COOKIE))
    if provider is None or kept is None:
        return login_form(request, None, _("登录请求已过期或来源不明，请重新登录"), "", "/")
    pending = PendingLogin("", kept["state"], kept["nonce"], kept["verifier"])
    try:
        session = signin.login(
            svc,
            provider,
            OidcCallback(pending, dict(request.query_params)),
            remote_addr=request.client.host if request.client else None,
            replaces=request.cookies.get(SESSION_COOKIE),
        )
    except NotAuthenticated as exc:
        response = login_form(request, None, str(exc), "", kept["next"])
    else:
        response = RedirectResponse(kept["next"], status_code=303)
        set_session_cookie(request, response, session.session_id)
    response.delete_cookie(PENDING_COOKIE, path="/login")  # used once, whatever the outcome
    return response


def _kept(cookie: str | None) -> dict[str, str] | None:
    if not cookie:
        return None
    try:
        kept = json.loads(base64.urlsafe_b64decode(cookie.encode()))
    except (binascii.Error, ValueError):
        return None
    names = ("state", "nonce", "verifier", "next")
    if not isinstance(kept, dict) or not all(isinstance(kept.get(n), str) for n in names):
        return None
    return {n: kept[n] for n in names} | {"next": safe_next(kept["next"])}
