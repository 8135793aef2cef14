"""The daily digest: who gets which list of pressing limits (issue 14), as pure functions;
the use case that sends them is ``services.digests.send_digests`` (run after each sweep).

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

from govflow.workflow import texts
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import end_of_day, local_date
from govflow.workflow.deadlines import Deadline
from govflow.workflow.escalation_firing import Directory, Person
from govflow.workflow.escalation_ports import DigestDeadline

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


def digests_due(
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
        if not person.active:
            continue  # a departed or locked user gets no digest
        heads_agency = person.has_role("office_head")
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
