"""The sweeper's set-based reads and writes, mixed into ``EscalationRepository``.

A sweep costs a few statements per batch, not per firing: one ``SELECT … FOR UPDATE SKIP
LOCKED`` claims the batch with its cases and deadlines, one multi-row
``INSERT … ON CONFLICT DO NOTHING RETURNING`` records the firings, one the deliveries, one
``UPDATE`` steps the rows. On PostgreSQL a batch's rows travel as one array per column,
unnested on the server (one short statement whatever the batch size: a multi-row VALUES
list of thousands of parameters costs more to build and parse than to run); SQLite, with
its single sweeper, takes the same rows as SQLAlchemy's multi-row inserts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    DeadlineRow,
    DeliveryRow,
    DigestRunRow,
    EscalationScheduleRow,
    FiringRow,
    UserRoleRow,
    UserRow,
    dialect_insert,
)
from govflow.workflow.actors import AccountStatus
from govflow.workflow.deadline_terms import Basis, DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.escalation_firing import Directory, DueRow, Person, Step
from govflow.workflow.escalation_ports import DigestDeadline, NewDelivery, NewFiring

SCHEDULE = EscalationScheduleRow.__table__
FIRINGS = FiringRow.__table__
DELIVERIES = DeliveryRow.__table__

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


class SweepQueries:
    """Claim, fire and step a batch; the daily digest's day and rows."""

    session: Session
    _postgres: bool

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
        # One statement: each user with each role the account holds (identity's user_roles),
        # and its status (only an active account is told anything).
        found: dict[str, tuple[Any, list[str]]] = {}
        rows = self.session.execute(
            select(
                UserRow.username,
                UserRow.name,
                UserRow.email,
                UserRow.agency_id,
                UserRow.status,
                UserRoleRow.role,
            ).outerjoin(UserRoleRow, UserRoleRow.user_id == UserRow.id)
        )
        for u in rows:
            roles = found.setdefault(u.username, (u, []))[1]
            if u.role is not None:
                roles.append(u.role)
        people = [
            Person(
                u.username,
                u.name,
                u.email,
                u.agency_id,
                tuple(sorted(roles)),
                u.status == AccountStatus.ACTIVE.value,
            )
            for u, roles in found.values()
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
