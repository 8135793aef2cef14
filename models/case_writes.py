"""A loaded case written back: its row, its new events, its deadline rows (issue 17).

Prebuilt Core statements, outside the ORM's unit of work: the ORM's identity map and flush
cost more CPU than the statements themselves. A case added in the same unit of work is
still an ORM row (its id comes with the flush) and is written by the ORM.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from govflow.models.db import core
from govflow.models.rows import (
    LoadedCase,
    apply_deadlines,
    case_row_values,
    deadline_values,
    event_row,
    event_values,
    update_case_row,
)
from govflow.models.statements import (
    EVENT_COLUMNS,
    case_update,
    case_update_with_event,
    deadline_upsert,
    event_insert,
)
from govflow.models.tables import CaseRow, DeadlineRow
from govflow.workflow.cases import Case
from govflow.workflow.deadlines import Deadline
from govflow.workflow.errors import Conflict
from govflow.workflow.events import CaseEvent

CONFLICT_MESSAGE = "案件已被他人修改，本次操作未保存，请重新加载后再试"


class CaseWrites:
    """The repository's writes of a case it added (``CaseRow``) or read (``LoadedCase``)."""

    session: Session
    _rows: dict[str, CaseRow | LoadedCase]
    _postgres: bool

    def save(self, case: Case, new_events: list[CaseEvent], now: datetime) -> None:
        """Write the case header, its new events and all its deadline rows, in this transaction."""
        row = self._rows[case.ref]
        if isinstance(row, CaseRow):  # added in this unit of work: the ORM inserts it
            update_case_row(row, case, now)
            self.session.add_all(event_row(row.id, event) for event in new_events)
        else:
            self._update(row, case, new_events, now)
        if not case.deadlines_changed():
            return  # the deadline rows hold what the stored facts hold
        changed = case.changed_deadlines()
        if changed is None:  # nothing loaded to compare with: every row read and rewritten
            existing = {
                d.key: d
                for d in self.session.scalars(
                    select(DeadlineRow).where(DeadlineRow.case_id == row.id)
                )
            }
            self.session.add_all(apply_deadlines(existing, row.id, case.deadlines))
        elif changed:  # the rows hold the loaded facts' deadlines: write those that moved
            self._upsert_deadlines(row.id, changed)

    def _update(
        self, row: LoadedCase, case: Case, new_events: list[CaseEvent], now: datetime
    ) -> None:
        """The case row's UPDATE, checked against the version loaded, and the new events'
        INSERT (on PostgreSQL one statement for the usual single event): a transaction that
        saved the case since wins, and this one writes nothing (``Conflict``)."""
        values = case_row_values(case, now, row.closed_at)
        columns = tuple(values)
        params = {f"v_{c}": v for c, v in values.items()}
        params |= {"row_id": row.id, "row_version": row.version}
        if len(new_events) == 1 and self._postgres:
            event = event_values(row.id, new_events[0])
            params |= {f"e_{c}": event[c] for c in EVENT_COLUMNS if c != "case_id"}
            # The inserted row's id: a count the driver gives for this INSERT (rowcount is
            # -1 behind the CTE's RETURNING).
            matched = len(core(self.session).execute(case_update_with_event(columns), params).all())
            new_events = []
        else:
            matched = core(self.session).execute(case_update(columns), params).rowcount
        if matched != 1:
            raise Conflict(CONFLICT_MESSAGE)
        if new_events:
            rows = [event_values(row.id, event) for event in new_events]
            core(self.session).execute(event_insert(), rows)
        row.version += 1  # a second save in this unit of work checks against this one
        row.updated_at, row.closed_at = values["updated_at"], values["closed_at"]

    def _upsert_deadlines(self, case_id: int, deadlines: list[Deadline]) -> None:
        """One statement, without reading the rows first (a new deadline is inserted)."""
        values = [{"case_id": case_id, "key": d.key, **deadline_values(d)} for d in deadlines]
        dialect = self.session.get_bind().dialect.name
        core(self.session).execute(deadline_upsert(dialect), values)
