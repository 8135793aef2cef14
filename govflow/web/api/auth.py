"""The one door of the API: from a request to the person acting or reading.

Every route but ``/healthz``, ``/readyz``, ``/metrics`` and the documentation depends on
``caller``; no route reads a credential itself. A request carries either an API token
(``Authorization: Bearer …``) or the session cookie of a logged-in person; a
state-changing request made with the cookie must also carry the session's CSRF token in
the ``X-CSRF-Token`` header. Anything else is 401 through the one error model.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from govflow.workflow.actors import Actor

SESSION_COOKIE = "govflow_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Declared for the OpenAPI document (Swagger's "Authorize"); ``caller`` does the checking.
bearer = HTTPBearer(auto_error=False, description="API 令牌（由系统管理员创建）")
session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="登录会话")
csrf_header = APIKeyHeader(name=CSRF_HEADER, auto_error=False, description="会话的 CSRF 令牌")


def caller(
    request: Request,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session_id: Annotated[str | None, Depends(session_cookie)],
    csrf: Annotated[str | None, Depends(csrf_header)],
) -> Actor:
    """The person behind the request's credentials."""
    raise HTTPException(401, "未登录或凭据无效")


Caller = Annotated[Actor, Depends(caller)]
