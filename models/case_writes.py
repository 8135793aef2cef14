"""The writes of one save, in as few round trips as the database allows.

A save appends the case's new events, updates its row (the version it was loaded at is
checked: another writer since is a conflict), and upserts whatever else moved: the
deadline rows and escalation schedule rows that changed, the request's results, a
reconsideration or lawsuit record. On PostgreSQL all of it is **one statement** — each
write a data-modifying CTE (``WITH e AS (INSERT …), …, u AS (UPDATE cases … RETURNING id)
SELECT 1 / (SELECT count(*) FROM u)``), which PostgreSQL runs once, atomically, in one
snapshot. A case row changed since it was loaded leaves ``u`` empty, and the division by
zero fails the whole statement: nothing of it is written, in a transaction or out of one
(``SqlUnitOfWork.single_write``: an action is then the load and this statement, two round
trips). SQLite runs in the process, where a statement costs no round trip: there they run
one by one.

The PostgreSQL statement depends on how many rows each part has; its text is built once
per shape (a handful occur) and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, TextClause, bindparam, case, insert, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from govflow.models.tables import (
    CaseRow,
    ChallengeRow,
    DeadlineRow,
    DisclosureRequestRow,
    EscalationScheduleRow,
    events_as_text,
)

_CASES: Table = CaseRow.__table__  # type: ignore[assignment]
_REQUESTS: Table = DisclosureRequestRow.__table__  # type: ignore[assignment]
_DEADLINES: Table = DeadlineRow.__table__  # type: ignore[assignment]
_SCHEDULE: Table = EscalationScheduleRow.__table__  # type: ignore[assignment]
_CHALLENGES: Table = ChallengeRow.__table__  # type: ignore[assignment]

# SQLite: one prebuilt statement per part (building a statement costs more than running it).
_SAVE_CASE = update(_CASES).where(
    _CASES.c.id == bindparam("case_id"), _CASES.c.version == bindparam("loaded_version")
)  # SET: the columns named in the parameters
_SAVE_REQUEST = update(_REQUESTS).where(_REQUESTS.c.case_id == bindparam("request_of"))
_APPEND_EVENTS = insert(events_as_text)
_ADD_CHALLENGES = insert(_CHALLENGES)


def _upserts() -> tuple[Any, Any]:
    """The two set-based upserts, run with a list of rows: the deadline rows that changed,
    and the escalation schedule rows that changed — whether a rule's deadline moved (a new
    epoch: its ladder starts again) is decided against the row as it stands, so a sweeper
    that fired it meanwhile keeps its count."""
    stmt = sqlite.insert(_DEADLINES)
    deadlines = stmt.on_conflict_do_update(
        index_elements=["case_id", "key"],
        set_={
            c.name: stmt.excluded[c.name]
            for c in _DEADLINES.columns
            if c.name not in ("id", "case_id", "key")
        },
    )
    stmt = sqlite.insert(_SCHEDULE)
    row, new = _SCHEDULE.c, stmt.excluded
    moved = row.due_at.is_distinct_from(new.due_at)
    schedule = stmt.on_conflict_do_update(
        index_elements=["case_id", "deadline_key", "rule"],
        set_={
            "epoch": case((moved, row.epoch + 1), else_=row.epoch),
            "repeat_no": case((moved, 0), else_=row.repeat_no),
            "acknowledged_at": case((moved, None), else_=row.acknowledged_at),
            "acknowledged_by": case((moved, None), else_=row.acknowledged_by),
            "due_at": new.due_at,
            "next_fire_at": new.next_fire_at,
        },
    )
    return deadlines, schedule


_UPSERT_DEADLINES, _UPSERT_SCHEDULE = _upserts()


@dataclass
class CaseWrites:
    """Everything one save writes (rows as column values)."""

    case_id: int
    loaded_version: int
    case: dict[str, Any]  # the case row's new values, its new version included
    events: list[dict[str, Any]] = field(default_factory=list)
    challenges: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    schedule: list[dict[str, Any]] = field(default_factory=list)
    request: dict[str, Any] | None = None

    def statements(self) -> int:
        """How many statements ``run`` sends (one on PostgreSQL)."""
        parts = (self.events, self.challenges, self.deadlines, self.schedule, self.request)
        return 1 + sum(1 for part in parts if part)


def run(connection: Connection, writes: CaseWrites) -> bool:
    """Send the writes; False when the case row was changed by someone else since loaded."""
    if connection.dialect.name == "postgresql":
        return _run_as_one(connection, writes)
    if writes.events:
        connection.execute(_APPEND_EVENTS, writes.events)
    changed = connection.execute(
        _SAVE_CASE,
        {**writes.case, "case_id": writes.case_id, "loaded_version": writes.loaded_version},
    )
    if changed.rowcount != 1:
        return False
    if writes.challenges:
        connection.execute(_ADD_CHALLENGES, writes.challenges)
    if writes.deadlines:
        connection.execute(_UPSERT_DEADLINES, writes.deadlines)
    if writes.schedule:
        connection.execute(_UPSERT_SCHEDULE, writes.schedule)
    if writes.request is not None:
        connection.execute(_SAVE_REQUEST, {**writes.request, "request_of": writes.case_id})
    return True


# -- PostgreSQL: one statement ------------------------------------------------------------

_STATEMENTS: dict[tuple[Any, ...], TextClause] = {}


def _run_as_one(connection: Connection, writes: CaseWrites) -> bool:
    shape = (
        len(writes.events),
        len(writes.challenges),
        len(writes.deadlines),
        len(writes.schedule),
        tuple(writes.request) if writes.request is not None else None,
        tuple(writes.case),
    )
    statement = _STATEMENTS.get(shape)
    if statement is None:
        statement = _STATEMENTS[shape] = _statement(writes)
    params: dict[str, Any] = {"case_id": writes.case_id, "loaded_version": writes.loaded_version}
    params.update({f"c_{k}": v for k, v in writes.case.items()})
    for prefix, rows in (
        ("e", writes.events),
        ("h", writes.challenges),
        ("d", writes.deadlines),
        ("s", writes.schedule),
    ):
        for i, row in enumerate(rows):
            params.update({f"{prefix}{i}_{k}": v for k, v in row.items()})
    if writes.request is not None:
        params.update({f"r_{k}": v for k, v in writes.request.items()})
    try:
        connection.execute(statement, params)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == DIVISION_BY_ZERO:
            return False  # the version check: someone else changed the case first
        raise
    return True


DIVISION_BY_ZERO = "22012"


def _statement(writes: CaseWrites) -> TextClause:
    binds: list[Any] = []
    ctes: list[str] = []

    def bind(table: Table, column: str, name: str) -> str:
        binds.append(bindparam(name, type_=table.c[column].type))
        return f":{name}"

    def values(table: Table, prefix: str, rows: list[dict[str, Any]]) -> str:
        columns = list(rows[0])
        tuples = ", ".join(
            "(" + ", ".join(bind(table, c, f"{prefix}{i}_{c}") for c in columns) + ")"
            for i in range(len(rows))
        )
        return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {tuples}"

    if writes.events:
        ctes.append(f"e AS ({values(events_as_text, 'e', writes.events)})")
    if writes.challenges:
        ctes.append(f"h AS ({values(_CHALLENGES, 'h', writes.challenges)})")
    if writes.deadlines:
        columns = [c for c in writes.deadlines[0] if c not in ("case_id", "key")]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
        ctes.append(
            f"d AS ({values(_DEADLINES, 'd', writes.deadlines)}"
            f" ON CONFLICT (case_id, key) DO UPDATE SET {updates})"
        )
    if writes.schedule:
        # As ``_UPSERT_SCHEDULE``: a moved due instant starts a new epoch,
        # judged against the row as it stands.
        moved = "escalation_schedule.due_at IS DISTINCT FROM excluded.due_at"
        ctes.append(
            f"s AS ({values(_SCHEDULE, 's', writes.schedule)}"
            " ON CONFLICT (case_id, deadline_key, rule) DO UPDATE SET"
            f" epoch = CASE WHEN {moved} THEN escalation_schedule.epoch + 1"
            " ELSE escalation_schedule.epoch END,"
            f" repeat_no = CASE WHEN {moved} THEN 0 ELSE escalation_schedule.repeat_no END,"
            f" acknowledged_at = CASE WHEN {moved} THEN NULL"
            " ELSE escalation_schedule.acknowledged_at END,"
            f" acknowledged_by = CASE WHEN {moved} THEN NULL"
            " ELSE escalation_schedule.acknowledged_by END,"
            " due_at = excluded.due_at, next_fire_at = excluded.next_fire_at)"
        )
    if writes.request is not None:
        sets = ", ".join(f"{c} = {bind(_REQUESTS, c, f'r_{c}')}" for c in writes.request)
        ctes.append(f"r AS (UPDATE disclosure_requests SET {sets} WHERE case_id = :case_id)")
    sets = ", ".join(f"{c} = {bind(_CASES, c, f'c_{c}')}" for c in writes.case)
    binds += [
        bindparam("case_id", type_=_CASES.c.id.type),
        bindparam("loaded_version", type_=_CASES.c.version.type),
    ]
    sql = (
        f"WITH {', '.join(ctes)} " if ctes else ""
    ) + f"UPDATE cases SET {sets} WHERE id = :case_id AND version = :loaded_version"
    return text(sql).bindparams(*binds)
