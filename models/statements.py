"""The statements every action sends, built once per process.

Building a statement (its columns, joins, an alias) costs more CPU than sending it: a case's
load, the acting account's check and the deadline rows' upsert are built here once, their
values bound when they are executed (issue 17: CPU per action).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Insert,
    Select,
    Update,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    literal,
    null,
    or_,
    select,
    true,
)

from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    DeadlineRow,
    EscalationScheduleRow,
    EventRow,
    RefCounterRow,
    UserRoleRow,
    UserRow,
    UTCDateTime,
    insert_for,
)

CASES = CaseRow.__table__
AGENCIES = AgencyRow.__table__
EVENTS = EventRow.__table__
SCHEDULE = EscalationScheduleRow.__table__


LOADED = (
    *("id", "ref", "case_type", "agency_id", "state", "assignee", "escalation_policy"),
    *("version", "head_seq", "head_hash", "updated_at", "closed_at", "facts"),
)
"""The case row's columns a loaded case is made of (``rows.case_record``) and written back
against (``rows.LoadedCase``); a list's search text and sort keys stay in the database."""


@cache
def with_agency() -> Select[Any]:
    """A case row's columns (plain values, no ORM object: an action writes the row back
    with ``case_update``) with its agency and the agency's parent's code: a notice's
    letterhead and a page's header ask for the agency, and ``agency`` then answers from
    memory."""
    parent = AGENCIES.alias("parent")
    return (
        select(
            *(CASES.c[name] for name in LOADED),
            AGENCIES.c.code.label("agency_code"),
            AGENCIES.c.name.label("agency_name"),
            AGENCIES.c.ref_prefix.label("agency_prefix"),
            parent.c.code.label("parent_code"),
        )
        .join(AGENCIES, AGENCIES.c.id == CASES.c.agency_id)
        .outerjoin(parent, parent.c.id == AGENCIES.c.parent_id)
    )


@cache
def case_with_agency() -> Select[Any]:
    return with_agency().where(CASES.c.ref == bindparam("ref"))


@cache
def case_update(columns: tuple[str, ...]) -> Update:
    """The case row's UPDATE of ``columns`` (the keys of ``rows.case_row_values``, bound as
    ``v_<column>``) with its optimistic check: no row matched means another transaction
    saved the case since it was loaded."""
    return (
        CASES.update()
        .where(CASES.c.id == bindparam("row_id"), CASES.c.version == bindparam("row_version"))
        .values(
            {c: bindparam(f"v_{c}", type_=CASES.c[c].type) for c in columns}
            | {"version": CASES.c.version + 1}
        )
    )


EVENT_COLUMNS = tuple(c.name for c in EVENTS.columns if c.name != "id")


@cache
def event_insert() -> Insert:
    return EVENTS.insert()


@cache
def case_update_with_event(columns: tuple[str, ...]) -> Insert:
    """PostgreSQL: the case row's UPDATE and its new event's INSERT in one statement (one
    round trip), the event inserted only if the UPDATE matched: no row inserted is the
    lost race. The event's values are bound as ``e_<column>``; ``case_id`` comes from the
    updated row."""
    saved = case_update(columns).returning(CASES.c.id).cte("saved")
    values = [
        saved.c.id if c == "case_id" else bindparam(f"e_{c}", type_=EVENTS.c[c].type)
        for c in EVENT_COLUMNS
    ]
    insert = EVENTS.insert().from_select(EVENT_COLUMNS, select(*values)).add_cte(saved)
    return insert.returning(EVENTS.c.id)


@cache
def actor_with_case() -> Select[Any]:
    """``actor_rows`` with the case an action is about beside each row (``case_with_agency``'s
    columns, NULL when there is no such case): an action's two reads in one round trip."""
    account = actor_rows()
    found = case_with_agency().subquery("found")
    users = UserRow.__table__
    return account.add_columns(*found.c).join_from(users, found, true(), isouter=True)


@cache
def next_number(dialect: str) -> Any:
    """Take the next number of an agency's case type in a year (its ``last_seq`` after the
    upsert): the row lock makes two clerks, or two notices, get two numbers."""
    counters = RefCounterRow.__table__
    insert = insert_for(dialect)(counters).values(
        agency_id=bindparam("agency_id"),
        case_type=bindparam("case_type"),
        year=bindparam("year"),
        last_seq=1,
    )
    return insert.on_conflict_do_update(
        index_elements=["agency_id", "case_type", "year"],
        set_={"last_seq": counters.c.last_seq + 1},
    ).returning(counters.c.last_seq)


@cache
def agency_rows() -> Select[Any]:
    """Every agency in id order as plain values: every list and page reads them (names,
    the scope's tree), and ORM objects cost more to build than the query to send."""
    a = AGENCIES.c
    return select(a.id, a.code, a.name, a.ref_prefix, a.parent_id).order_by(a.id)


@cache
def actor_rows() -> Select[Any]:
    """The account's name, status, agency, roles (a row per role) and kind (a person or a
    service account), on the tables: a Core statement, where the ORM's would be compiled and
    dispatched through the session."""
    users, roles = UserRow.__table__, UserRoleRow.__table__
    return (
        select(
            users.c.name,
            users.c.status,
            AGENCIES.c.code,
            roles.c.role,
            users.c.kind.label("account_kind"),
        )
        .outerjoin(AGENCIES, AGENCIES.c.id == users.c.agency_id)
        .outerjoin(roles, roles.c.user_id == users.c.id)
        .where(users.c.username == bindparam("username"))
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


@cache
def schedule_upsert(dialect: str) -> Any:
    """The escalation schedule's rows of one case in one statement (for executemany), with
    no read first: the rule of ``reconcile_schedule`` written as SQL over the stored row.

    Each parameter set is a rule either ``planned`` (its deadline's ``due_at``, its first
    firing ``first_at``, whether it ``repeats``) or not planned any more: then it is only
    stopped, and only if its row exists (``WHERE … EXISTS``: no row is made for it). A
    planned rule whose due instant moved starts a new epoch; one that did not keeps its
    epoch, its repeats and its acknowledgement, and fires next at ``first_at`` if it has
    not fired in the epoch, at its stored instant if it repeats, never otherwise."""
    postgres = dialect == "postgresql"

    def param(name: str, type_: Any) -> Any:
        # PostgreSQL must know a parameter's type in a select list; SQLite would turn a
        # CAST to a date type into a number.
        return cast(bindparam(name), type_) if postgres else bindparam(name, type_=type_)

    planned = param("planned", Boolean())
    case_id, key, rule = (bindparam(n) for n in ("case_id", "deadline_key", "rule"))
    due_at, first_at = param("due_at", UTCDateTime()), param("first_at", UTCDateTime())
    existing = exists().where(
        SCHEDULE.c.case_id == case_id,
        SCHEDULE.c.deadline_key == key,
        SCHEDULE.c.rule == rule,
    )
    rows = select(case_id, key, rule, literal(0), literal(0), due_at, first_at).where(
        or_(planned == true(), existing)
    )
    insert = insert_for(dialect)(SCHEDULE).from_select(
        ["case_id", "deadline_key", "rule", "epoch", "repeat_no", "due_at", "next_fire_at"],
        rows,
    )
    new = insert.excluded
    moved = and_(planned == true(), SCHEDULE.c.due_at.is_distinct_from(new.due_at))
    next_fire = case(
        (planned == false(), null()),
        (moved, new.next_fire_at),
        (SCHEDULE.c.acknowledged_at.is_not(None), null()),
        (SCHEDULE.c.repeat_no == 0, new.next_fire_at),
        (param("repeats", Boolean()) == true(), SCHEDULE.c.next_fire_at),
        else_=null(),
    )
    return insert.on_conflict_do_update(
        index_elements=["case_id", "deadline_key", "rule"],
        set_={
            "epoch": case((moved, SCHEDULE.c.epoch + 1), else_=SCHEDULE.c.epoch),
            "repeat_no": case((moved, 0), else_=SCHEDULE.c.repeat_no),
            "acknowledged_at": case((moved, null()), else_=SCHEDULE.c.acknowledged_at),
            "acknowledged_by": case((moved, null()), else_=SCHEDULE.c.acknowledged_by),
            "due_at": case((planned == true(), new.due_at), else_=SCHEDULE.c.due_at),
            "next_fire_at": next_fire,
        },
    )
