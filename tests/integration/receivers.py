"""Real receivers for the notification channels, on 127.0.0.1 and a free port each.

``SmtpReceiver`` is an aiosmtpd server that keeps every message it accepts, parsed;
``WebhookReceiver`` is an ``http.server`` in a thread that keeps every JSON POST with
its ``Idempotency-Key`` and answers as told (hold the first request, fail with 500).
Both dedupe nothing: they record what arrived, and the tests count raw arrivals as
well as distinct keys.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refusing_url() -> str:
    """A URL on a local port where nothing listens: every connection is refused."""
    return f"http://127.0.0.1:{free_port()}/hook"


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """Poll until ``predicate()`` is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {predicate.__doc__ or predicate}")
        time.sleep(interval)


# -- SMTP --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    at: float

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()  # a long one is folded

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


class SmtpReceiver:
    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.mails.append(
                Mail(envelope.mail_from, tuple(envelope.rcpt_tos), message, time.monotonic())
            )
        return "250 OK"

    def start(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def received(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)

    def __enter__(self) -> SmtpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- webhook -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hook:
    key: str
    payload: dict[str, Any]
    at: float
    status: int


class WebhookReceiver:
    """Records every POST. ``status`` is what it answers; ``hold_first`` makes the very first
    request wait that many seconds (or until ``release()``) before it is answered."""

    def __init__(self, status: int = 200, hold_first: float = 0.0) -> None:
        self.status, self.hold_first = status, hold_first
        self.hooks: list[Hook] = []
        self.first_arrived = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    first = not receiver.hooks
                    receiver.hooks.append(
                        Hook(
                            self.headers.get("Idempotency-Key", ""),
                            json.loads(body),
                            time.monotonic(),
                            receiver.status,
                        )
                    )
                if first:
                    receiver.first_arrived.set()
                    if receiver.hold_first:
                        receiver._release.wait(receiver.hold_first)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:  # the sender died while we held its request
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def release(self) -> None:
        self._release.set()

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def received(self) -> list[Hook]:
        with self._lock:
            return list(self.hooks)

    def counts(self) -> Counter[str]:
        """Raw arrivals per Idempotency-Key."""
        return Counter(h.key for h in self.received())

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
