"""Rows of the escalation machinery: policies, the schedule, firings and the delivery outbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    DeadlineRow,
    DeliveryRow,
    DigestRunRow,
    EscalationPolicyRow,
    EscalationScheduleRow,
    FiringRow,
    UserRow,
    dialect_insert,
)
from govflow.workflow.deadlines import Basis, Deadline, DeadlineStatus
from govflow.workflow.errors import NotFound
from govflow.workflow.escalation import PlannedRule, Policy
from govflow.workflow.escalation_firing import Directory, DueRow, Person, Step
from govflow.workflow.escalation_ports import DigestDeadline, NewDelivery, NewFiring

SCHEDULE = EscalationScheduleRow.__table__
FIRINGS = FiringRow.__table__
DELIVERIES = DeliveryRow.__table__

# PostgreSQL: a batch's rows go over as one array per column, unnested on the server: one
# short statement whatever the batch size (a multi-row VALUES list of thousands of
# parameters costs more to build and parse than to run).
_PG_FIRINGS = text(
    "INSERT INTO firings (key, schedule_id, case_id, deadline_key, rule, level, action,"
    " outcome, threshold_at, fired_at, late, message, recipients, repeats)"
    " SELECT k, s, c, dk, r, lv, a, o, t, f, l, m, CAST(rc AS json), rp FROM unnest("
    "CAST(:key AS text[]), CAST(:schedule_id AS integer[]), CAST(:case_id AS integer[]),"
    " CAST(:deadline_key AS text[]), CAST(:rule AS text[]), CAST(:level AS text[]),"
    " CAST(:action AS text[]), CAST(:outcome AS text[]), CAST(:threshold_at AS timestamptz[]),"
    " CAST(:fired_at AS timestamptz[]), CAST(:late AS boolean[]), CAST(:message AS text[]),"
    " CAST(:recipients AS text[]), CAST(:repeats AS integer[]))"
    " AS v(k, s, c, dk, r, lv, a, o, t, f, l, m, rc, rp)"
    " ON CONFLICT (key) DO NOTHING RETURNING key, id"
)
_PG_DELIVERIES = text(
    "INSERT INTO deliveries (key, firing_id, channel, recipient, address, status, attempts,"
    " not_before, enqueued_at)"
    " SELECT k, f, c, r, a, 'pending', 0, nb, e FROM unnest(CAST(:key AS text[]),"
    " CAST(:firing_id AS integer[]), CAST(:channel AS text[]), CAST(:recipient AS text[]),"
    " CAST(:address AS text[]), CAST(:not_before AS timestamptz[]),"
    " CAST(:enqueued_at AS timestamptz[])) AS v(k, f, c, r, a, nb, e)"
    " ON CONFLICT (key) DO NOTHING RETURNING id, enqueued_at"
)
_PG_ADVANCE = text(
    "UPDATE escalation_schedule AS s SET repeat_no = v.r, next_fire_at = v.n"
    " FROM unnest(CAST(:id AS integer[]), CAST(:repeat_no AS integer[]),"
    " CAST(:next_fire_at AS timestamptz[])) AS v(id, r, n) WHERE s.id = v.id"
)


def _deadline(
    key: str | None,
    kind: str,
    label: str,
    basis: str,
    amount: int,
    due_date: date | None,
    due_at: datetime | None,
    status: str,
    provisional: bool,
    optional: bool | None,
) -> Deadline | None:
    """The deadline a firing speaks of, from the columns of its projected row (what the
    message and the checks need; the explanation stays in the row's JSON, unread)."""
    if key is None:
        return None
    return Deadline(
        key,
        kind,
        label,
        Basis(basis),
        amount,
        due_date=due_date,
        due_at=due_at,
        status=DeadlineStatus(status),
        provisional=provisional,
        optional=bool(optional),
    )


def _columns(rows: Sequence[Any]) -> dict[str, list[Any]]:
    """Dataclass rows as one list per field (the arrays of an ``unnest``)."""
    names = list(vars(rows[0]))
    return {name: [getattr(row, name) for row in rows] for name in names}


class EscalationRepository:
    """The SQL side of ``escalation_ports.EscalationStore`` (and the reads of the CLI's lists).

    The batch methods are set-based, so a sweep costs a few statements per batch, not per
    firing: one ``SELECT … FOR UPDATE SKIP LOCKED`` claims the batch with its cases and
    deadlines, one multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING`` records the
    firings, one the deliveries, one ``executemany`` (pipelined by psycopg) steps the rows.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._policies: dict[str, Policy] = {}
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
        # A policy never changes under its digest: one read per unit of work is enough.
        if digest not in self._policies:
            row = self.session.get(EscalationPolicyRow, digest)
            if row is None:
                raise NotFound(f"没有摘要为 {digest[:12]} 的督办规则")
            self._policies[digest] = Policy.model_validate(row.body)
        return self._policies[digest]

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

    def due_schedule_ids(self, now: datetime, limit: int) -> list[int]:
        """The indexed look-up of a sweep: rules whose next firing instant has come."""
        stmt = (
            select(EscalationScheduleRow.id)
            .where(EscalationScheduleRow.next_fire_at <= now)
            .order_by(EscalationScheduleRow.next_fire_at)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def claim_due(self, now: datetime, limit: int) -> list[DueRow]:
        """Lock up to ``limit`` due rows, earliest first, with their cases and deadlines.

        ``FOR UPDATE OF escalation_schedule SKIP LOCKED``: rows another sweeper holds are
        passed over, not waited for, so sweepers share a burst (SQLite, one sweeper, ignores
        the clause). The locks last until this unit of work commits or rolls back.
        """
        s, c, d = EscalationScheduleRow, CaseRow, DeadlineRow
        # Lock first, in a subquery that walks the index on next_fire_at and stops at
        # ``limit`` rows; only then join the claimed rows to their cases and deadlines (a
        # join before the LIMIT would read, join and sort every due row of a burst).
        claimed = (
            select(
                s.id, s.case_id, s.deadline_key, s.rule, s.epoch, s.repeat_no, s.due_at,
                s.next_fire_at,
            )
            .where(s.next_fire_at <= now)
            .order_by(s.next_fire_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .subquery("claimed")
        )  # fmt: skip
        k = claimed.c
        stmt = (
            select(
                k.id, k.case_id, c.ref, c.case_type, c.agency_id, c.state, c.assignee,
                c.escalation_policy, k.deadline_key, k.rule, k.epoch, k.repeat_no, k.due_at,
                k.next_fire_at, d.key, d.kind, d.label, d.basis, d.amount, d.due_date, d.due_at,
                d.status, d.provisional, d.detail["optional"].as_boolean(),
            )
            .join(c, c.id == k.case_id)
            .outerjoin(d, and_(d.case_id == k.case_id, d.key == k.deadline_key))
            .order_by(k.next_fire_at, k.id)
        )  # fmt: skip
        return [DueRow(*row[:14], _deadline(*row[14:])) for row in self.session.execute(stmt)]

    def advance(self, steps: Sequence[Step]) -> None:
        """Move each fired (or stale) row on to its next repeat, in one statement."""
        if not steps:
            return
        if self._postgres:
            self.session.execute(
                _PG_ADVANCE,
                {
                    "id": [x.schedule_id for x in steps],
                    "repeat_no": [x.repeat_no for x in steps],
                    "next_fire_at": [x.next_fire_at for x in steps],
                },
            )
            return
        self.session.execute(
            update(SCHEDULE)
            .where(SCHEDULE.c.id == bindparam("b_id"))
            .values(repeat_no=bindparam("b_repeat_no"), next_fire_at=bindparam("b_next"))
            .execution_options(synchronize_session=False),
            [
                {"b_id": x.schedule_id, "b_repeat_no": x.repeat_no, "b_next": x.next_fire_at}
                for x in steps
            ],
        )

    def directory(self) -> Directory:
        people = [
            Person(u.username, u.name, u.email, u.agency_id, u.role)
            for u in self.session.execute(
                select(
                    UserRow.username, UserRow.name, UserRow.email, UserRow.agency_id, UserRow.role
                )
            )
        ]
        agencies = self.session.execute(select(AgencyRow.id, AgencyRow.parent_id, AgencyRow.name))
        return Directory.of(people, [tuple(a) for a in agencies])

    def insert_firings(self, firings: Sequence[NewFiring]) -> dict[str, int]:
        """Record firings in one statement; a key already taken is skipped, not duplicated.
        Returns the id of each firing recorded now, by key."""
        if not firings:
            return {}
        if self._postgres:
            columns = _columns(firings)
            columns["recipients"] = [
                json.dumps(r, ensure_ascii=False) for r in columns["recipients"]
            ]
            rows = self.session.execute(_PG_FIRINGS, columns)
        else:
            stmt = (
                sqlite_insert(FIRINGS)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(FIRINGS.c.key, FIRINGS.c.id)
            )
            rows = self.session.execute(stmt, [dict(vars(f)) for f in firings])
        return {key: firing_id for key, firing_id in rows}

    def insert_deliveries(self, deliveries: Sequence[NewDelivery]) -> list[tuple[int, bool]]:
        """The outbox rows of a batch in one statement; returns each recorded delivery's id
        and whether it is handed to the broker now (``enqueued_at`` set)."""
        if not deliveries:
            return []
        if self._postgres:
            rows = self.session.execute(_PG_DELIVERIES, _columns(deliveries))
        else:
            stmt = (
                sqlite_insert(DELIVERIES)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(DELIVERIES.c.id, DELIVERIES.c.enqueued_at)
            )
            values = [dict(vars(d), status="pending", attempts=0) for d in deliveries]
            rows = self.session.execute(stmt, values)
        return [(delivery_id, enqueued_at is not None) for delivery_id, enqueued_at in rows]

    # -- the daily digest ------------------------------------------------------------------

    def claim_digest_day(self, day: date) -> bool:
        """Take the day's digests, unless another sweeper holds them or they are done.

        The day's row is created first (and committed by itself, so no sweeper ever waits
        on another's insert), then locked with ``SKIP LOCKED`` in the caller's unit of work.
        """
        insert = dialect_insert(self.session)
        with self.session.get_bind().connect() as conn:
            conn.execute(
                insert(DigestRunRow)
                .values(day=day, done_at=None, digests=0)
                .on_conflict_do_nothing(index_elements=["day"])
            )
            conn.commit()
        stmt = (
            select(DigestRunRow.day)
            .where(DigestRunRow.day == day, DigestRunRow.done_at.is_(None))
            .with_for_update(skip_locked=True)
        )
        return self.session.scalar(stmt) is not None

    def finish_digest_day(self, day: date, now: datetime, digests: int) -> None:
        self.session.execute(
            update(DigestRunRow).where(DigestRunRow.day == day).values(done_at=now, digests=digests)
        )

    def digest_deadlines(self, before: datetime) -> list[DigestDeadline]:
        """Running deadlines of every case falling due by ``before`` (overdue ones too),
        through the index on ``(status, due_at)``."""
        stmt = (
            select(CaseRow.ref, CaseRow.agency_id, CaseRow.assignee, DeadlineRow.detail)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(DeadlineRow.status == "running", DeadlineRow.due_at <= before)
            .order_by(DeadlineRow.due_at, CaseRow.ref)
        )
        return [DigestDeadline(*row) for row in self.session.execute(stmt)]

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

    def add_firing(self, **fields: Any) -> FiringRow:
        row = FiringRow(**fields)
        self.session.add(row)
        self.session.flush()
        return row

    def add_delivery(self, **fields: Any) -> None:
        self.session.add(DeliveryRow(status="pending", attempts=0, **fields))

    def firings(self, case_id: int | None = None) -> list[FiringRow]:
        """The firings of one case, or of every case (not the daily digests)."""
        stmt = select(FiringRow).order_by(FiringRow.id)
        if case_id is not None:
            stmt = stmt.where(FiringRow.case_id == case_id)
        else:
            stmt = stmt.where(FiringRow.case_id.is_not(None))
        return list(self.session.scalars(stmt))

    def digest_firings(self, day: date | None = None) -> list[FiringRow]:
        prefix = f"digest:{day.isoformat()}:" if day else "digest:"
        stmt = select(FiringRow).where(
            FiringRow.case_id.is_(None), FiringRow.key.startswith(prefix)
        )
        return list(self.session.scalars(stmt.order_by(FiringRow.id)))

    def names(self, usernames: set[str]) -> dict[str, str]:
        if not usernames:
            return {}
        stmt = select(UserRow.username, UserRow.name).where(UserRow.username.in_(usernames))
        return {username: name for username, name in self.session.execute(stmt)}

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

    def lock_delivery(self, delivery_id: int) -> DeliveryRow | None:
        stmt = select(DeliveryRow).where(DeliveryRow.id == delivery_id).with_for_update()
        return self.session.scalar(stmt)

    def firing(self, firing_id: int) -> FiringRow:
        return self.session.get_one(FiringRow, firing_id)

    # -- who is told -----------------------------------------------------------------

    def staff(self, agency_id: int, role: str) -> list[UserRow]:
        stmt = select(UserRow).where(UserRow.agency_id == agency_id, UserRow.role == role)
        return list(self.session.scalars(stmt.order_by(UserRow.username)))

    def user(self, username: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.username == username))

    def agency(self, agency_id: int) -> AgencyRow:
        return self.session.get_one(AgencyRow, agency_id)

    def case_row(self, case_id: int) -> CaseRow:
        return self.session.get_one(CaseRow, case_id)


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
    synthetic data (``govflow.synth.bulk``) keeps its rows in memory and calls this too.
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
