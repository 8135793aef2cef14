"""The ports of escalation: what the ladders, the sweeper, digests and delivery need from
persistence and from the broker. Apart from ``ports`` because only escalation's use cases
use them; ``ports.UnitOfWork`` names the two repositories defined here.

``EscalationPlans`` is what the writing use cases keep (``uow.escalations``: the ladder in
force, each case's schedule); ``EscalationRepository`` adds the sweeper's half and the
firings and deliveries the reading use cases show. ``SweepStore`` is the half the sweeper
uses: claim a batch of due rows with what their firings need, record firings and
deliveries set-based, step the rows, take a day's digests, read a delivery to send.
``govflow.models`` implements them (``escalation_repo.EscalationRepository``, with
``sweep_repo.SweepQueries``). ``Enqueue`` is the broker's send
(``govflow.workers.actors.deliver.send``), or a list's ``append`` in tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from govflow.workflow.escalation import PlannedRule, Policy
from govflow.workflow.escalation_firing import Directory, DueRow, Step

Enqueue = Callable[[int], None]
"""Hands one delivery id to the broker, after the transaction that recorded it committed."""


@dataclass(frozen=True)
class NewFiring:
    """A firing to record (its deliveries go in once its id is known)."""

    key: str
    schedule_id: int | None
    case_id: int | None
    deadline_key: str
    rule: str
    level: str
    action: str | None
    outcome: str
    threshold_at: datetime
    fired_at: datetime
    late: bool
    message: str
    recipients: list[str]
    repeats: int = 1


@dataclass(frozen=True)
class NewDelivery:
    key: str
    firing_id: int
    channel: str
    recipient: str
    address: str | None
    not_before: datetime
    enqueued_at: datetime | None  # set when it is handed to the broker right after the commit


@dataclass(frozen=True)
class DigestDeadline:
    """A running deadline of an open case, for the daily digest (one query for everyone)."""

    case_ref: str
    agency_id: int
    assignee: str | None
    detail: dict[str, Any]


class PendingDelivery(Protocol):
    """A delivery row as the delivery use case reads and writes it (locked while sending)."""

    key: str
    channel: str
    recipient: str
    address: str | None
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


class ScheduleRecord(Protocol):
    """One row of the escalation schedule, locked by ``claim`` (an expiry fires on its own)."""

    id: int
    case_id: int
    deadline_key: str
    rule: str
    epoch: int
    repeat_no: int
    due_at: datetime | None
    next_fire_at: datetime | None


class OutboxRecord(Protocol):
    """A pending delivery the outbox hands (again) to the broker."""

    id: int
    enqueued_at: datetime | None


@dataclass(frozen=True)
class Outgoing:
    """A pending delivery, locked, with what its message needs (one query)."""

    row: PendingDelivery
    message: str
    level: str
    recipients: list[str]
    threshold_at: datetime
    case_ref: str | None
    recipient_name: str | None


class SweepStore(Protocol):
    """What the sweeper's use cases read and write (part of ``uow.escalations``)."""

    def policy(self, digest: str) -> Policy: ...
    def claim(self, schedule_id: int, now: datetime) -> ScheduleRecord | None: ...
    def case_ref(self, case_id: int) -> str: ...
    def deliveries_to_enqueue(
        self, now: datetime, stale_before: datetime
    ) -> Sequence[OutboxRecord]: ...
    def claim_due(self, now: datetime, limit: int) -> list[DueRow]: ...
    def directory(self) -> Directory: ...
    def insert_firings(self, firings: Sequence[NewFiring]) -> dict[str, int]: ...
    def insert_deliveries(self, deliveries: Sequence[NewDelivery]) -> list[tuple[int, bool]]: ...
    def advance(self, steps: Sequence[Step]) -> None: ...
    def claim_digest_day(self, day: date) -> bool: ...
    def finish_digest_day(self, day: date, now: datetime, digests: int) -> None: ...
    def digest_deadlines(self, before: datetime) -> list[DigestDeadline]: ...
    def outgoing(self, delivery_id: int) -> Outgoing | None: ...


class EscalationPlans(Protocol):
    """The ladders in force and each case's schedule, as the writing use cases keep them."""

    def ensure_policy(self, policy: Policy, now: datetime) -> str: ...

    def policy(self, digest: str) -> Policy: ...

    def sync_schedule(self, case_id: int, planned: list[PlannedRule]) -> None: ...

    def update_schedule(
        self, case_id: int, planned: list[PlannedRule], unplanned: list[tuple[str, str]]
    ) -> None: ...


class FiringRecord(Protocol):
    """One firing of an escalation rule (or a daily digest: no case, no schedule row), as
    stored; ``repeats``: how many due repeats of its rule it stands for."""

    id: int
    key: str
    schedule_id: int | None
    case_id: int | None
    deadline_key: str
    rule: str
    level: str
    outcome: str
    threshold_at: datetime
    fired_at: datetime
    late: bool
    message: str
    recipients: list[str]
    action: str | None
    repeats: int
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class DeliveryRecord(Protocol):
    """One notification of a firing on one channel to one person, and how it went."""

    key: str
    status: str


class EscalationRepository(EscalationPlans, SweepStore, Protocol):
    """…the sweeper's batches (``SweepStore``), and the firings and deliveries the reading
    use cases show."""

    def firings(
        self, case_id: int | None = None, agency_ids: Sequence[int] | None = None
    ) -> Sequence[FiringRecord]: ...

    def firings_to(
        self,
        username: str,
        agency_ids: Sequence[int] | None,
        pending_only: bool = False,
        limit: int = 200,
    ) -> Sequence[FiringRecord]:
        """The firings that told ``username``, of cases of these agencies, newest first."""
        ...

    def firing_by_key(self, firing_key: str) -> FiringRecord: ...

    def digest_firings(self, day: date | None = None) -> Sequence[FiringRecord]: ...

    def acknowledge(self, firing: FiringRecord, username: str, now: datetime) -> int | None:
        """Stop the rule's repeats; the epoch acknowledged (None: its deadline moved on)."""
        ...

    def deliveries_of(self, firing_id: int) -> Sequence[DeliveryRecord]: ...

    def case_ref(self, case_id: int) -> str: ...

    def next_due_at(self) -> datetime | None: ...
