"""Firing escalations (SPEC E-1…E-4): the use case the sweeper runs; workers only drive it.

``fire_due`` fires every due rule once, in batches, and hands deliveries over after commit.
It claims due rows of the schedule a batch at a time (``FOR UPDATE SKIP LOCKED …
LIMIT n``), decides each one (``workflow.escalation_firing.decide``: one firing per row, due repeats
coalesced, or stale), and records the firings, their deliveries and the rows' next
instants with set-based statements in one transaction per batch. Only after that commit
are the batch's deliveries handed to the broker. Several sweepers share a burst without
waiting on each other; a sweeper killed mid-batch leaves nothing of that batch behind, and
whoever sweeps next makes its firings, once (each key is unique).

An expiry (a rule with an ``action``) is a system action on its case, so it runs as one:
its own transaction, the case loaded, acted on and saved with its firing (an audited
system event), after the batch that claimed it. A case's notifications in that batch wait
for the next claim, which sees the case as the expiry left it.

``dispatch_outbox`` hands over what the outbox holds (e-mail whose quiet hours ended, a
delivery the broker lost); ``next_due_at`` tells a simulated sweeper where to jump.
The daily digests are ``services.digests``, one delivery's sending ``services.delivery``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from govflow.workflow import texts
from govflow.workflow.errors import Conflict, DamagedHistory, GovflowError
from govflow.workflow.escalation import Rule
from govflow.workflow.escalation_firing import (
    Decision,
    Delivery,
    Directory,
    DueRow,
    Step,
    decide,
    deliveries,
    firing_key,
    message,
)
from govflow.workflow.escalation_ports import Enqueue, NewDelivery, NewFiring, SweepStore
from govflow.workflow.identity.principal import SYSTEM_PRINCIPAL
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services.base import Services, load_case
from govflow.workflow.services.cases import apply_action

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Fired:
    """One firing made, for the caller's metrics."""

    key: str
    level: str
    late: bool
    action: bool
    lag_seconds: float


@dataclass
class SweepReport:
    fired: list[str] = field(default_factory=list)
    late: int = 0
    actions: int = 0
    enqueued: int = 0
    batches: int = 0
    seconds: float = 0.0
    made: list[Fired] = field(default_factory=list)

    def add(self, fired: Fired) -> None:
        self.fired.append(fired.key)
        self.made.append(fired)
        self.late += fired.late
        self.actions += fired.action


def fire_due(
    svc: Services,
    enqueue: Enqueue,
    settings: NotificationSettings,
    batch: int = 500,
) -> SweepReport:
    """Fire every rule due now, a batch per transaction; then hand over what the outbox holds."""
    started = time.perf_counter()
    report = SweepReport()
    now = svc.clock.now()
    directory: Directory | None = None  # read once per sweep, when there is something to tell
    tried: set[int] = set()  # expiries attempted in this sweep (one that lost a race waits)
    while True:
        with svc.uow() as uow:
            store: SweepStore = uow.escalations
            rows = store.claim_due(now, batch)
            expiries = [r for r in rows if _is_action(store, r) and r.schedule_id not in tried]
            waiting = {r.case_id for r in expiries}
            notify = [r for r in rows if r.case_id not in waiting and not _is_action(store, r)]
            if notify and directory is None:
                directory = store.directory()
            ready = _fire_batch(svc, store, notify, directory, now, settings, report)
            uow.commit()
        report.batches += 1
        for delivery_id in ready:  # only now: the batch is committed
            enqueue(delivery_id)
        report.enqueued += len(ready)
        for row in expiries:
            tried.add(row.schedule_id)
            fired = _expire(svc, row.schedule_id, now, settings)
            if fired is not None:
                report.add(fired)
        if not notify and not expiries:
            break  # nothing left this sweep can do (the rest waits for a lost race)
        if len(rows) < batch and not expiries:
            break
    report.enqueued += dispatch_outbox(svc, enqueue, settings)
    report.seconds = time.perf_counter() - started
    if report.fired or report.enqueued:
        log.info(
            "sweep",
            fired=len(report.fired),
            late=report.late,
            actions=report.actions,
            enqueued=report.enqueued,
            batches=report.batches,
            seconds=round(report.seconds, 4),
        )
    return report


def _is_action(store: SweepStore, row: DueRow) -> bool:
    rule = _rule(store, row)
    return rule is not None and rule.action is not None


def _rule(store: SweepStore, row: DueRow) -> Rule | None:
    if row.policy is None or row.deadline is None:
        return None
    return store.policy(row.policy).rule(row.deadline.kind, row.rule)


def _fire_batch(
    svc: Services,
    store: SweepStore,
    rows: Sequence[DueRow],
    directory: Directory | None,
    now: datetime,
    settings: NotificationSettings,
    report: SweepReport,
) -> list[int]:
    """Notifications of one claimed batch, written set-based; returns the delivery ids to
    hand over once the batch commits."""
    if not rows:
        return []
    assert directory is not None
    steps: list[Step] = []
    firings: list[NewFiring] = []
    planned: dict[str, tuple[DueRow, Decision]] = {}
    outbox: dict[str, list[Delivery]] = {}
    for row in rows:
        rule = _rule(store, row)
        decision = decide(row, rule, now, settings.late_after_seconds)
        steps.append(decision.step)
        if decision.key is None or rule is None:
            continue
        assert row.deadline is not None and decision.threshold_at is not None
        people = directory.told(row.agency_id, row.assignee, rule.notify)
        assignee = directory.people.get(row.assignee) if row.assignee else None
        firings.append(
            NewFiring(
                key=decision.key,
                schedule_id=row.schedule_id,
                case_id=row.case_id,
                deadline_key=row.deadline_key,
                rule=row.rule,
                level=rule.level,
                action=None,
                outcome="notified",
                threshold_at=decision.threshold_at,
                fired_at=now,
                late=decision.late,
                message=message(
                    row,
                    svc.config.case_types.find(row.case_type).case_type,
                    rule,
                    decision,
                    now,
                    svc.calendar,
                    assignee.name if assignee else None,
                ),
                recipients=[p.username for p in people],
                repeats=decision.repeats,
            )
        )
        planned[decision.key] = (row, decision)
        outbox[decision.key] = deliveries(decision.key, people, settings, row.deadline.basis, now)
    ids = store.insert_firings(firings)  # a key someone else took is not recorded twice
    new = [
        NewDelivery(
            d.key,
            ids[key],
            d.channel,
            d.recipient,
            d.address,
            d.not_before,
            now if d.not_before <= now else None,
        )
        for key in ids
        for d in outbox[key]
    ]
    recorded = store.insert_deliveries(new)
    store.advance(steps)
    for key in ids:
        row, decision = planned[key]
        rule = _rule(store, row)
        assert rule is not None and decision.threshold_at is not None
        report.add(
            Fired(
                key,
                rule.level,
                decision.late,
                False,
                max((now - decision.threshold_at).total_seconds(), 0),
            )
        )
        log.info(
            "escalation.fired",
            key=key,
            case_ref=row.case_ref,
            deadline=row.deadline_key,
            rule=row.rule,
            severity=rule.level,
            late=decision.late,
            repeats=decision.repeats,
        )
    return [delivery_id for delivery_id, handed in recorded if handed]


def _expire(
    svc: Services, schedule_id: int, now: datetime, settings: NotificationSettings
) -> Fired | None:
    """An expiry (SPEC section 6, item 3): the system action on its case and its firing, in
    one transaction of their own; None if another sweeper took the row or it is stale."""
    try:
        with svc.uow() as uow:
            store = uow.escalations
            row = store.claim(schedule_id, now)
            if row is None:
                return None
            ref = store.case_ref(row.case_id)
            case = load_case(svc, uow, ref)
            deadline = next((d for d in case.deadlines if d.key == row.deadline_key), None)
            policy = store.policy(case.escalation_policy) if case.escalation_policy else None
            rule = policy.rule(deadline.kind, row.rule) if policy and deadline else None
            if (
                rule is None
                or rule.action is None
                or deadline is None
                or not deadline.is_running_at(now)
                or deadline.due_at != row.due_at
            ):
                row.next_fire_at = None  # stale: the case changed and its next save re-plans it
                uow.commit()
                return None
            threshold_at = row.next_fire_at
            assert threshold_at is not None
            key = firing_key(row.case_id, row.deadline_key, row.rule, row.epoch, row.repeat_no)
            late = (now - threshold_at).total_seconds() > settings.late_after_seconds
            try:
                apply_action(
                    svc, uow, ref, rule.action, {"deadline": row.deadline_key}, SYSTEM_PRINCIPAL
                )
                outcome = texts.expiry_done(rule.action)
            except GovflowError as exc:
                outcome = texts.expiry_refused(str(exc))
            text = texts.expiry(deadline.label, outcome)
            store.insert_firings(
                [
                    NewFiring(
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
                        message=f"{text}\n{text}",
                        recipients=[],
                    )
                ]
            )
            if row.next_fire_at is not None:  # the action's save re-planned the case: done
                row.repeat_no += 1
                row.next_fire_at = None
            uow.commit()
    except Conflict:
        return None  # someone acted on the case first: the next sweep tries again
    except DamagedHistory as exc:  # reported by audit verify; the other cases go on
        log.error("sweep.damaged_history", case_ref=exc.ref, position=exc.position)
        return None
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
    return Fired(key, rule.level, late, True, max((now - threshold_at).total_seconds(), 0))


def dispatch_outbox(svc: Services, enqueue: Enqueue, settings: NotificationSettings) -> int:
    """Hand over deliveries whose time has come (e-mail after the quiet hours) and re-hand
    those the broker seems to have lost (SPEC E-4: losing the broker loses nothing)."""
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


def next_due_at(svc: Services) -> datetime | None:
    """The earliest instant any escalation rule fires next (a simulated sweeper jumps to it)."""
    with svc.uow() as uow:
        return uow.escalations.next_due_at()
