"""Notification channels (SPEC E-3): the structured log, e-mail over SMTP, a JSON webhook;
the WeCom and DingTalk group robots are in ``govflow.workers.robots``.

Each delivery carries its key (firing key + channel + recipient). A channel may be
asked to send the same key twice after a crash (at-least-once); e-mail puts the key
in the Message-ID and the webhook in an ``Idempotency-Key`` header, so receivers
can drop the duplicate.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import asdict
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

import structlog

from govflow.logs import redact
from govflow.workers.robots import build_robots
from govflow.workflow import texts
from govflow.workflow.notifications import Channel, ChannelError, Notification
from govflow.workflow.policy import NotificationSettings

__all__ = ["Channel", "ChannelError", "Notification", "build_channels"]

log = structlog.get_logger("govflow.notifications")


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
            link=notification.link,
        )


class EmailChannel:
    """SMTP, plain on a local relay, or with TLS (STARTTLS on 587, SMTPS on 465) and a login.

    The server's certificate is checked against the system's CAs, or the office's own CA
    (``smtp_ca_file``); a password never appears in an error (``redact``)."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        timeout: float,
        security: Literal["none", "starttls", "ssl"] = "none",
        user: str | None = None,
        password: str | None = None,
        ca_file: Path | None = None,
    ) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout
        self.security, self.user, self._password, self.ca_file = security, user, password, ca_file

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=self._tls())
        return smtp

    def send(self, notification: Notification) -> None:
        if not notification.address:
            raise ChannelError("收件人没有电子邮件地址")
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notification.address
        message["Subject"] = notification.subject
        message["Message-ID"] = f"<{notification.key.replace(':', '.')}@govflow>"
        message.set_content(texts.with_entry(notification.body, notification.link))
        try:
            with self._connect() as smtp:
                if self.user is not None:
                    smtp.login(self.user, self._password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(redact(f"SMTP {self.host}:{self.port}: {exc}")) from None


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, timeout: float) -> None:
        self._url, self.timeout = url, timeout

    def __repr__(self) -> str:
        return f"WebhookChannel({redact(self._url)})"

    def send(self, notification: Notification) -> None:
        text = texts.with_entry(f"{notification.subject}\n{notification.body}", notification.link)
        payload = asdict(notification) | {"text": text}
        request = urllib.request.Request(
            self._url,
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
            # The URL (and an error quoting it) may carry the robot's token: never shown.
            raise ChannelError(redact(f"webhook {self._url}: {exc}")) from None


def build_channels(settings: NotificationSettings) -> dict[str, Channel]:
    """Every channel the settings can name; a robot only when its secrets are configured
    (``robots.missing_secrets`` says which are missing)."""
    channels: dict[str, Channel] = {"log": LogChannel()}
    channels.update(build_robots(settings))
    channels["email"] = EmailChannel(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_sender,
        settings.smtp_timeout_seconds,
        settings.smtp_security,
        settings.smtp_user,
        settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        settings.smtp_ca_file,
    )
    if settings.webhook_url:
        channels["webhook"] = WebhookChannel(
            settings.webhook_url.get_secret_value(), settings.webhook_timeout_seconds
        )
    return channels
