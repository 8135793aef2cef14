"""``HEAD`` answered as ``GET`` would be, without the body (RFC 9110 §9.3.2).

FastAPI's routes declare ``GET`` alone (unlike Starlette's own ``Route``, which adds
``HEAD``), so every ``HEAD`` was 405 — ``/healthz`` and ``/readyz`` included, which load
balancers and monitoring probe with ``HEAD``. A pure ASGI middleware runs the request as
the ``GET`` it asks about, so every ``GET`` route (API, pages, health, static files) answers
``HEAD`` with the same status and headers (``Content-Length`` included) and nothing is
declared twice; a path without ``GET`` still answers 405. The handler runs as for ``GET``:
the body is made and dropped here.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: ``app.add_middleware(HeadAsGet)``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a chunk of the body: the last message ends the answer
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
