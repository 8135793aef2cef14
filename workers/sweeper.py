"""The sweeper: fires every due escalation rule once, then hands deliveries to the broker.

The database is the source of truth. A sweep (1) reads the due rules through the index
on ``escalation_schedule.next_fire_at``, (2) fires each in its own transaction after
locking its row with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite runs one sweeper),
recording the firing under its unique key together with its deliveries — or, for an
expiry rule, together with the system action on the case — and (3) after the commit,
enqueues the pending deliveries (the outbox). Several sweepers may run at once; a
sweeper that was down catches up, firing each missed threshold once, marked late.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.exc import IntegrityError

from govflow.workers import metrics
from govflow.workers.notify import compose, recipients
from govflow.workflow import services
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.deadlines import Basis, DeadlineStatus
from govflow.workflow.errors import Conflict, DamagedHistory, GovflowError
from govflow.workflow.identity.principal import SYSTEM_PRINCIPAL
from govflow.workflow.policy import NotificationSettings

log = structlog.get_logger(__name__)

Enqueue = Callable[[int], None]
"""Hands one delivery id to the broker (``govflow.workers.actors.deliver.send``)."""


@dataclass
class SweepReport:
    fired: list[str] = field(default_factory=list)
    late: int = 0
    actions: int = 0
    enqueued: int = 0
    seconds: float = 0.0


def sweep(
    svc: services.Services,
    enqueue: Enqueue,
    settings: NotificationSettings | None = None,
    batch: int = 200,
) -> SweepReport:
    settings = settings or svc.config.settings.notifications
    started = time.perf_counter()
    report = SweepReport()
    now = svc.clock.now()
    while True:
        with svc.uow() as uow:
            due = uow.escalations.due_schedule_ids(now, batch)
        fired_now = [key for sid in due for key in _fire(svc, sid, now, settings, report)]
        report.fired += fired_now
        # Hand each batch's notifications over at once: at a working day's midnight a
        # burst of thresholds must not wait for the whole pass.
        report.enqueued += dispatch_outbox(svc, enqueue, settings)
        if len(due) < batch or not fired_now:
            break
    report.seconds = time.perf_counter() - started
    metrics.SWEEP_SECONDS.observe(report.seconds)
    if report.fired or report.enqueued:
        log.info(
            "sweep",
            fired=len(report.fired),
            late=report.late,
            actions=report.actions,
            enqueued=report.enqueued,
            seconds=round(report.seconds, 4),
        )
    return report


def _fire(
    svc: services.Services,
    schedule_id: int,
    now: datetime,
    settings: NotificationSettings,
    report: SweepReport,
) -> list[str]:
    """Fire one schedule row, repeats that came due included; returns the keys fired."""
    keys: list[str] = []
    while True:
        try:
            with svc.uow() as uow:
                key = _fire_once(svc, uow, schedule_id, now, settings, report)
                if key is None:
                    return keys
                uow.commit()
                keys.append(key)
        except (Conflict, IntegrityError):
            return keys  # another sweeper fired it first: its key is taken
        except DamagedHistory as exc:  # reported by audit verify; the other cases go on
            log.error("sweep.damaged_history", case_ref=exc.ref, position=exc.position)
            return keys


def _fire_once(
    svc: services.Services,
    uow: services.UnitOfWork,
    schedule_id: int,
    now: datetime,
    settings: NotificationSettings,
    report: SweepReport,
) -> str | None:
    esc = uow.escalations
    row = esc.claim(schedule_id, now)
    if row is None:
        return None
    ref = esc.case_ref(row.case_id)
    case = services.load_case(svc, uow, ref)
    deadline = next((d for d in case.deadlines if d.key == row.deadline_key), None)
    policy = esc.policy(case.escalation_policy) if case.escalation_policy else None
    rule = policy.rule(deadline.kind, row.rule) if policy and deadline else None
    if (
        rule is None
        or deadline is None
        or deadline.status is not DeadlineStatus.RUNNING
        or deadline.due_at != row.due_at
    ):
        row.next_fire_at = None  # stale: the case changed and its next save re-plans it
        uow.commit()
        return None
    threshold_at = row.next_fire_at
    assert threshold_at is not None
    key = f"{row.case_id}:{row.deadline_key}:{row.rule}:{row.epoch}:{row.repeat_no}"
    late = (now - threshold_at).total_seconds() > settings.late_after_seconds
    case_row = esc.case_row(row.case_id)
    if rule.action:
        outcome, people = _expire(svc, uow, ref, rule.action, row.deadline_key), []
        subject = body = f"系统处理：{deadline.label}届满，{outcome}"
        report.actions += 1
    else:
        people = recipients(esc, case_row, rule)
        assignee = esc.user(case_row.assignee) if case_row.assignee else None
        subject, body = compose(
            case,
            deadline,
            rule,
            svc.calendar,
            now,
            threshold_at,
            late,
            settings.link,
            assignee.name if assignee else None,
        )
        outcome = "notified"
    firing = esc.add_firing(
        key=key,
        schedule_id=row.id,
        case_id=row.case_id,
        deadline_key=row.deadline_key,
        rule=row.rule,
        level=rule.level,
        action=rule.action,
        outcome=outcome,
        threshold_at=threshold_at,
        fired_at=now,
        late=late,
        message=f"{subject}\n{body}",
        recipients=[p.username for p in people],
    )
    not_before = _quiet_until(now, settings) if deadline.basis is Basis.WORKING_DAYS else now
    for channel in settings.channels:
        targets = (
            [(p.username, p.email) for p in people]
            if channel != "webhook"
            # The webhook's URL carries its token: it stays in the settings, not in the outbox.
            else ([("webhook", None)] if people else [])
        )
        for username, address in targets:
            if channel == "email" and not address:
                continue
            esc.add_delivery(
                key=f"{key}:{channel}:{username}",
                firing_id=firing.id,
                channel=channel,
                recipient=username,
                address=address,
                not_before=not_before if channel == "email" else now,
            )
    if row.next_fire_at is not None:  # an expiry re-plans the case and stops its own row
        row.repeat_no += 1  # fired: the next firing of this epoch, if any, is a repeat
        if rule.repeat and row.acknowledged_at is None:
            row.next_fire_at = threshold_at + rule.repeat.delta
        else:
            row.next_fire_at = None
    report.late += late
    metrics.FIRINGS.labels(
        level=rule.level, late=str(late).lower(), kind="action" if rule.action else "notify"
    ).inc()
    metrics.ESCALATION_LAG.observe(max((now - threshold_at).total_seconds(), 0))
    log.info(
        "escalation.fired",
        key=key,
        case_ref=ref,
        deadline=row.deadline_key,
        rule=row.rule,
        severity=rule.level,
        late=late,
        outcome=outcome,
    )
    return key


def _expire(
    svc: services.Services, uow: services.UnitOfWork, ref: str, action: str, deadline_key: str
) -> str:
    """An expiry (SPEC section 6, item 3) as an audited system action in this transaction."""
    try:
        services.apply_action(svc, uow, ref, action, {"deadline": deadline_key}, SYSTEM_PRINCIPAL)
    except GovflowError as exc:
        return f"未执行：{exc}"
    return f"已执行系统动作 {action}"


def _quiet_until(now: datetime, settings: NotificationSettings) -> datetime:
    """E-mail about working-day limits waits out the quiet hours (20:00–08:00 by default)."""
    local = now.astimezone(SHANGHAI)
    start, end = settings.quiet_start, settings.quiet_end
    t = local.time()
    in_quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not in_quiet:
        return now
    wake = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(now.tzinfo)


def dispatch_outbox(
    svc: services.Services, enqueue: Enqueue, settings: NotificationSettings
) -> int:
    """Hand pending deliveries to the broker; re-hand those the broker seems to have lost."""
    now = svc.clock.now()
    stale_before = now - timedelta(seconds=settings.redeliver_after_seconds)
    with svc.uow() as uow:
        rows = uow.escalations.deliveries_to_enqueue(now, stale_before)
        ids = [r.id for r in rows]
        for row in rows:
            row.enqueued_at = now
        uow.commit()
    for delivery_id in ids:
        enqueue(delivery_id)
    return len(ids)
