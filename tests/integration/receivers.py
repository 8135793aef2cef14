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


# -- group robots (WeCom, DingTalk) -------------------------------------------------------------


@dataclass(frozen=True)
class RobotMessage:
    query: dict[str, str]
    payload: dict[str, Any]
    at: float


class RobotReceiver:
    """A local stand-in for a WeCom or DingTalk custom robot, checking requests as they do.

    ``kind="wecom"``: ``?key=<key>`` and ``{"msgtype": "markdown", "markdown": {"content":
    …}}`` of at most 4096 bytes. ``kind="dingtalk"``: ``?access_token=…&timestamp=…&sign=…``
    where sign is base64(HMAC-SHA256(secret, "timestamp\\nsecret")), computed here on its
    own, and the timestamp within an hour of now; ``{"msgtype": "markdown", "markdown":
    {"title": …, "text": …}}``. It answers ``{"errcode": 0}`` when all holds, the robot's
    own error codes otherwise (``refuse`` forces one, e.g. 45009 for "too fast").
    Every request is recorded, accepted or not."""

    def __init__(self, kind: str, key: str, secret: str = "", refuse: int | None = None) -> None:
        import base64
        import hashlib
        import hmac
        from urllib.parse import parse_qsl, urlsplit

        self.kind, self.key, self.secret, self.refuse = kind, key, secret, refuse
        self.accepted: list[RobotMessage] = []
        self.rejected: list[tuple[int, str]] = []
        receiver = self

        def verdict(query: dict[str, str], payload: dict[str, Any]) -> tuple[int, str]:
            if receiver.refuse is not None:
                return receiver.refuse, "refused as told"
            if kind == "wecom":
                if query.get("key") != receiver.key:
                    return 93000, "invalid webhook url"
                content = payload.get("markdown", {}).get("content")
                if payload.get("msgtype") != "markdown" or not isinstance(content, str):
                    return 40008, "invalid message type"
                if len(content.encode()) > 4096:
                    return 40058, "content exceed max length"
                return 0, "ok"
            if query.get("access_token") != receiver.key:
                return 300001, "token is not exist"
            stamp = query.get("timestamp", "")
            if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > 3600_000:
                return 310000, "timestamp invalid"
            expected = base64.b64encode(
                hmac.new(
                    receiver.secret.encode(),
                    f"{stamp}\n{receiver.secret}".encode(),
                    hashlib.sha256,
                ).digest()
            ).decode()
            if query.get("sign") != expected:
                return 310000, "sign not match"
            markdown = payload.get("markdown", {})
            if (
                payload.get("msgtype") != "markdown"
                or not markdown.get("title")
                or not markdown.get("text")
            ):
                return 40035, "missing markdown title or text"
            return 0, "ok"

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                query = dict(parse_qsl(urlsplit(self.path).query))
                payload = json.loads(body)
                code, message = verdict(query, payload)
                with receiver._lock:
                    if code == 0:
                        receiver.accepted.append(RobotMessage(query, payload, time.monotonic()))
                    else:
                        receiver.rejected.append((code, message))
                answer = json.dumps({"errcode": code, "errmsg": message}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/robot/send"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> RobotReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
