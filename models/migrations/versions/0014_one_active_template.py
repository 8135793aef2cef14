"""At most one active notice template upload per (agency, kind), said by the database: two
partial unique indexes, one over an agency's uploads and one over those for every agency
(``agency_id`` NULL, which a unique index would otherwise never find equal).

Before 0014 two uploads at the same instant could both stay active. Such duplicates are
resolved first, as a later upload would have resolved them: the newest (highest id) stays
active and each older one is marked removed by whoever uploaded the newest, at the time
they uploaded it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ACTIVE_FOR_AGENCY = "active AND agency_id IS NOT NULL"
ACTIVE_FOR_ALL = "active AND agency_id IS NULL"

templates = sa.table(
    "notice_templates",
    sa.column("id", sa.Integer()),
    sa.column("agency_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("uploaded_by", sa.String()),
    sa.column("uploaded_at", sa.DateTime(timezone=True)),
    sa.column("active", sa.Boolean()),
    sa.column("removed_by", sa.String()),
    sa.column("removed_at", sa.DateTime(timezone=True)),
)


def _resolve_duplicates() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            templates.c.id,
            templates.c.agency_id,
            templates.c.kind,
            templates.c.uploaded_by,
            templates.c.uploaded_at,
        )
        .where(templates.c.active.is_(True))
        .order_by(templates.c.id)
    ).all()
    by_place: dict[tuple[int | None, str], list[sa.Row]] = defaultdict(list)
    for row in rows:
        by_place[(row.agency_id, row.kind)].append(row)
    for same in by_place.values():
        newest = same[-1]
        for older in same[:-1]:
            bind.execute(
                templates.update()
                .where(templates.c.id == older.id)
                .values(active=False, removed_by=newest.uploaded_by, removed_at=newest.uploaded_at)
            )


def upgrade() -> None:
    _resolve_duplicates()
    op.create_index(
        "uq_notice_templates_active_agency",
        "notice_templates",
        ["agency_id", "kind"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_FOR_AGENCY),
        postgresql_where=sa.text(ACTIVE_FOR_AGENCY),
    )
    op.create_index(
        "uq_notice_templates_active_all",
        "notice_templates",
        ["kind"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_FOR_ALL),
        postgresql_where=sa.text(ACTIVE_FOR_ALL),
    )


def downgrade() -> None:
    op.drop_index("uq_notice_templates_active_all", table_name="notice_templates")
    op.drop_index("uq_notice_templates_active_agency", table_name="notice_templates")
