"""The statements every action sends, built once per process.

Building a statement (its columns, joins, an alias) costs more CPU than sending it: a case's
load, the acting account's check and the deadline rows' upsert are built here once, their
values bound when they are executed (issue 17: CPU per action).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import aliased

from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    DeadlineRow,
    UserRoleRow,
    UserRow,
    insert_for,
)


@cache
def with_agency() -> Select[Any]:
    """A case row with its agency and the agency's parent's code: a notice's letterhead and
    a page's header ask for the agency, and ``agency`` then answers from memory."""
    parent = aliased(AgencyRow)
    return (
        select(CaseRow, AgencyRow, parent.code)
        .join(AgencyRow, AgencyRow.id == CaseRow.agency_id)
        .outerjoin(parent, parent.id == AgencyRow.parent_id)
    )


@cache
def case_with_agency() -> Select[Any]:
    return with_agency().where(CaseRow.ref == bindparam("ref"))


@cache
def actor_rows() -> Select[Any]:
    return (
        select(UserRow.name, UserRow.status, AgencyRow.code, UserRoleRow.role)
        .outerjoin(AgencyRow, AgencyRow.id == UserRow.agency_id)
        .outerjoin(UserRoleRow, UserRoleRow.user_id == UserRow.id)
        .where(UserRow.username == bindparam("username"))
    )


@cache
def deadline_upsert(dialect: str) -> Any:
    """``INSERT … ON CONFLICT (case_id, key) DO UPDATE`` of every column, for executemany."""
    table = DeadlineRow.__table__
    insert = insert_for(dialect)(table)
    kept = ("id", "case_id", "key")
    return insert.on_conflict_do_update(
        index_elements=["case_id", "key"],
        set_={c.name: insert.excluded[c.name] for c in table.columns if c.name not in kept},
    )
