"""The delivery actor's work: run the use case that hands one notification to its channel
(``govflow.workflow.services.deliver``), count it, and ask the broker to retry when the
channel could not take it. A channel's error is redacted before the delivery row stores it."""

from __future__ import annotations

from collections.abc import Mapping

from govflow.logs import redact
from govflow.workers import metrics
from govflow.workflow import services
from govflow.workflow.notifications import Channel, ChannelError, Notification, RateLimited
from govflow.workflow.policy import NotificationSettings


class RetryLater(Exception):
    """Raised to make the broker retry the delivery with backoff."""


class _Redacted:
    """A channel whose errors never carry a secret the installation registered (a robot's
    token in a URL, a password in an SMTP reply): they are stored on the delivery row and
    logged."""

    def __init__(self, channel: Channel) -> None:
        self._channel, self.name = channel, channel.name

    def send(self, notification: Notification) -> None:
        try:
            self._channel.send(notification)
        except RateLimited as exc:
            raise RateLimited(redact(str(exc))) from None
        except ChannelError as exc:
            raise ChannelError(redact(str(exc))) from None


def deliver(
    svc: services.Services,
    delivery_id: int,
    channels: Mapping[str, Channel],
    settings: NotificationSettings,
) -> str:
    """Returns the delivery's status after this attempt: sent, failed or skipped (a pending
    delivery whose channel failed raises ``RetryLater``)."""
    redacted = {name: _Redacted(channel) for name, channel in channels.items()}
    result = services.deliver(svc, delivery_id, redacted, settings)
    if result.status == "sent":
        metrics.DELIVERIES.labels(channel=result.channel, status="sent").inc()
        metrics.DELIVERY_LATENCY.observe(result.latency_seconds)
    elif result.status in ("retry", "failed"):
        metrics.DELIVERIES.labels(channel=result.channel, status="error").inc()
    if result.status == "retry":
        raise RetryLater(delivery_id)
    return result.status
