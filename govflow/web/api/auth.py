"""The one door of the API: from a request to the person acting or reading (SPEC U-1).

Every route but ``/healthz``, ``/readyz``, ``/metrics`` and the documentation depends on
``caller``; no route reads a credential itself. A request carries either an API token
(``Authorization: Bearer …``, checked by ``services.tokens``) or the session cookie of a
person signed in (``services.signin``); a state-changing request made with the cookie
must also carry the session's CSRF token in the ``X-CSRF-Token`` header. Anything else is
401 through the one error model. The credentials themselves are never logged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from govflow.web.api.wiring import Svc
from govflow.workflow.actors import Actor
from govflow.workflow.errors import NotAuthenticated
from govflow.workflow.identity.principal import Principal
from govflow.workflow.services import signin, tokens

SESSION_COOKIE = "govflow_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Declared for the OpenAPI document (Swagger's "Authorize"); ``caller`` does the checking.
bearer = HTTPBearer(auto_error=False, description="API 令牌（由系统管理员创建）")
session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="登录会话")
csrf_header = APIKeyHeader(name=CSRF_HEADER, auto_error=False, description="会话的 CSRF 令牌")


def caller(
    request: Request,
    svc: Svc,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session_id: Annotated[str | None, Depends(session_cookie)],
    csrf: Annotated[str | None, Depends(csrf_header)],
) -> Principal:
    """The principal behind the request's credentials: the token if one is sent (a wrong
    token is refused, never passed over for the cookie), else the session."""
    if token is not None:
        return tokens.authenticate_token(svc, token.credentials)
    if session_id:
        session = signin.authenticate_session(svc, session_id)
        if request.method not in SAFE_METHODS:
            signin.check_csrf(session, csrf)
        return session.principal
    raise NotAuthenticated("请先登录，或在 Authorization 中提供 API 令牌（Bearer）")


def reader(who: Annotated[Principal, Depends(caller)]) -> Actor:
    """The same caller as the reading use cases take it (a token reads within its scope)."""
    return who.as_reader()


Caller = Annotated[Principal, Depends(caller)]
"""Who acts: handed to the writing use cases, which check the account again as they write."""
Reader = Annotated[Actor, Depends(reader)]
"""Who reads: the same caller, for the reading use cases."""
