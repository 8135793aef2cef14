"""The annual report at a million requests: what it reads, kept where it can read it fast.

``disclosure_requests`` gains the case's agency and outcome, with an index holding every
column the report counts (an index-only scan on PostgreSQL, no join with ``cases``);
``challenges`` keeps each reconsideration or lawsuit record (table 四) apart from the
events, whose rows are scattered over the whole history. Existing rows are filled from
the cases and the events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REPORT_COLUMNS = [
    "applicant_kind",
    "applicant_subkind",
    "received_on",
    "receipt_date",
    "replied_on",
    "closed_on",
    "outcome",
]


def upgrade() -> None:
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE disclosure_requests SET"
        " agency_id = (SELECT agency_id FROM cases WHERE cases.id = disclosure_requests.case_id),"
        " outcome = (SELECT outcome FROM cases WHERE cases.id = disclosure_requests.case_id)"
    )
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.alter_column("agency_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_disclosure_requests_agency_id_agencies"),
            "agencies",
            ["agency_id"],
            ["id"],
        )
        batch_op.create_index(
            "ix_disclosure_requests_report",
            ["agency_id"],
            unique=False,
            postgresql_include=REPORT_COLUMNS,
        )

    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_challenges_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_challenges_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenges_agency_id"), ["agency_id"], unique=False)
    _fill_challenges()


def downgrade() -> None:
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenges_agency_id"))
    op.drop_table("challenges")
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_requests_report")
        batch_op.drop_constraint(
            batch_op.f("fk_disclosure_requests_agency_id_agencies"), type_="foreignkey"
        )
        batch_op.drop_column("outcome")
        batch_op.drop_column("agency_id")


def _fill_challenges() -> None:
    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("case_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("action", sa.String),
        sa.column("data", sa.JSON),
    )
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("agency_id", sa.Integer))
    challenges = sa.table(
        "challenges",
        sa.column("case_id", sa.Integer),
        sa.column("agency_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("number", sa.String),
        sa.column("route", sa.String),
        sa.column("result", sa.String),
        sa.column("filed_on", sa.Date),
    )
    rows = bind.execute(
        sa.select(events.c.case_id, cases.c.agency_id, events.c.seq, events.c.data)
        .join(cases, cases.c.id == events.c.case_id)
        .where(events.c.action.in_(("record_reconsideration", "record_litigation")))
        .order_by(events.c.id)
    ).all()
    values = [
        {
            "case_id": case_id,
            "agency_id": agency_id,
            "seq": seq,
            "number": data["payload"]["number"],
            "route": data["payload"].get("route", "reconsideration"),
            "result": data["payload"]["result"],
            "filed_on": date.fromisoformat(data["payload"]["filed_on"]),
        }
        for case_id, agency_id, seq, data in rows
    ]
    if values:
        bind.execute(challenges.insert(), values)
