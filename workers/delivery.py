"""Deliver one notification from the outbox, idempotently (SPEC E-2, E-3).

The delivery row is locked while its channel sends, so two workers handed the same
delivery (a redelivered message) send it once; a delivery already sent is skipped. A
failure is recorded on the row and retried with backoff by the broker, never marked
sent; after ``max_attempts`` it is marked failed. A crash between sending and
recording can send a message twice: the key it carries lets the receiver drop it.
"""

from __future__ import annotations

from collections.abc import Mapping

import structlog

from govflow.logs import redact
from govflow.workers import metrics
from govflow.workers.channels import Channel, ChannelError, Notification
from govflow.workflow import services
from govflow.workflow.policy import NotificationSettings

log = structlog.get_logger(__name__)


class RetryLater(Exception):
    """Raised to make the broker retry the delivery with backoff."""


def deliver(
    svc: services.Services,
    delivery_id: int,
    channels: Mapping[str, Channel],
    settings: NotificationSettings,
) -> str:
    """Returns the delivery's status after this attempt: sent, failed, pending or skipped."""
    with svc.uow() as uow:
        esc = uow.escalations
        row = esc.lock_delivery(delivery_id)
        if row is None or row.status != "pending":
            return "skipped"
        firing = esc.firing(row.firing_id)
        subject, _, body = firing.message.partition("\n")
        user = esc.user(row.recipient)
        notification = Notification(
            key=row.key,
            case_ref=esc.case_ref(firing.case_id),
            level=firing.level,
            subject=subject,
            body=body,
            recipient=row.recipient,
            recipient_name=user.name if user else row.recipient,
            address=row.address,
            recipients=tuple(firing.recipients),
        )
        channel = channels.get(row.channel)
        now = svc.clock.now()
        row.attempts += 1
        try:
            if channel is None:
                raise ChannelError(f"渠道 {row.channel} 未配置")
            channel.send(notification)
        except ChannelError as exc:
            row.last_error = redact(str(exc))[:1000]  # stored text never holds a secret
            row.status = "failed" if row.attempts >= settings.max_attempts else "pending"
            uow.commit()
            metrics.DELIVERIES.labels(channel=row.channel, status="error").inc()
            log.warning(
                "delivery.failed",
                key=row.key,
                channel=row.channel,
                attempts=row.attempts,
                final=row.status == "failed",
                error=redact(str(exc))[:200],
            )
            if row.status == "pending":
                raise RetryLater(row.key) from exc
            return "failed"
        row.status, row.sent_at = "sent", now
        uow.commit()
    metrics.DELIVERIES.labels(channel=notification.key.split(":")[-2], status="sent").inc()
    metrics.DELIVERY_LATENCY.observe(max((now - firing.threshold_at).total_seconds(), 0))
    log.info("delivery.sent", key=notification.key, attempts=row.attempts)
    return "sent"
