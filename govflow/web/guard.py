"""Guards every request passes before any handler reads it, as pure ASGI middleware (one
test per request, nothing wrapped that they let through):

``RefuseNul`` refuses a request whose address carries a NUL character. No person types NUL,
PostgreSQL cannot compare a text with one (the driver raises a ``DataError`` while the query
is sent, which would surface as a 500), and SQLite would silently cut the text at it.
Bodies are checked field by field by the domain (``workflow.lawful``); the path and the
query string are checked here, once for every route, so a new filter cannot forget it.

``LimitBody`` refuses a body larger than any route takes (413 ``too_large``). FastAPI reads
and parses a JSON body whole before it looks at the credentials, so without it anyone who
can reach the port could make every worker hold and parse hundreds of megabytes. A declared
``Content-Length`` over the limit is refused unread; a chunked body is counted as it arrives.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govflow.web.errors import error_response
from govflow.workflow.services import templates

MESSAGE = "请求地址或查询参数含有空字符（NUL），无法处理；请删除后重试"

MAX_BODY = 2 * 1024 * 1024
"""Every JSON body and form: an action's fields, a registration, a calendar file as text
(256 KiB of YAML, escaped), the pages' forms (64 KiB) — with room to spare."""
ENVELOPE = 64 * 1024  # a multipart form's boundaries and headers around its file
UPLOADS: Mapping[str, int] = {"/api/v1/notices/templates/": templates.MAX_BYTES + ENVELOPE}
"""The routes that take a file, by path prefix, and the most each may receive."""


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


def too_large(limit: int) -> str:
    return f"请求内容过大（上限 {limit / 1048576:.0f} MB），未处理"


class LimitBody:
    """ASGI middleware: ``app.add_middleware(LimitBody)``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = next((n for p, n in UPLOADS.items() if path.startswith(p)), MAX_BODY)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await error_response(413, "too_large", too_large(limit))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised where the handler reads the body: the one error model's
                    # handler answers it (FastAPI passes an HTTPException through).
                    raise HTTPException(413, too_large(limit))
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None
