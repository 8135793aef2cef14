"""Facts kept, not rebuilt: each case row stores its folded facts; reference data is counted.

``cases.facts`` holds the facts and deadlines folded from the case's events (JSON text,
``Case.stored_facts``) and ``cases.next_due_at`` the running deadline due first, both
written with every event from now on; the open-case lists read them through an index on
(case_type, next_due_at, id), which replaces the one on case_type alone. Existing cases are filled here by replaying their
events; the deadlines keep the due dates and statuses their stored rows show (a calendar
published since moves them only through ``govflow calendar recompute``, as an event).

``reference_data.generation`` counts every change to ``agencies`` and ``users``, kept by
triggers, so a process caching them knows at once when its copy is out of date.

Revision ID: 0007_stored_facts
Revises: 0006 (imported requests)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_stored_facts"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 500
PROGRESS_EVERY = 10_000
TRIGGER_TABLES = ("agencies", "users")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facts", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_cases_case_type_next_due_at", ["case_type", "next_due_at", "id"], unique=False
        )
        # Its first column serves every query by type: one index fewer for each action
        # to write.
        batch_op.drop_index("ix_cases_case_type")
    op.create_table(
        "reference_data",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_data")),
    )
    op.execute("INSERT INTO reference_data (id, generation) VALUES (1, 0)")
    _create_triggers()
    fill_stored_facts(op.get_bind())


def downgrade() -> None:
    _drop_triggers()
    op.drop_table("reference_data")
    # Not batch mode: rebuilding ``cases`` on SQLite would trip the foreign keys onto it.
    op.create_index("ix_cases_case_type", "cases", ["case_type"], unique=False)
    op.drop_index("ix_cases_case_type_next_due_at", table_name="cases")
    op.drop_column("cases", "next_due_at")
    op.drop_column("cases", "facts")


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_reference_generation() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN UPDATE reference_data SET generation = generation + 1; RETURN NULL; END $$"
        )
        for table in TRIGGER_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_reference_generation AFTER INSERT OR UPDATE OR DELETE"
                f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation()"
            )
        return
    for table in TRIGGER_TABLES:
        for change in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_reference_generation_{change} AFTER {change.upper()}"
                f" ON {table} BEGIN UPDATE reference_data SET generation = generation + 1; END"
            )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TRIGGER_TABLES:
            op.execute(f"DROP TRIGGER {table}_reference_generation ON {table}")
        op.execute("DROP FUNCTION bump_reference_generation()")
        return
    for table in TRIGGER_TABLES:
        for change in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_reference_generation_{change}")


def fill_stored_facts(bind: sa.Connection) -> int:
    """Replay every case without stored facts, a batch at a time; returns how many."""
    from govflow.workflow.calendar import WorkingCalendar
    from govflow.workflow.cases import Case
    from govflow.workflow.events import CaseEvent

    calendar = WorkingCalendar.load()
    cases = sa.table(
        "cases",
        sa.column("id", sa.Integer),
        sa.column("ref", sa.String),
        sa.column("case_type", sa.String),
        sa.column("facts", sa.Text),
        sa.column("next_due_at", sa.DateTime(timezone=True)),
    )
    events = sa.table(
        "events",
        *(sa.column(name) for name in ("case_id", "seq", "id", "actor", "actor_role")),
        *(sa.column(name) for name in ("action", "state_before", "state_after")),
        sa.column("occurred_at", sa.DateTime(timezone=True)),
        sa.column("data", sa.JSON),
        sa.column("prev_hash"),
        sa.column("hash"),
    )
    deadlines = sa.table(
        "deadlines",
        sa.column("case_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("due_date", sa.Date),
        sa.column("due_at", sa.DateTime(timezone=True)),
        sa.column("status", sa.String),
        sa.column("provisional", sa.Boolean),
    )
    done, after = 0, 0
    while True:
        batch = bind.execute(
            sa.select(cases.c.id, cases.c.ref, cases.c.case_type)
            .where(cases.c.id > after, cases.c.facts.is_(None))
            .order_by(cases.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return done
        ids = [row.id for row in batch]
        history: dict[int, list[CaseEvent]] = {i: [] for i in ids}
        refs = {row.id: row.ref for row in batch}
        for row in bind.execute(
            sa.select(events)
            .where(events.c.case_id.in_(ids))
            .order_by(events.c.case_id, events.c.seq, events.c.id)
        ):
            history[row.case_id].append(
                CaseEvent(
                    refs[row.case_id],
                    row.seq,
                    _utc(row.occurred_at),
                    row.actor,
                    row.actor_role,
                    row.action,
                    row.state_before,
                    row.state_after,
                    row.data,
                    row.prev_hash,
                    row.hash,
                )
            )
        stored: dict[int, dict[str, Any]] = {}
        for row in bind.execute(sa.select(deadlines).where(deadlines.c.case_id.in_(ids))):
            stored.setdefault(row.case_id, {})[row.key] = row
        values = []
        for row in batch:
            case = Case(ref=row.ref, case_type=row.case_type, agency_code="")
            Case.replay(case, history[row.id], calendar)
            for deadline in case.deadlines:
                kept = stored.get(row.id, {}).get(deadline.key)
                if kept is not None:  # the projection as it stands, not as today's calendar has it
                    deadline.due_date = _day(kept.due_date)
                    deadline.due_at = _utc(kept.due_at) if kept.due_at else None
                    deadline.status = type(deadline.status)(kept.status)
                    deadline.provisional = bool(kept.provisional)
            nearest = case.next_deadline
            values.append(
                {
                    "case_id": row.id,
                    "facts": case.stored_facts()[0],
                    "next_due_at": _naive_if_sqlite(bind, nearest.due_at) if nearest else None,
                }
            )
        bind.execute(
            cases.update()
            .where(cases.c.id == sa.bindparam("case_id"))
            .values(facts=sa.bindparam("facts"), next_due_at=sa.bindparam("next_due_at")),
            values,
        )
        done += len(batch)
        after = ids[-1]
        if done % PROGRESS_EVERY < BATCH:
            print(f"已为 {done} 件已有案件保存事实…", file=sys.stderr)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _naive_if_sqlite(bind: sa.Connection, value: datetime | None) -> datetime | None:
    """As ``UTCDateTime`` binds it: SQLite keeps naive UTC."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.replace(tzinfo=None) if bind.dialect.name == "sqlite" else value
