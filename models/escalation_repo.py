"""Rows of the escalation machinery: policies, the schedule, firings and the delivery outbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from govflow.models.db import core
from govflow.models.statements import schedule_upsert
from govflow.models.sweep_repo import SweepQueries
from govflow.models.tables import (
    CaseRow,
    DeliveryRow,
    EscalationPolicyRow,
    EscalationScheduleRow,
    FiringRow,
    UserRow,
    dialect_insert,
)
from govflow.workflow.errors import NotFound
from govflow.workflow.escalation import PlannedRule, Policy
from govflow.workflow.escalation_ports import Outgoing

_POLICIES: dict[str, Policy] = {}
"""Escalation policies by digest, as read (content-addressed: never out of date)."""


class EscalationRepository(SweepQueries):
    """The SQL side of ``escalation_ports.EscalationStore`` (the sweeper's batches come from
    ``SweepQueries``), and the reads of the escalation lists."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"

    # -- policies ------------------------------------------------------------------

    def ensure_policy(self, policy: Policy, now: datetime) -> str:
        """Store the policy under its digest once; clerks registering at once all get it."""
        digest = policy.digest
        if self.session.get(EscalationPolicyRow, digest) is None:
            insert = dialect_insert(self.session)
            self.session.execute(
                insert(EscalationPolicyRow)
                .values(
                    digest=digest,
                    case_type=policy.case_type,
                    body=policy.model_dump(mode="json"),
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["digest"])
            )
        return digest

    def policy(self, digest: str) -> Policy:
        """The policy stored under ``digest``; kept per process once read, since a digest
        names one body for ever (any database's: the digest is of the body itself)."""
        found = _POLICIES.get(digest)
        if found is not None:
            return found
        row = self.session.get(EscalationPolicyRow, digest)
        if row is None:
            raise NotFound(f"没有摘要为 {digest[:12]} 的督办规则")
        found = _POLICIES[digest] = Policy.model_validate(row.body)
        return found

    # -- the schedule ----------------------------------------------------------------

    def sync_schedule(self, case_id: int, planned: list[PlannedRule]) -> None:
        """Make the stored schedule match the case's running deadlines (``reconcile_schedule``)."""
        rows = {
            (r.deadline_key, r.rule): r
            for r in self.session.scalars(
                select(EscalationScheduleRow).where(EscalationScheduleRow.case_id == case_id)
            )
        }
        self.session.add_all(reconcile_schedule(rows, case_id, planned))

    def update_schedule(
        self, case_id: int, planned: list[PlannedRule], unplanned: list[tuple[str, str]]
    ) -> None:
        """``sync_schedule`` without reading the rows: one statement for the planned rules and
        those (deadline key, rule) ``unplanned`` that a row may still schedule (stopped if it
        exists). The caller knows every row the case may have is among the two."""
        values = [
            {
                "case_id": case_id,
                "deadline_key": p.deadline_key,
                "rule": p.rule,
                "planned": True,
                "due_at": p.due_at,
                "first_at": p.first_at,
                "repeats": p.repeat is not None,
            }
            for p in planned
        ] + [
            {
                "case_id": case_id,
                "deadline_key": key,
                "rule": rule,
                "planned": False,
                "due_at": None,
                "first_at": None,
                "repeats": False,
            }
            for key, rule in unplanned
        ]
        if values:
            # A row this unit of work changed through the ORM (a firing, an acknowledgement)
            # is written first, so the statement computes from what it holds.
            self.session.flush()
            dialect = "postgresql" if self._postgres else "sqlite"
            core(self.session).execute(schedule_upsert(dialect), values)

    def next_due_at(self) -> datetime | None:
        """The earliest instant any rule fires next (the demo's simulated sweeper jumps to it)."""
        return self.session.scalar(select(func.min(EscalationScheduleRow.next_fire_at)))

    def claim(self, schedule_id: int, now: datetime) -> EscalationScheduleRow | None:
        """Lock one due row; another sweeper holding it, or having fired it, makes this None."""
        stmt = (
            select(EscalationScheduleRow)
            .where(
                EscalationScheduleRow.id == schedule_id, EscalationScheduleRow.next_fire_at <= now
            )
            .with_for_update(skip_locked=True)
        )
        return self.session.scalar(stmt)

    def case_ref(self, case_id: int | None) -> str:
        return self.session.get_one(CaseRow, case_id).ref

    def firing_by_key(self, firing_key: str) -> FiringRow:
        firing = self.session.scalar(select(FiringRow).where(FiringRow.key == firing_key))
        if firing is None:
            raise NotFound(f"没有编号为 {firing_key} 的提醒")
        return firing

    def acknowledge(self, firing: FiringRow, username: str, now: datetime) -> int | None:
        """Stop the repeats of the fired rule, unless its deadline has moved on since;
        returns the epoch acknowledged (None: nothing left to stop).

        The rule has fired in this epoch, so whatever its row still schedules in the
        same epoch is a repeat; a new epoch (a new due date) keeps its own ladder.
        """
        firing.acknowledged_at, firing.acknowledged_by = now, username
        row = self.session.get_one(EscalationScheduleRow, firing.schedule_id)
        epoch = int(firing.key.rsplit(":", 2)[1])
        if row.epoch != epoch:
            return None
        row.acknowledged_at, row.acknowledged_by = now, username
        row.next_fire_at = None
        return epoch

    def deliveries_of(self, firing_id: int) -> list[DeliveryRow]:
        stmt = select(DeliveryRow).where(DeliveryRow.firing_id == firing_id)
        return list(self.session.scalars(stmt.order_by(DeliveryRow.id)))

    # -- firings and the outbox -----------------------------------------------------

    def firings(
        self, case_id: int | None = None, agency_ids: Sequence[int] | None = None
    ) -> list[FiringRow]:
        """Firings of one case, or of the cases of these agencies (None: all), in order;
        never the daily digests (they belong to no case)."""
        stmt = select(FiringRow).order_by(FiringRow.id).where(FiringRow.case_id.is_not(None))
        if case_id is not None:
            stmt = stmt.where(FiringRow.case_id == case_id)
        if agency_ids is not None:
            stmt = stmt.join(CaseRow, CaseRow.id == FiringRow.case_id).where(
                CaseRow.agency_id.in_(agency_ids)
            )
        return list(self.session.scalars(stmt))

    def firings_to(
        self,
        username: str,
        agency_ids: Sequence[int] | None,
        pending_only: bool = False,
        limit: int = 200,
    ) -> list[FiringRow]:
        """The firings of cases of these agencies (None: all) that told ``username``, newest
        first; ``pending_only``: those still waiting for an acknowledgement (an expiry needs
        none). Recipients are a JSON list, written escaped or not depending on the database, so
        the SQL narrows by the quoted name in its text (either way) and the exact membership is
        checked here."""
        stmt = (
            select(FiringRow)
            .where(
                FiringRow.case_id.is_not(None),
                or_(
                    *(
                        cast(FiringRow.recipients, String).contains(quoted, autoescape=True)
                        for quoted in {
                            json.dumps(username),
                            json.dumps(username, ensure_ascii=False),
                        }
                    )
                ),
            )
            .order_by(FiringRow.fired_at.desc(), FiringRow.id.desc())
            .limit(limit)
        )
        if pending_only:
            stmt = stmt.where(FiringRow.acknowledged_at.is_(None), FiringRow.action.is_(None))
        if agency_ids is not None:
            stmt = stmt.join(CaseRow, CaseRow.id == FiringRow.case_id).where(
                CaseRow.agency_id.in_(agency_ids)
            )
        return [r for r in self.session.scalars(stmt) if username in r.recipients]

    def digest_firings(self, day: date | None = None) -> list[FiringRow]:
        prefix = f"digest:{day.isoformat()}:" if day else "digest:"
        stmt = select(FiringRow).where(
            FiringRow.case_id.is_(None), FiringRow.key.startswith(prefix)
        )
        return list(self.session.scalars(stmt.order_by(FiringRow.id)))

    def deliveries_to_enqueue(self, now: datetime, stale_before: datetime) -> list[DeliveryRow]:
        """Pending deliveries never handed to the broker, or handed over so long ago that the
        broker must have lost them (SPEC E-4: losing the broker loses nothing)."""
        stmt = (
            select(DeliveryRow)
            .where(
                DeliveryRow.status == "pending",
                DeliveryRow.not_before <= now,
                or_(DeliveryRow.enqueued_at.is_(None), DeliveryRow.enqueued_at < stale_before),
            )
            .order_by(DeliveryRow.id)
            .limit(1000)
        )
        return list(self.session.scalars(stmt))

    def outgoing(self, delivery_id: int) -> Outgoing | None:
        """A delivery locked for sending (``FOR UPDATE OF deliveries``: a twin handed the same
        delivery waits, then finds it sent), read with its firing, case and recipient."""
        stmt = (
            select(
                DeliveryRow,
                FiringRow.message,
                FiringRow.level,
                FiringRow.recipients,
                FiringRow.threshold_at,
                CaseRow.ref,
                UserRow.name,
            )
            .join(FiringRow, FiringRow.id == DeliveryRow.firing_id)
            .outerjoin(CaseRow, CaseRow.id == FiringRow.case_id)
            .outerjoin(UserRow, UserRow.username == DeliveryRow.recipient)
            .where(DeliveryRow.id == delivery_id)
            .with_for_update(of=DeliveryRow)
        )
        found = self.session.execute(stmt).first()
        return Outgoing(*found) if found else None

    def lock_delivery(self, delivery_id: int) -> DeliveryRow | None:
        stmt = select(DeliveryRow).where(DeliveryRow.id == delivery_id).with_for_update()
        return self.session.scalar(stmt)


def reconcile_schedule(
    rows: dict[tuple[str, str], EscalationScheduleRow], case_id: int, planned: list[PlannedRule]
) -> list[EscalationScheduleRow]:
    """Bring a case's schedule rows in line with its plan, after every change of the case;
    returns the rows to add (the others are changed in place).

    A rule whose deadline moved starts a new epoch (its ladder fires again for the new
    date); a rule whose deadline stopped running stops firing, and keeps its place in
    the epoch should the deadline run again to the same date (a pause that took no
    working day): what fired then does not fire twice. ``repeat_no`` counts the firings
    of the epoch, so the next one is always known from the plan. The bulk writer of
    synthetic data (``govflow.models.bulk``) keeps its rows in memory and calls this too.
    """
    added = []
    wanted = {(p.deadline_key, p.rule): p for p in planned}
    for key, plan in wanted.items():
        row = rows.get(key)
        if row is None:
            row = EscalationScheduleRow(
                case_id=case_id,
                deadline_key=plan.deadline_key,
                rule=plan.rule,
                epoch=0,
                repeat_no=0,
            )
            rows[key] = row
            added.append(row)
        elif row.due_at != plan.due_at:
            row.epoch += 1
            row.repeat_no = 0
            row.acknowledged_at = row.acknowledged_by = None
        row.due_at = plan.due_at
        # Within an epoch the plan decides too: a policy adopted since may have moved
        # the threshold of a rule that has not fired yet.
        planned_next = next_fire_at(row.acknowledged_at, row.repeat_no, plan)
        if row.next_fire_at != planned_next:
            row.next_fire_at = planned_next
    for key, row in rows.items():
        if key not in wanted:
            row.next_fire_at = None
    return added


def next_fire_at(
    acknowledged_at: datetime | None, repeat_no: int, plan: PlannedRule
) -> datetime | None:
    """When a rule fires next, given how often it fired in its epoch and whether someone
    acknowledged it: the plan decides (``audit verify`` checks the stored value with it)."""
    if acknowledged_at is not None:
        return None
    if plan.repeat is None:
        return plan.first_at if repeat_no == 0 else None
    return plan.first_at + plan.repeat * repeat_no
