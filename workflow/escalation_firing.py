"""Firing escalation rules, as pure functions: what one due schedule row makes (SPEC E-1…E-3).

The sweeper claims due rows of ``escalation_schedule`` a batch at a time
(``services.escalations.fire_due``); each row comes with its case and the deadline as stored
(the projection of the case's events), so nothing is replayed. ``decide`` says whether the
row fires now and, if so, under which key, how many repeats this one firing covers, whether
it is late and when the row fires next; a row whose deadline no longer runs (met, cancelled,
paused, moved, an optional limit that has passed) is stale and fires nothing. ``Directory``
answers who a rule tells; ``deliveries`` says through which channels, and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from govflow.workflow import texts
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.casetype import CaseType
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.deadline_terms import Basis
from govflow.workflow.deadlines import Deadline
from govflow.workflow.escalation import Rule
from govflow.workflow.policy import NotificationSettings

PERSONAL_CHANNELS = frozenset({"log", "email"})
"""Channels that reach one person; the others (webhook, WeCom, DingTalk) post to a group."""


@dataclass(frozen=True)
class DueRow:
    """A claimed schedule row with all a firing needs, read in one query."""

    schedule_id: int
    case_id: int
    case_ref: str
    case_type: str
    agency_id: int
    state: str
    assignee: str | None
    policy: str | None
    deadline_key: str
    rule: str
    epoch: int
    repeat_no: int
    due_at: datetime | None
    next_fire_at: datetime
    deadline: Deadline | None


@dataclass(frozen=True)
class Step:
    """Where a schedule row goes after this sweep: its next repeat number and instant."""

    schedule_id: int
    repeat_no: int
    next_fire_at: datetime | None


@dataclass(frozen=True)
class Decision:
    """What a due row does now. ``key`` is None for a stale row (it only steps)."""

    step: Step
    key: str | None = None
    threshold_at: datetime | None = None
    repeats: int = 0
    late: bool = False


def firing_key(case_id: int, deadline_key: str, rule: str, epoch: int, repeat_no: int) -> str:
    """The unique key of one firing (SPEC E-2): the same firing can never be recorded twice."""
    return f"{case_id}:{deadline_key}:{rule}:{epoch}:{repeat_no}"


def decide(row: DueRow, rule: Rule | None, now: datetime, late_after_seconds: float) -> Decision:
    """Fire the row, its due repeats coalesced into one firing, or find it stale.

    A repeating rule whose row was left unswept across several repeats (the sweeper was
    down; the case was registered with a receipt date long past) fires once, saying how
    many repeats it stands for and since when, and its row moves past ``now``: never more
    than one message per rule per deadline per sweep.
    """
    deadline = row.deadline
    if (
        rule is None
        or deadline is None
        or not deadline.is_running_at(now)
        or deadline.due_at != row.due_at
    ):
        # The case changed (its next save re-plans the row), or the limit no longer runs.
        return Decision(Step(row.schedule_id, row.repeat_no, None))
    threshold = row.next_fire_at
    repeats, next_at = 1, None
    if rule.repeat is not None and not rule.action:
        interval = rule.repeat.delta
        repeats = (now - threshold) // interval + 1
        next_at = threshold + interval * repeats
    return Decision(
        Step(row.schedule_id, row.repeat_no + repeats, next_at),
        firing_key(row.case_id, row.deadline_key, row.rule, row.epoch, row.repeat_no),
        threshold,
        repeats,
        (now - threshold).total_seconds() > late_after_seconds,
    )


# -- who is told ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A user as the sweeper sees one: the roles the account holds (identity's
    ``user_roles``) and whether it is active (a departed or locked user is told nothing)."""

    username: str
    name: str
    email: str | None
    agency_id: int
    roles: tuple[str, ...]
    active: bool = True

    def has_role(self, role: str) -> bool:
        return role in self.roles


@dataclass
class Directory:
    """The organisation as the sweeper needs it: people, staff by agency and role, the tree."""

    people: dict[str, Person] = field(default_factory=dict)
    parents: dict[int, int | None] = field(default_factory=dict)
    agency_names: dict[int, str] = field(default_factory=dict)
    _staff: dict[tuple[int, str], list[Person]] = field(default_factory=dict)

    @classmethod
    def of(cls, people: Iterable[Person], agencies: Iterable[tuple[int, int | None, str]]):
        directory = cls()
        for agency_id, parent_id, name in agencies:
            directory.parents[agency_id] = parent_id
            directory.agency_names[agency_id] = name
        for person in sorted(people, key=lambda p: p.username):
            directory.people[person.username] = person
            if not person.active:
                continue  # named (an assignee's name in a message), never told
            for role in person.roles:
                directory._staff.setdefault((person.agency_id, role), []).append(person)
        return directory

    def staff(self, agency_id: int | None, role: str) -> list[Person]:
        return list(self._staff.get((agency_id, role), [])) if agency_id is not None else []

    def told(self, agency_id: int, assignee: str | None, notify: Sequence[str]) -> list[Person]:
        """The rule's roles resolved to people, once each, in a stable order: the assignee
        (nobody assigned, or an assignee whose account is no longer active: the office heads
        answer for the case), the office heads of the case's agency, the supervisors of the
        agency above (of its own at the top). Only active accounts are told."""
        found: dict[str, Person] = {}
        for who in notify:
            if who == "assignee":
                person = self.people.get(assignee) if assignee else None
                if person is not None and person.active:
                    people = [person]
                else:
                    people = self.staff(agency_id, "office_head")
            elif who == "office_head":
                people = self.staff(agency_id, "office_head")
            else:
                above = self.staff(self.parents.get(agency_id), "supervisor")
                people = above or self.staff(agency_id, "supervisor")
            for person in people:
                found.setdefault(person.username, person)
        return list(found.values())


# -- what is said, and through which channels -----------------------------------------------------


def message(
    row: DueRow,
    case_type: CaseType,
    rule: Rule,
    decision: Decision,
    now: datetime,
    calendar: WorkingCalendar,
    assignee_name: str | None,
) -> str:
    """The stored text of a notification: its subject line, then its body (``case_type``:
    the row's type, for its label and its state's). Where to act is not in it: each channel
    says so its own way (``texts.with_entry``, a robot's link, the notification centre's)."""
    deadline = row.deadline
    assert deadline is not None and deadline.due_at is not None
    assert decision.threshold_at is not None
    limit = texts.Limit(
        case_ref=row.case_ref,
        case_type_label=case_type.label,
        state_label=case_type.state_label(row.state),
        label=deadline.label,
        due=texts.due_text(deadline.due_date, deadline.due_at),
        time_left=deadline.time_left(calendar, now),
        passed=now >= deadline.due_at,
    )
    subject, body = texts.notification(
        rule.level,
        limit,
        assignee_name,
        late_since=decision.threshold_at if decision.late else None,
        repeats=decision.repeats,
        repeats_since=decision.threshold_at,
    )
    return f"{subject}\n{body}"


@dataclass(frozen=True)
class Delivery:
    key: str
    channel: str
    recipient: str
    address: str | None
    not_before: datetime


def deliveries(
    key: str,
    people: Sequence[Person],
    settings: NotificationSettings,
    basis: Basis | None,
    now: datetime,
) -> list[Delivery]:
    """One delivery per person on each personal channel (no e-mail without an address), one
    per firing on each group channel; e-mail about working-day limits waits out the quiet
    hours, an hour-based incident clock never waits."""
    if not people:
        return []
    quiet_until = quiet_end(now, settings) if basis is Basis.WORKING_DAYS else now
    out = []
    for channel in settings.channels:
        if channel not in PERSONAL_CHANNELS:
            out.append(Delivery(f"{key}:{channel}:{channel}", channel, channel, None, now))
            continue
        for person in people:
            if channel == "email" and not person.email:
                continue
            out.append(
                Delivery(
                    f"{key}:{channel}:{person.username}",
                    channel,
                    person.username,
                    person.email if channel == "email" else None,
                    quiet_until if channel == "email" else now,
                )
            )
    return out


def quiet_end(now: datetime, settings: NotificationSettings) -> datetime:
    """``now``, or the end of the quiet hours (20:00–08:00 by default) if inside them."""
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
