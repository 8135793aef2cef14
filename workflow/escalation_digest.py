"""The daily digest: who gets which list of pressing limits (issue 14), and the use case
that sends them (``send_digests``, run by the sweeper after each sweep).

At a configured time on working days (08:30 Asia/Shanghai by default) each person gets one
message listing the limits of the cases assigned to them that are overdue, fall due today
or within the next working days; an office head gets the same for every open case of the
agency instead. Nobody with nothing to list gets a message. Each digest is recorded as a
firing (``digest:<day>:<username>``), exactly once like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import structlog

from govflow.workflow import services, texts
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, end_of_day, local_date
from govflow.workflow.deadlines import Basis, Deadline
from govflow.workflow.escalation_firing import PERSONAL_CHANNELS, Directory, Person, deliveries
from govflow.workflow.escalation_ports import (
    DigestDeadline,
    Enqueue,
    EscalationStore,
    NewDelivery,
    NewFiring,
)
from govflow.workflow.policy import NotificationSettings

log = structlog.get_logger(__name__)

DIGEST_RULE = "daily_digest"


def digest_key(day: date, username: str) -> str:
    return f"digest:{day.isoformat()}:{username}"


@dataclass(frozen=True)
class Digest:
    person: Person
    for_agency: bool  # an office head's digest of the whole agency
    subject: str
    body: str
    count: int


def horizon(today: date, within: int, calendar: WorkingCalendar) -> datetime:
    """The end of the ``within``-th working day after today: what "due soon" reaches to."""
    return end_of_day(calendar.add_working_days(today, within).due_date)


def bucket(d: Deadline, now: datetime, soon_until: datetime) -> str | None:
    """Which list a running limit belongs on at ``now``: overdue, today, soon, or none."""
    if not d.is_running_at(now) or d.due_at is None:
        return None
    if d.is_overdue(now):
        return "overdue"
    due_day = d.due_date if d.due_date is not None else local_date(d.due_at)
    if due_day == local_date(now):
        return "today"
    return "soon" if d.due_at <= soon_until else None


def digests(
    now: datetime,
    rows: Sequence[DigestDeadline],
    directory: Directory,
    calendar: WorkingCalendar,
    within: int,
) -> list[Digest]:
    """Every digest due at ``now`` from the running limits that fall due before the horizon."""
    today = local_date(now)
    soon_until = horizon(today, within, calendar)
    mine: dict[str, dict[str, list[texts.DigestLine]]] = {}
    agency: dict[int, dict[str, list[texts.DigestLine]]] = {}
    for row in rows:
        deadline = Deadline.from_json(row.detail)
        where = bucket(deadline, now, soon_until)
        if where is None:
            continue
        line = texts.DigestLine(
            row.case_ref,
            deadline.label,
            texts.due_text(deadline.due_date, deadline.due_at),
            deadline.time_left(calendar, now),
        )
        if row.assignee:
            mine.setdefault(row.assignee, {}).setdefault(where, []).append(line)
        agency.setdefault(row.agency_id, {}).setdefault(where, []).append(line)
    made = []
    for person in directory.people.values():
        heads_agency = person.role == "office_head"
        lists = agency.get(person.agency_id) if heads_agency else mine.get(person.username)
        if not lists:
            continue
        scope = texts.digest_scope(
            directory.agency_names.get(person.agency_id) if heads_agency else None
        )
        subject, body = texts.digest(today, scope, lists, within)
        made.append(
            Digest(person, heads_agency, subject, body, sum(len(v) for v in lists.values()))
        )
    return made


def send_digests(svc: services.Services, enqueue: Enqueue, settings: NotificationSettings) -> int:
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
        store: EscalationStore = uow.escalations
        if not store.claim_digest_day(today):
            return 0
        rows = store.digest_deadlines(horizon(today, within, svc.calendar))
        made = digests(now, rows, store.directory(), svc.calendar, within)
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
