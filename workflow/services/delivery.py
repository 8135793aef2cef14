"""Delivering one notification from the outbox, idempotently (SPEC E-2, E-3): the use case
the delivery actor (``govflow.workers.delivery``) runs with the channels it built.

The delivery row is locked while its channel sends, so two workers handed the same
delivery (a redelivered message) send it once; a delivery already sent is skipped. A
failure is recorded on the row and retried with backoff by the broker, never marked
sent; after ``max_attempts`` it is marked failed (a receiver that only asked us to slow
down does not use up an attempt). A crash between sending and recording can send a
message twice: the key it carries lets the receiver drop it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from govflow.workflow import texts
from govflow.workflow.escalation_ports import SweepStore
from govflow.workflow.notifications import Channel, ChannelError, Notification, RateLimited
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services.base import Services

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Delivered:
    """The delivery's status after this attempt: sent, failed, retry (pending, the broker
    tries again later) or skipped (not pending: sent or failed already, or unknown)."""

    status: str
    channel: str = ""
    latency_seconds: float = 0.0


def deliver(
    svc: Services,
    delivery_id: int,
    channels: Mapping[str, Channel],
    settings: NotificationSettings,
) -> Delivered:
    with svc.uow() as uow:
        store: SweepStore = uow.escalations
        out = store.outgoing(delivery_id)
        if out is None or out.row.status != "pending":
            return Delivered("skipped")
        row = out.row
        subject, _, body = texts.without_entry(out.message).partition("\n")
        notification = Notification(
            key=row.key,
            case_ref=out.case_ref,
            level=out.level,
            subject=subject,
            body=body,
            recipient=row.recipient,
            recipient_name=out.recipient_name or row.recipient,
            address=row.address,
            recipients=tuple(out.recipients),
            link=settings.case_link(out.case_ref) if out.case_ref else None,
        )
        channel = channels.get(row.channel)
        now = svc.clock.now()
        try:
            if channel is None:
                raise ChannelError(f"渠道 {row.channel} 未配置")
            channel.send(notification)
        except RateLimited as exc:
            row.last_error = str(exc)[:1000]
            uow.commit()
            log.warning("delivery.rate_limited", key=row.key, channel=row.channel)
            return Delivered("retry", row.channel)
        except ChannelError as exc:
            row.attempts += 1
            row.last_error = str(exc)[:1000]
            row.status = "failed" if row.attempts >= settings.max_attempts else "pending"
            uow.commit()
            log.warning(
                "delivery.failed",
                key=row.key,
                channel=row.channel,
                attempts=row.attempts,
                final=row.status == "failed",
                error=str(exc)[:200],
            )
            return Delivered("retry" if row.status == "pending" else "failed", row.channel)
        row.attempts += 1
        row.status, row.sent_at = "sent", now
        uow.commit()
        attempts, channel_name = row.attempts, row.channel
    log.info("delivery.sent", key=notification.key, attempts=attempts)
    return Delivered("sent", channel_name, max((now - out.threshold_at).total_seconds(), 0))
