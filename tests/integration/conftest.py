"""Integration helpers: drive the real service layer on a real database, with a fake clock.

Test modules here have no package, so helpers are handed out as a fixture (``flow``)
rather than imported: a bare ``import conftest`` would be ambiguous between directories.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from govflow.workflow import integrity, services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, FakeClock, local_date
from govflow.workflow.deadlines import Deadline
from govflow.workflow.events import CaseEvent
from govflow.workflow.services import Services
from tests.principals import acting

CLERK = "wang.clerk"


class Flow:
    """One test's service layer, clock and database, with the checks every step repeats."""

    def __init__(self, svc: Services, clock: FakeClock, engine: Engine) -> None:
        self.svc, self.clock, self.engine = svc, clock, engine
        self.checking = True  # run ``consistent`` after every step

    # -- time ------------------------------------------------------------------------

    def today(self) -> str:
        """The Beijing date of the clock, ISO (a letter handed over today, …)."""
        return local_date(self.clock.now()).isoformat()

    def at(self, when: str) -> None:
        """Move the clock to a Beijing wall-clock time, e.g. ``"2025-09-26 10:00"``."""
        self.clock.set(datetime.fromisoformat(when).replace(tzinfo=SHANGHAI))

    # -- input -----------------------------------------------------------------------

    @staticmethod
    def person(name: str = "张三", id_number: str = "610926199001011234", **extra: Any) -> dict:
        return {
            "kind": "natural_person",
            "name": name,
            "id_number": id_number,
            "phone": "13800000000",
            **extra,
        }

    def intake(self, **overrides: Any) -> dict:
        base = {
            "applicant": self.person(),
            "description": "2024年县级财政预算公开表",
            "channel": "in_person",
        }
        return {**base, **overrides}

    # -- use cases, each followed by the consistency checks ---------------------------

    def register(self, who: str = CLERK, agency: str = "county", **kw: Any) -> str:
        intake = kw.pop("intake", None) or self.intake()
        ref = services.register_request(
            self.svc, agency_code=agency, principal=acting(self.svc, who), intake=intake, **kw
        )
        if self.checking:
            self.consistent(ref)
        return ref

    def act(self, ref: str, who: str, action: str, **payload: Any) -> CaseEvent:
        event = services.act(
            self.svc, ref=ref, action=action, payload=payload, principal=acting(self.svc, who)
        )
        if self.checking:
            self.consistent(ref)
        return event

    def case(self, ref: str) -> Case:
        """The case rebuilt from its events (any agency's: the tests look at everything)."""
        with self.svc.uow() as uow:
            return services.load_case(self.svc, uow, ref, history=True)

    def deadline(self, ref: str, key: str = "reply") -> Deadline:
        return next(d for d in self.case(ref).deadlines if d.key == key)

    def due(self, ref: str, key: str = "reply") -> date | None:
        return self.deadline(ref, key).due_date

    def status(self, ref: str, key: str = "reply") -> str:
        return self.deadline(ref, key).status.value

    def consistent(self, ref: str) -> None:
        """Stored deadline rows equal the rebuild from events; no chain is broken anywhere."""
        assert services.check_projection(self.svc, ref) == []
        checked, findings = integrity.verify_all(self.svc, SYSTEM)
        assert findings == []
        assert checked >= 1

    # -- what is in the database -------------------------------------------------------

    def footprint(self, ref: str | None = None) -> tuple[Any, ...]:
        """Everything a refused action must leave untouched."""
        with self.engine.connect() as conn:
            if ref is None:
                return (
                    conn.execute(text("SELECT count(*) FROM cases")).scalar_one(),
                    conn.execute(text("SELECT count(*) FROM events")).scalar_one(),
                    conn.execute(text("SELECT count(*) FROM deadlines")).scalar_one(),
                    conn.execute(text("SELECT count(*) FROM disclosure_requests")).scalar_one(),
                    tuple(
                        conn.execute(
                            text("SELECT agency_id, year, last_seq FROM ref_counters ORDER BY 1, 2")
                        ).all()
                    ),
                )
            case = conn.execute(
                text("SELECT id, version, state, head_seq, head_hash FROM cases WHERE ref = :r"),
                {"r": ref},
            ).one()
            events = conn.execute(
                text("SELECT count(*) FROM events WHERE case_id = :c"), {"c": case.id}
            ).scalar_one()
            deadlines = conn.execute(
                text("SELECT key, status, due_date FROM deadlines WHERE case_id = :c ORDER BY key"),
                {"c": case.id},
            ).all()
            return (tuple(case), events, tuple(map(tuple, deadlines)))

    def event_count(self, ref: str) -> int:
        return self.footprint(ref)[1]

    def version(self, ref: str) -> int:
        return self.footprint(ref)[0][1]


@pytest.fixture
def flow(svc: Services, clock: FakeClock, engine: Engine) -> Flow:
    return Flow(svc, clock, engine)
