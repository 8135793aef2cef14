"""The daily digests (issue 14 item 5): sending the day's, once, and listing them.

``send_digests`` runs after each sweep: on a working day from ``digest_at`` on, one sweeper
takes the day and records every person's digest as a firing, exactly once like the rest
(what each digest says is ``workflow.escalation_digest``). ``digests`` lists the digests
made, scoped to the people the reader may read about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import structlog

from govflow.workflow.actors import Actor
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.deadline_terms import Basis
from govflow.workflow.escalation_digest import DIGEST_RULE, digest_key, digests_due, horizon
from govflow.workflow.escalation_firing import PERSONAL_CHANNELS, deliveries
from govflow.workflow.escalation_ports import Enqueue, NewDelivery, NewFiring, SweepStore
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services.base import Services, agency_ids, scope_of

log = structlog.get_logger(__name__)


def send_digests(svc: Services, enqueue: Enqueue, settings: NotificationSettings) -> int:
    """The day's digests, once: on a working day from ``digest_at`` on (a sweeper that was
    down at that time sends them when it is back, the same day). Returns how many were made.

    One sweeper takes the day (``claim_digest_day``: ``SKIP LOCKED``, no waiting) and
    records every digest as a firing under ``digest:<day>:<username>`` in one transaction,
    marking the day done in it; a crash leaves the day to whoever sweeps next.
    """
    if settings.digest_at is None:
        return 0
    now = svc.clock.now()
    local = now.astimezone(SHANGHAI)
    today = local.date()
    if local.time() < settings.digest_at or not svc.calendar.is_working_day(today):
        return 0
    within = settings.digest_within_working_days
    due_at = local.replace(
        hour=settings.digest_at.hour, minute=settings.digest_at.minute, second=0, microsecond=0
    )
    with svc.uow() as uow:
        store: SweepStore = uow.escalations
        if not store.claim_digest_day(today):
            return 0
        rows = store.digest_deadlines(horizon(today, within, svc.calendar))
        made = digests_due(now, rows, store.directory(), svc.calendar, within)
        late = (now - due_at).total_seconds() > settings.late_after_seconds
        ids = store.insert_firings(
            [
                NewFiring(
                    key=digest_key(today, d.person.username),
                    schedule_id=None,
                    case_id=None,
                    deadline_key="",
                    rule=DIGEST_RULE,
                    level="digest",
                    action=None,
                    outcome="notified",
                    threshold_at=due_at,
                    fired_at=now,
                    late=late,
                    message=f"{d.subject}\n{d.body}",
                    recipients=[d.person.username],
                )
                for d in made
            ]
        )
        new = []
        for d in made:
            key = digest_key(today, d.person.username)
            if key not in ids:
                continue
            # A group (webhook, WeCom, DingTalk) gets the agency's digest, not each person's.
            for x in deliveries(key, [d.person], settings, Basis.WORKING_DAYS, now):
                if x.channel in PERSONAL_CHANNELS or d.for_agency:
                    new.append(
                        NewDelivery(
                            x.key, ids[key], x.channel, x.recipient, x.address, x.not_before,
                            now if x.not_before <= now else None,
                        )
                    )  # fmt: skip
        recorded = store.insert_deliveries(new)
        store.finish_digest_day(today, now, len(ids))
        uow.commit()
    for delivery_id, handed in recorded:
        if handed:
            enqueue(delivery_id)
    log.info("digests", day=today.isoformat(), made=len(ids), late=late)
    return len(ids)


@dataclass(frozen=True)
class DigestView:
    key: str
    day: date
    recipient: str
    recipient_name: str
    fired_at: datetime
    late: bool
    message: str
    deliveries: dict[str, str]


def digests(svc: Services, reader: Actor, day: date | None = None) -> list[DigestView]:
    """The daily digests made (of one day, or all) with how each was delivered: those of the
    people in the agencies the reader may read (a user's own agency, a supervisor's tree)."""
    with svc.uow() as uow:
        store = uow.escalations
        ids = agency_ids(uow.repo.agencies(), scope_of(uow, reader).agencies)
        people = store.directory().people
        rows = [
            r
            for r in store.digest_firings(day)
            if r.recipients
            and r.recipients[0] in people
            and (ids is None or people[r.recipients[0]].agency_id in ids)
        ]
        return [
            DigestView(
                r.key,
                r.threshold_at.astimezone(SHANGHAI).date(),
                r.recipients[0],
                people[r.recipients[0]].name,
                r.fired_at,
                r.late,
                r.message,
                {d.key: d.status for d in store.deliveries_of(r.id)},
            )
            for r in rows
        ]
