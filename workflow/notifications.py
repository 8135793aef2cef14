"""What a notification channel is handed, and how it says it could not deliver (SPEC E-3).

The channels themselves (log, SMTP e-mail, webhook, WeCom and DingTalk group robots) are
edges in ``govflow.workers.channels``; the delivery use case
(``services.delivery.deliver``) only knows this port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ChannelError(Exception):
    """The channel could not take the message now; the delivery is retried with backoff.

    The text is stored on the delivery row and logged: it must never carry a secret (a
    robot's key or signing secret, a password)."""


class RateLimited(ChannelError):
    """The receiver asked us to slow down (a group robot takes about 20 messages a minute):
    retried like any failure, but not counted against the delivery's attempts."""


@dataclass(frozen=True)
class Notification:
    """One message to one recipient (a person, or a group for the group channels).

    ``key`` is the delivery's key (firing key + channel + recipient): a channel sends it
    along so a receiver can drop a copy sent twice after a crash. ``link`` is where to act
    on the case (none for a daily digest)."""

    key: str
    case_ref: str | None
    level: str
    subject: str
    body: str
    recipient: str
    recipient_name: str
    address: str | None
    recipients: tuple[str, ...]
    link: str | None = None


class Channel(Protocol):
    name: str

    def send(self, notification: Notification) -> None:
        """Hand the message over, or raise ``ChannelError``."""
        ...
