"""The delivery actor's work: hand one notification to its channel (``escalation_delivery``),
count it, and ask the broker to retry when the channel could not take it."""

from __future__ import annotations

from collections.abc import Mapping

from govflow.workers import metrics
from govflow.workflow import escalation_delivery, services
from govflow.workflow.notifications import Channel
from govflow.workflow.policy import NotificationSettings


class RetryLater(Exception):
    """Raised to make the broker retry the delivery with backoff."""


def deliver(
    svc: services.Services,
    delivery_id: int,
    channels: Mapping[str, Channel],
    settings: NotificationSettings,
) -> str:
    """Returns the delivery's status after this attempt: sent, failed or skipped (a pending
    delivery whose channel failed raises ``RetryLater``)."""
    result = escalation_delivery.deliver(svc, delivery_id, channels, settings)
    if result.status == "sent":
        metrics.DELIVERIES.labels(channel=result.channel, status="sent").inc()
        metrics.DELIVERY_LATENCY.observe(result.latency_seconds)
    elif result.status in ("retry", "failed"):
        metrics.DELIVERIES.labels(channel=result.channel, status="error").inc()
    if result.status == "retry":
        raise RetryLater(delivery_id)
    return result.status
