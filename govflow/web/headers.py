"""The security headers every answer carries, unless its route set its own.

A pure ASGI middleware: it adds to the answer's first message as it passes, where
Starlette's ``BaseHTTPMiddleware`` (``app.middleware("http")``) ran each request in a task
of its own and streamed the body through a queue — a cost every page and API call paid.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Everything the pages need is served from this origin; a route that must allow more (the
# API documentation's inline start-up scripts) sets its own policy.
DEFAULT_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
DEFAULTS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", DEFAULT_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """ASGI middleware: ``app.add_middleware(SecurityHeaders)``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in DEFAULTS if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
