"""Notification channels (SPEC E-3): the structured log, e-mail over SMTP, a JSON webhook.

Each delivery carries its key (firing key + channel + recipient). A channel may be
asked to send the same key twice after a crash (at-least-once); e-mail puts the key
in the Message-ID and the webhook in an ``Idempotency-Key`` header, so receivers
can drop the duplicate.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from typing import Protocol

import structlog

from govflow.workflow.policy import NotificationSettings

log = structlog.get_logger("govflow.notifications")


class ChannelError(Exception):
    """The channel could not take the message now; the delivery is retried with backoff."""


@dataclass(frozen=True)
class Notification:
    key: str
    case_ref: str
    level: str
    subject: str
    body: str
    recipient: str
    recipient_name: str
    address: str | None
    recipients: tuple[str, ...]


class Channel(Protocol):
    name: str

    def send(self, notification: Notification) -> None: ...


class LogChannel:
    name = "log"

    def send(self, notification: Notification) -> None:
        log.warning(
            "notification",
            key=notification.key,
            case_ref=notification.case_ref,
            severity=notification.level,
            recipient=notification.recipient,
            subject=notification.subject,
            body=notification.body,
        )


class EmailChannel:
    name = "email"

    def __init__(self, host: str, port: int, sender: str, timeout: float) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, notification: Notification) -> None:
        if not notification.address:
            raise ChannelError("收件人没有电子邮件地址")
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notification.address
        message["Subject"] = notification.subject
        message["Message-ID"] = f"<{notification.key.replace(':', '.')}@govflow>"
        message.set_content(notification.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"SMTP {self.host}:{self.port}: {exc}") from exc


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, timeout: float) -> None:
        self.url, self.timeout = url, timeout

    def send(self, notification: Notification) -> None:
        payload = asdict(notification) | {"text": f"{notification.subject}\n{notification.body}"}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": notification.key,
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise ChannelError(f"webhook 返回 {response.status}")
        except (OSError, urllib.error.URLError) as exc:
            raise ChannelError(f"webhook {self.url}: {exc}") from exc


def build_channels(settings: NotificationSettings) -> dict[str, Channel]:
    channels: dict[str, Channel] = {"log": LogChannel()}
    channels["email"] = EmailChannel(
        settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.smtp_timeout_seconds
    )
    if settings.webhook_url:
        channels["webhook"] = WebhookChannel(settings.webhook_url, settings.webhook_timeout_seconds)
    return channels
