"""The sweeper process's work: run the firing use case and count what it did.

The rules, the batches, the exactly-once guarantees and the outbox are the service
layer's (``govflow.workflow.services.escalations``, ``…services.digests``); this module only
hands them the broker's send and turns their reports into metrics.
"""

from __future__ import annotations

from govflow.workers import metrics
from govflow.workflow.escalation_ports import Enqueue
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services import (
    Services,
    SweepReport,
    dispatch_outbox,
    fire_due,
    send_digests,
)

__all__ = ["Enqueue", "SweepReport", "digests", "dispatch_outbox", "sweep"]


def sweep(
    svc: Services,
    enqueue: Enqueue,
    settings: NotificationSettings | None = None,
    batch: int | None = None,
) -> SweepReport:
    """One sweep pass: every due rule fired once (in batches), deliveries handed over."""
    settings = settings or svc.config.settings.notifications
    report = fire_due(svc, enqueue, settings, batch or settings.sweep_batch_size)
    metrics.SWEEP_SECONDS.observe(report.seconds)
    for fired in report.made:
        metrics.FIRINGS.labels(
            level=fired.level,
            late=str(fired.late).lower(),
            kind="action" if fired.action else "notify",
        ).inc()
        metrics.ESCALATION_LAG.observe(fired.lag_seconds)
    return report


def digests(svc: Services, enqueue: Enqueue, settings: NotificationSettings | None = None) -> int:
    """The day's digests if they are due and nobody has made them yet (once a day)."""
    made = send_digests(svc, enqueue, settings or svc.config.settings.notifications)
    if made:
        metrics.FIRINGS.labels(level="digest", late="false", kind="digest").inc(made)
    return made
