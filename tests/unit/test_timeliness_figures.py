"""Timeliness report (SPEC R-2): the pure pieces against values worked out by hand.

The calendar around National Day 2025: Sunday 09-28 and Saturday 10-11 are make-up working
days, 10-01…10-08 are holidays. A request received Friday 09-26 has 20 working days to the
end of Thursday 10-30 (SPEC T-2's example).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from govflow.presentation.timeliness import timeliness_csv, timeliness_json, timeliness_text
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.deadline_terms import Basis, DeadlineStatus, PauseSpan
from govflow.workflow.deadlines import Deadline
from govflow.workflow.errors import InvalidInput
from govflow.workflow.reports.timeliness import (
    HandlingTime,
    MilestoneRecord,
    RequestLimits,
    handling_days,
    nearest_rank,
    reply_outcome,
    time_left_bucket,
    timeliness_report,
)
from govflow.workflow.services.incidents import AccountabilityEntry
from tests.config import calendar as shipped_calendar

D = date.fromisoformat


def bj(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)


def reply_limit(
    calendar: WorkingCalendar,
    start: str,
    *,
    pauses: tuple[tuple[str, str | None], ...] = (),
    met: str | None = None,
    extension: int = 0,
) -> Deadline:
    d = Deadline("reply", "reply", "答复期限", Basis.WORKING_DAYS, 20, start_date=D(start))
    d.pauses = [PauseSpan(D(s), D(e) if e else None, "征求意见") for s, e in pauses]
    d.extension_days = extension
    if met is not None:
        d.meet(D(met), bj(f"{met}T16:00"))
    return d.compute(calendar)


def milestone(key: str, hours: int, detected: str, met: str | None = None) -> Deadline:
    labels = {"statement": "发布权威信息时限", "response": "回应时限"}
    d = Deadline(key, key, labels[key], Basis.HOURS, hours, start_at=bj(detected))
    if met is not None:
        d.meet(local_date(bj(met)), bj(met))
    return d.compute(shipped_calendar())


# -- percentiles and the handling-time summary ---------------------------------------------


@pytest.mark.parametrize(
    ("values", "percent", "expected"),
    [
        ((), 90, None),
        ((5,), 90, 5),
        ((22, 7, 10, 9), 90, 22),  # rank ⌈3.6⌉ = 4, whatever the input order
        (tuple(range(1, 11)), 90, 9),  # rank 9 exactly: no interpolation
        (tuple(range(1, 21)), 90, 18),
        (tuple(range(1, 12)), 90, 10),  # rank ⌈9.9⌉ = 10
        ((1, 2, 3, 4), 50, 2),  # nearest rank takes a value, never a mean
        ((3, 1, 2), 100, 3),
        ((3, 1, 2), 1, 1),
    ],
)
def test_nearest_rank(values: tuple[int, ...], percent: int, expected: int | None) -> None:
    assert nearest_rank(values, percent) == expected


def test_handling_time_summary() -> None:
    h = HandlingTime.of([22, 7, 10, 9])
    assert (h.days, h.count, h.mean, h.median, h.p90) == ((7, 9, 10, 22), 4, 12.0, 9.5, 22)
    odd = HandlingTime.of([3, 20, 5])
    assert (odd.mean, odd.median, odd.p90) == (pytest.approx(28 / 3), 5.0, 20)
    assert HandlingTime.of([]) == HandlingTime((), 0, None, None, None)


# -- handling time in working days ----------------------------------------------------------


def test_handling_days_across_national_day(calendar: WorkingCalendar) -> None:
    # (09-26, 10-20]: 09-28 (make-up), 29, 30, 10-09, 10, 11 (make-up), 13…17, 20 = 12.
    assert handling_days(reply_limit(calendar, "2025-09-26", met="2025-10-20"), calendar) == 12
    # Consulted 10-09…10-15: 10-10, 10-11, 10-13, 10-14, 10-15 do not count → 7.
    paused = reply_limit(calendar, "2025-09-26", pauses=(("2025-10-09", "2025-10-15"),))
    paused.meet(D("2025-10-20"), bj("2025-10-20T16:00"))
    assert handling_days(paused, calendar) == 7
    # Replied during the holiday: only 09-28, 29, 30 have passed.
    assert handling_days(reply_limit(calendar, "2025-09-26", met="2025-10-05"), calendar) == 3
    # Same-day (on the spot) replies take no working day.
    assert handling_days(reply_limit(calendar, "2025-09-26", met="2025-09-26"), calendar) == 0
    assert handling_days(reply_limit(calendar, "2025-09-26"), calendar) is None


def test_a_reply_on_the_due_day_took_exactly_the_limit(calendar: WorkingCalendar) -> None:
    """The handling time counts as the limit does: met on the due day = the days allowed."""
    plain = reply_limit(calendar, "2025-09-26")
    assert plain.due_date == D("2025-10-30")
    plain.meet(plain.due_date, bj("2025-10-30T16:00"))
    assert handling_days(plain, calendar) == 20
    pauses = (("2025-10-09", "2025-10-15"),)
    paused = reply_limit(calendar, "2025-09-26", pauses=pauses, extension=5)
    assert paused.due_date is not None
    paused.meet(paused.due_date, bj("2025-11-13T16:00"))
    assert handling_days(paused, calendar) == 25


def test_a_pause_left_open_ends_with_the_reply(calendar: WorkingCalendar) -> None:
    d = reply_limit(calendar, "2025-09-26", pauses=(("2025-10-09", None),), met="2025-10-20")
    assert handling_days(d, calendar) == 4  # 09-28, 29, 30, 10-09


# -- outcomes and time left -----------------------------------------------------------------


def test_reply_outcome_is_dated_by_the_reply_or_by_the_due_day(calendar: WorkingCalendar) -> None:
    now = bj("2025-11-03T10:00")
    on_time = reply_limit(calendar, "2025-09-26", met="2025-10-20")
    assert reply_outcome(on_time, now) == ("on_time", D("2025-10-20"))
    late = reply_limit(calendar, "2025-09-26", met="2025-10-31")
    assert late.status is DeadlineStatus.BREACHED
    assert reply_outcome(late, now) == ("late", D("2025-10-30"))
    running = reply_limit(calendar, "2025-09-26")
    assert reply_outcome(running, bj("2025-10-30T23:59")) is None  # due today: not yet late
    assert reply_outcome(running, bj("2025-10-31T00:00:01")) == ("overdue", D("2025-10-30"))
    paused = reply_limit(calendar, "2025-09-26", pauses=(("2025-10-09", None),))
    assert paused.status is DeadlineStatus.PAUSED
    assert reply_outcome(paused, now) is None


@pytest.mark.parametrize(
    ("now", "bucket"),
    [
        ("2025-09-26T10:00", "over_10"),  # 20 left
        ("2025-10-05T10:00", "over_10"),  # in the holiday: 17 left
        ("2025-10-16T10:00", "4_10"),  # 10-17, 20…24, 27…30: 10 left
        ("2025-10-24T10:00", "4_10"),  # 27…30: 4 left
        ("2025-10-25T10:00", "4_10"),  # a Saturday, still 4 left
        ("2025-10-27T10:00", "1_3"),  # 3 left
        ("2025-10-29T10:00", "1_3"),  # 1 left
        ("2025-10-30T23:59", "due_today"),
        ("2025-10-31T00:00:01", "overdue"),
        ("2025-11-01T10:00", "overdue"),  # a Saturday with no working day since: still overdue
    ],
)
def test_time_left_buckets(calendar: WorkingCalendar, now: str, bucket: str) -> None:
    assert time_left_bucket(reply_limit(calendar, "2025-09-26"), calendar, bj(now)) == bucket


def test_time_left_buckets_without_a_running_limit(calendar: WorkingCalendar) -> None:
    now = bj("2025-10-20T10:00")
    paused = reply_limit(calendar, "2025-09-26", pauses=(("2025-10-09", None),))
    assert time_left_bucket(paused, calendar, now) == "paused"
    assert time_left_bucket(None, calendar, now) == "not_started"
    met = reply_limit(calendar, "2025-09-26", met="2025-10-20")
    assert time_left_bucket(met, calendar, now) is None


# -- the whole report -----------------------------------------------------------------------


def entry(ref: str, due_at: datetime, **kw: object) -> AccountabilityEntry:
    fields: dict[str, object] = {
        "ref": ref,
        "agency": "county",
        "title": "某舆情",
        "grade_label": "一般",
        "deadline_key": "response",
        "label": "回应时限",
        "due_at": due_at,
        "met_at": None,
        "kind": "overdue",
        "hours_late": 1.0,
        "lead_department": None,
        "handler": None,
        "handler_name": None,
    }
    return AccountabilityEntry(**{**fields, **kw})  # type: ignore[arg-type]


def test_report_counts_each_limit_once_in_the_period_of_its_outcome(
    calendar: WorkingCalendar,
) -> None:
    now = bj("2025-11-01T18:00")
    withdrawn = reply_limit(calendar, "2025-10-09")
    withdrawn.cancel("申请人撤回申请")
    withdrawn.compute(calendar)
    requests = [
        # replied on the first and on the last day of the period: both in
        RequestLimits("R1", "县政府办", "李经办", False, reply_limit(calendar, "2025-09-26", met="2025-10-01")),
        RequestLimits("R2", "县政府办", "李经办", False, reply_limit(calendar, "2025-09-26", met="2025-10-30")),
        # replied after the period: late (counted in October, when the limit ran out) …
        RequestLimits("R3", "县政府办", None, False, reply_limit(calendar, "2025-09-26", met="2025-11-01")),
        # … or on time: out
        RequestLimits("R9", "县政府办", None, False, reply_limit(calendar, "2025-10-09", met="2025-11-01")),
        # replied in the period, but late: its limit ran out 09-28 → handling time only
        RequestLimits("R4", "县政府办", None, False, reply_limit(calendar, "2025-09-01", met="2025-10-09")),
        # still open, limit ran out 10-30 → overdue, breach of the unassigned
        RequestLimits("R5", "县教育局", None, True, reply_limit(calendar, "2025-09-26")),
        # withdrawn in the period, and one withdrawn before it
        RequestLimits("R6", "县政府办", None, False, withdrawn, closed_on=D("2025-10-10")),
        RequestLimits("R7", "县政府办", None, False, withdrawn, closed_on=D("2025-09-30")),
        # receipt not confirmed: no limit
        RequestLimits("R8", "县政府办", None, True, None),
    ]  # fmt: skip
    incidents = [
        MilestoneRecord("I1", milestone("statement", 5, "2025-10-01T00:00", "2025-10-01T04:00")),
        MilestoneRecord("I2", milestone("response", 48, "2025-10-31T23:00")),  # due 11-02 23:00
        MilestoneRecord("I3", milestone("response", 48, "2025-10-20T08:00")),  # overdue
        MilestoneRecord("I4", milestone("response", 48, "2025-11-01T00:10")),  # after the period
        MilestoneRecord("I5", milestone("response", 48, "2025-09-30T23:59", "2025-10-03T00:00")),
    ]
    accountability = [
        entry("I3", bj("2025-10-22T08:00"), handler="zhao", handler_name="赵经办"),
        entry("I6", bj("2025-10-31T23:30"), lead_department="县卫健局"),  # 15:30 UTC: still 10-31
        entry("I7", bj("2025-11-01T00:30")),  # 10-31 16:30 UTC, but 11-01 in Beijing: out
    ]
    report = timeliness_report(
        "县政府办", D("2025-10-01"), D("2025-10-31"), now, calendar, requests, incidents,
        accountability, {"county": "示范县人民政府办公室"},
    )  # fmt: skip

    r = report.replies
    assert (r.on_time, r.late, r.overdue, r.cancelled, r.decided) == (2, 1, 1, 1, 4)
    assert r.rate == pytest.approx(0.5)
    # R1: 09-28, 29, 30 = 3; R2: 20; R4: (09-01, 10-09] = 4 + 5 + 5 + 5 (to 09-26) + 09-28,
    # 29, 30 + 10-09 = 23. R3 and R9 were replied after the period.
    assert report.handling.days == (3, 20, 23)
    assert {b.key: b.refs for b in report.open_requests if b.refs} == {
        "overdue": ("R5",),
        "not_started": ("R8",),
    }
    assert [(b.ref, b.breached_on, b.kind, b.department, b.handler) for b in report.breaches] == [
        ("I3", D("2025-10-22"), "overdue", "示范县人民政府办公室", "赵经办"),
        ("R3", D("2025-10-30"), "late", "县政府办", "未分配"),
        ("R5", D("2025-10-30"), "overdue", "县教育局", "未分配"),
        ("I6", D("2025-10-31"), "overdue", "县卫健局", "未分配"),
    ]
    assert [(g.name, g.disclosure, g.incident, g.total) for g in report.by_handler] == [
        ("未分配", 2, 1, 3),
        ("赵经办", 0, 1, 1),
    ]
    assert [e.ref for e in report.accountability] == ["I3", "I6"]
    assert report.incidents_detected == 3  # I1, I2, I3 (I5 is September's, I4 November's)
    assert [
        (m.key, m.hours, m.within, m.late, m.overdue, m.pending, m.decided, m.share)
        for m in report.milestones
    ] == [("statement", 5, 1, 0, 0, 0, 1, 1.0), ("response", 48, 0, 0, 1, 1, 1, 0.0)]


def test_an_empty_report_says_so(calendar: WorkingCalendar) -> None:
    report = timeliness_report(
        "县政府办", D("2025-10-01"), D("2025-10-31"), bj("2025-11-03T10:00"), calendar, [], []
    )
    assert (report.replies.rate, report.handling.mean, report.handling.p90) == (None, None, None)
    assert report.breaches == report.by_department == report.milestones == []
    text = timeliness_text(report).splitlines()
    for line in (
        "按期答复率：—（按期答复 0 件 ÷ 已有结果 0 件）",
        "　平均 —；中位数 —；第 90 百分位 —（最近秩法）",
        "　无超期。",
        "　本期无舆情事件。",
        "　无。",
    ):
        assert line in text
    assert timeliness_csv(report).startswith(
        "\ufeff统计范围,县政府办,2025-10-01至2025-10-31\r\n".encode()
    )
    assert '"rate": null' in timeliness_json(report)


def test_a_period_must_not_end_before_it_starts(calendar: WorkingCalendar) -> None:
    with pytest.raises(InvalidInput, match="统计起始日 2025-10-02 晚于截止日 2025-10-01"):
        timeliness_report(
            "县政府办", D("2025-10-02"), D("2025-10-01"), bj("2025-11-03T10:00"), calendar, [], []
        )
    one_day = timeliness_report(
        "县政府办", D("2025-10-20"), D("2025-10-20"), bj("2025-11-03T10:00"), calendar,
        [RequestLimits("R", "县政府办", None, False, reply_limit(calendar, "2025-09-26", met="2025-10-20"))],
        [],
    )  # fmt: skip
    assert (one_day.replies.on_time, one_day.handling.days) == (1, (12,))


def test_stored_deadlines_read_back_as_they_were(calendar: WorkingCalendar) -> None:
    """The repository rebuilds deadlines from the rows' ``detail`` (``Deadline.to_json()``)."""
    extended = reply_limit(
        calendar, "2025-09-26", pauses=(("2025-10-09", "2025-10-15"),), extension=10
    )
    overridden = reply_limit(calendar, "2025-09-26")
    overridden.override_due, overridden.override_reason = D("2025-12-31"), "数量明显超过合理范围"
    overridden.compute(calendar)
    cancelled = reply_limit(calendar, "2025-09-26")
    cancelled.cancel("申请人撤回申请")
    cancelled.compute(calendar)
    for original in (
        extended,
        overridden,
        cancelled,
        reply_limit(calendar, "2025-09-26", pauses=(("2025-10-09", None),)),
        reply_limit(calendar, "2025-09-01", met="2025-10-09"),
        milestone("statement", 5, "2025-09-30T22:30", "2025-10-01T05:10"),
        milestone("response", 48, "2025-09-30T22:30"),
    ):
        back = Deadline.from_json(original.to_json())
        assert back.to_json() == original.to_json()
        assert back.status is original.status and back.due_at == original.due_at
        now = bj("2025-10-20T10:00")
        assert back.working_days_left(calendar, now) == original.working_days_left(calendar, now)
        assert back.is_overdue(now + timedelta(days=30)) == original.is_overdue(
            now + timedelta(days=30)
        )


def test_a_milestone_archived_unmet_counts_as_overdue(calendar: WorkingCalendar) -> None:
    """An incident archived with a milestone past its limit and never met: a lapse, not late."""
    lapsed = milestone("response", 48, "2025-10-10T09:00")
    lapsed.lapse(D("2025-10-15"))
    lapsed.compute(calendar)
    assert lapsed.status is DeadlineStatus.BREACHED
    late = milestone("response", 48, "2025-10-10T09:00", "2025-10-13T09:00")
    assert late.status is DeadlineStatus.BREACHED
    report = timeliness_report(
        "县政府办", D("2025-10-01"), D("2025-10-31"), bj("2025-11-03T10:00"), calendar, [],
        [MilestoneRecord("I1", lapsed), MilestoneRecord("I2", late)],
    )  # fmt: skip
    (share,) = report.milestones
    assert (share.within, share.late, share.overdue, share.decided) == (0, 1, 1, 2)
