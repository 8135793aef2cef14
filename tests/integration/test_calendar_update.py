"""SPEC T-4: a limit reaching into a year without an official schedule is provisional
(weekends only) until that year's schedule is added; then it is recomputed and the
change is recorded as an event on its case — and only on the cases it changes.

The 2027 schedule below is a test-only invention, not the State Council's notice:
holidays Fri 01-01, Mon 01-04 and Tue 01-05, and Sat 01-09 a make-up working day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from govflow.app import load_calendar
from govflow.workflow import services
from govflow.workflow.calendar import WorkingCalendar

TEST_2027 = """\
# 仅供测试的假设安排，并非国务院办公厅通知
year: 2027
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {date: 2027-01-04, name: 测试假日}
  - {date: 2027-01-05, name: 测试假日}
makeup_workdays:
  - {date: 2027-01-09, name: 测试调休}
"""


@pytest.fixture
def calendar_2027(tmp_path: Path) -> WorkingCalendar:
    directory = tmp_path / "calendar"
    directory.mkdir()
    (directory / "2027.yaml").write_text(TEST_2027, encoding="utf-8")
    calendar = load_calendar([directory])
    assert 2027 in calendar.known_years
    return calendar


def events(flow, ref: str) -> list[str]:
    return [e.action for e in flow.case(ref).events]


def test_provisional_deadline_is_recomputed_once_the_year_is_known(flow, calendar_2027) -> None:
    assert 2027 not in flow.svc.calendar.known_years

    flow.at("2026-11-02 10:00")
    settled = flow.register(intake=flow.intake(description="2026年预算执行情况"))
    # 20 working days from Mon 11-02 (no holiday in November 2026): Mon 11-30.
    assert flow.due(settled) == date(2026, 11, 30)

    flow.at("2026-12-18 10:00")
    ref = flow.register()
    reply = flow.deadline(ref)
    # Weekends only in 2027: 12-21 … 12-31 are 9 working days; 01-01 … 01-15 the other 11.
    assert (reply.due_date, reply.provisional) == (date(2027, 1, 15), True)
    assert any("2027" in line for line in reply.explanation)
    notice = flow.deadline(ref, "correction_notice")  # 12-21 … 12-29, all in 2026
    assert (notice.due_date, notice.provisional) == (date(2026, 12, 29), False)
    flow.act(ref, "li.handler", "start_review")
    settled_events, ref_events = events(flow, settled), events(flow, ref)

    # The 2027 schedule is published: every service from now on uses the new calendar.
    flow.svc = replace(flow.svc, calendar=calendar_2027)
    flow.at("2026-12-21 09:00")
    # The stored rows still hold the provisional date until the recompute records it.
    assert services.check_projection(flow.svc, ref) == ["reply"]
    changed = services.recompute_deadlines(flow.svc)

    # 12-21 … 12-31 (9), then 01-06, 01-07, 01-08, Sat 01-09, 01-11 … 01-15, 01-18, 01-19.
    moved = {"from": "2027-01-15", "to": "2027-01-19", "provisional": False}
    assert changed == [(ref, {"reply": {**moved, "label": "答复期限"}})]
    reply = flow.deadline(ref)
    assert (reply.due_date, reply.provisional) == (date(2027, 1, 19), False)
    assert events(flow, ref) == [*ref_events, "deadlines_recomputed"]
    event = flow.case(ref).events[-1]
    assert (event.actor, event.actor_role) == ("system", "system")
    assert event.state_before == event.state_after == "reviewing"
    assert event.data["derived"] == {
        "changes": {"reply": {"from": "2027-01-15", "to": "2027-01-19", "provisional": False}},
        "reason": "节假日安排更新",
    }
    assert event.data["deadlines"]["reply"] == {
        "due": "2027-01-19T16:00:00+00:00",
        "status": "running",
        "provisional": False,
    }
    assert events(flow, settled) == settled_events  # nothing to change there
    for r in (ref, settled):
        flow.consistent(r)

    # A second run finds nothing provisional left and records nothing.
    assert services.recompute_deadlines(flow.svc) == []
    assert events(flow, ref) == [*ref_events, "deadlines_recomputed"]
    assert events(flow, settled) == settled_events

    # The case goes on under the new calendar.
    flow.act(ref, "li.handler", "accept")
    assert flow.due(ref) == date(2027, 1, 19)


def test_recompute_without_a_new_schedule_changes_nothing(flow) -> None:
    flow.at("2026-12-18 10:00")
    ref = flow.register()
    assert flow.deadline(ref).provisional is True
    before = flow.footprint(ref)
    assert services.recompute_deadlines(flow.svc) == []
    assert flow.footprint(ref) == before
    flow.consistent(ref)
