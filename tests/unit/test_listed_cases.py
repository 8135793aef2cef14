"""Cases kept for lists (``workflow/services/listed.py``): restored once per stored row and
calendar; any other row (a new event, rewritten facts) or calendar restores again."""

from __future__ import annotations

from dataclasses import replace

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case, CaseRecord
from govflow.workflow.services.listed import ListedCases


class Restorer:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Case:
        self.calls += 1
        return object()  # type: ignore[return-value]  # what was restored is not looked at


def test_a_row_is_restored_once_per_stored_state_and_calendar() -> None:
    kept, restore = ListedCases(), Restorer()
    calendar, other = WorkingCalendar.from_schedules([]), WorkingCalendar.from_schedules([])
    record = CaseRecord("示政办依申〔2025〕0001号", "disclosure_request", "county", "registered",
                        head_seq=2, head_hash="a" * 64, facts='{"format": 4}')  # fmt: skip
    first = kept.get(record, calendar, restore)
    assert kept.get(record, calendar, restore) is first and restore.calls == 1
    kept.get(replace(record, head_seq=3, head_hash="b" * 64), calendar, restore)  # an event
    kept.get(replace(record, facts='{"format": 4, "x": 1}'), calendar, restore)  # rewritten
    kept.get(record, other, restore)  # a calendar imported since
    assert restore.calls == 4


def test_it_is_emptied_when_it_outgrows_its_size() -> None:
    kept, restore = ListedCases(size=2), Restorer()
    calendar = WorkingCalendar.from_schedules([])
    records = [CaseRecord(f"ref-{n}", "t", "county") for n in range(3)]
    for record in records:
        kept.get(record, calendar, restore)
    kept.get(records[0], calendar, restore)  # dropped with the rest when the third came
    assert restore.calls == 4
