"""Synthetic cases played through the service layer (issue #5 item 5), SQLite and PostgreSQL.

A four-agency county over two years. The first agency plays its whole covering part
(every path once) and one case opened in the last days; the other three play the start
of theirs, so four agencies' cases share the database. The database must end up with
every D-8 outcome, every state of every machine visited, breached limits, incidents of
every grade and cases still open at the end, with no step refused by the guards and no
chain broken. (Every agency covers every path: the unit tests check the scripts; playing
four full covering parts on both databases takes minutes, not seconds.)
The random part at volume is played by ``bench/bench_reports.py`` (in bulk).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from itertools import chain

import pytest
from sqlalchemy import Engine, select

from govflow.app import build_services
from govflow.models.db import session_factory
from govflow.models.org import OrgFile, load_org
from govflow.models.tables import CaseRow, DeadlineRow, EventRow
from govflow.synth.org import synthetic_org
from govflow.synth.plan import CATALOGUE, plan_agency
from govflow.synth.script import DISCLOSURE, INCIDENT, ONLINE_MESSAGE, CaseScript, apply_script
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.integrity import verify_all
from tests.config import grade_table, outcomes, workflow

SEED, AGENCIES = 5, 4
COVERING = len(CATALOGUE) + 1  # every path, and one case opened in the last days
OTHERS = 15
START, END = date(2024, 1, 1), date(2025, 12, 31)


def play(
    engine: Engine, calendar: WorkingCalendar, scripts: Iterable[CaseScript]
) -> tuple[services.Services, list[str]]:
    clock = FakeClock(datetime(2024, 1, 1, tzinfo=SHANGHAI))
    svc = build_services(engine, clock, calendar, notices=False)  # as the generator does
    return svc, [apply_script(svc, clock, s) for s in scripts]


def load(engine: Engine, agencies: int) -> OrgFile:
    org = synthetic_org(SEED, agencies)
    with session_factory(engine)() as session:
        load_org(session, org, complete=False)  # beside the demo organisation the fixture loaded
        session.commit()
    return org


@pytest.fixture
def played(engine: Engine, calendar: WorkingCalendar) -> tuple[services.Services, list[str]]:
    org = load(engine, AGENCIES)
    first, *others = org.agencies
    scripts = chain(
        plan_agency(SEED, first, org.users, START, END, COVERING),
        *(plan_agency(SEED, a, org.users, START, END, OTHERS) for a in others),
    )
    return play(engine, calendar, scripts)


def test_every_path_is_accepted_by_the_service_layer(
    played: tuple[services.Services, list[str]], engine: Engine
) -> None:
    svc, refs = played
    assert len(refs) == len(set(refs)) == COVERING + (AGENCIES - 1) * OTHERS
    with engine.connect() as conn:
        cases = conn.execute(
            select(CaseRow.id, CaseRow.case_type, CaseRow.state, CaseRow.outcome)
        ).all()
        kind = {c.id: c.case_type for c in cases}
        events = conn.execute(
            select(EventRow.case_id, EventRow.action, EventRow.state_after, EventRow.data)
        ).all()
        deadlines = conn.execute(
            select(DeadlineRow.case_id, DeadlineRow.kind, DeadlineRow.status)
        ).all()

    # Every D-8 outcome, system-only ones included, is some request's result.
    assert {c.outcome for c in cases if c.case_type == DISCLOSURE} >= set(outcomes())
    # Every state of every machine is entered by some event.
    for case_type in (DISCLOSURE, INCIDENT, ONLINE_MESSAGE):
        visited = {e.state_after for e in events if kind[e.case_id] == case_type}
        assert visited == set(workflow(case_type).case_type.states), case_type
    # Some cases are still open at the end of the period.
    open_states = workflow(DISCLOSURE).case_type.open_states
    assert any(c.state in open_states for c in cases if c.case_type == DISCLOSURE)
    # Breaches: replies and incident milestones, late supervision letters, late messages.
    breached = Counter((kind[d.case_id], d.kind) for d in deadlines if d.status == "breached")
    for key in [
        (DISCLOSURE, "reply"),
        (DISCLOSURE, "correction_period"),
        (DISCLOSURE, "fee_payment"),
        (INCIDENT, "statement"),
        (INCIDENT, "press_conference"),
        (INCIDENT, "response"),
        (INCIDENT, "supervision_letter"),
        (ONLINE_MESSAGE, "reply"),
    ]:
        assert breached[key] > 0, key
    met = Counter((kind[d.case_id], d.kind) for d in deadlines if d.status == "met")
    assert met[(DISCLOSURE, "reply")] > 4 * breached[(DISCLOSURE, "reply")]  # most in time
    # Incidents of every grade, as graded or regraded.
    grades = {
        e.data["payload"]["grade"]
        for e in events
        if kind[e.case_id] == INCIDENT and e.action in ("grade", "regrade")
    }
    assert grades == set(grade_table().grades)
    # Nothing tampered, and the stored deadlines are what the events say.
    checked, findings = verify_all(svc, SYSTEM)
    assert (checked, findings) == (len(refs), [])
    assert all(services.check_projection(svc, ref) == [] for ref in refs[::7])
