"""Refuses a request whose address carries a NUL character, before any handler reads it.

No person types NUL, PostgreSQL cannot compare a text with one (the driver raises a
``DataError`` while the query is sent, which would surface as a 500), and SQLite would
silently cut the text at it. Bodies are checked field by field by the domain
(``workflow.lawful``); the path and the query string are checked here, once for every
route, so a new filter cannot forget it. A pure ASGI middleware: it costs one substring
test per request and wraps nothing it lets through.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from govflow.web.errors import error_response

MESSAGE = "请求地址或查询参数含有空字符（NUL），无法处理；请删除后重试"


class RefuseNul:
    """ASGI middleware: ``app.add_middleware(RefuseNul)``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _carries_nul(scope):
            response = error_response(400, "invalid_input", MESSAGE)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _carries_nul(scope: Scope) -> bool:
    # The path arrives decoded; the query string raw, so its NUL is written ``%00``.
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query
