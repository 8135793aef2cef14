"""The day a request was closed without a reply, kept on the request (R-1 at scale).

The annual report counts a result in the year of its reply *or* closure (withdrawal,
逾期未补正, 逾期未缴费). The closure day used to be read back from the events on every
report; keeping it beside ``replied_on`` lets the report be one grouped query. Existing
rows are filled from their events. The index on ``events.action`` serves the report's
table 四 (reconsideration and litigation records are a few events among millions).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SHANGHAI = ZoneInfo("Asia/Shanghai")


def upgrade() -> None:
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_action"), ["action"], unique=False)
    _fill_closed_on()


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_action"))
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.drop_column("closed_on")


def _fill_closed_on() -> None:
    """The closure day as the disclosure facts record it: the withdrawal's own date, or the
    Beijing day on which the expiry was recorded."""
    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("case_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("action", sa.String),
        sa.column("occurred_at", sa.DateTime),
        sa.column("data", sa.JSON),
    )
    requests = sa.table(
        "disclosure_requests", sa.column("case_id", sa.Integer), sa.column("closed_on", sa.Date)
    )
    rows = bind.execute(
        sa.select(events.c.case_id, events.c.action, events.c.occurred_at, events.c.data)
        .where(events.c.action.in_(("withdraw", "correction_expired", "fee_expired")))
        .order_by(events.c.case_id, events.c.seq)
    )
    for case_id, action, occurred_at, data in rows.all():
        if action == "withdraw":
            day = date.fromisoformat(data["payload"]["withdrawn_on"])
        else:
            at = (
                occurred_at
                if isinstance(occurred_at, datetime)
                else datetime.fromisoformat(occurred_at)
            )
            at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
            day = at.astimezone(SHANGHAI).date()
        bind.execute(requests.update().where(requests.c.case_id == case_id).values(closed_on=day))
