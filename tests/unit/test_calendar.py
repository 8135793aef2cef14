"""The working-day calendar (SPEC T-1 … T-4): examples, shipped data, loader, properties."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow.app import ENV_CALENDAR_DIR, load_calendar
from govflow.workflow.calendar import (
    CalendarError,
    DayKind,
    Pause,
    WorkingCalendar,
    load_year_file,
)
from tests.config import calendar as shipped_calendar

D = date.fromisoformat


# The shipped schedules only, whatever GOVFLOW_CALENDAR_DIR says.
CAL = shipped_calendar()


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return CAL


def due(cal: WorkingCalendar, start: str, n: int, *pauses: tuple[str, str]) -> date:
    return cal.add_working_days(D(start), n, [Pause(D(a), D(b)) for a, b in pauses]).due_date


# -- SPEC examples and counting rules -------------------------------------------------


def test_spec_example_2025_09_26_plus_20(cal: WorkingCalendar) -> None:
    count = cal.add_working_days(D("2025-09-26"), 20)
    assert count.due_date == D("2025-10-30")
    assert not count.provisional
    assert cal.working_days_between(D("2025-09-26"), D("2025-10-30")) == 20
    assert count.explain(cal) == [
        "起算日 2025-09-26（星期五）当日不计入期限。",
        "2025-09-27（星期六）休息日，不计。",
        "2025-09-28（星期日）调休上班日（国庆节、中秋节），计入。",
        "2025-10-01（星期三）至 2025-10-08（星期三）国庆节、中秋节假期，不计。",
        "2025-10-11（星期六）调休上班日（国庆节、中秋节），计入。",
        "2025-10-12（星期日）休息日，不计。",
        "2025-10-18（星期六）至 2025-10-19（星期日）休息日，不计。",
        "2025-10-25（星期六）至 2025-10-26（星期日）休息日，不计。",
        "第 20 个工作日为 2025-10-30（星期四），期限至该日 24:00（北京时间）届满。",
    ]


def test_makeup_saturday_counts(cal: WorkingCalendar) -> None:
    info = cal.day_info(D("2025-10-11"))
    assert (info.kind, info.name, info.known) == (DayKind.MAKEUP, "国庆节、中秋节", True)
    assert cal.is_working_day(D("2025-10-11"))
    assert due(cal, "2025-10-10", 1) == D("2025-10-11")
    assert due(cal, "2022-01-28", 2) == D("2022-01-30")  # Sat and Sun both make-up days


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2025-10-13", "2025-10-14"),  # a working day: still not counted
        ("2025-10-01", "2025-10-09"),  # a holiday
        ("2025-09-28", "2025-09-29"),  # a make-up working day
        ("2025-10-12", "2025-10-13"),  # a Sunday
        ("2025-12-31", "2026-01-04"),  # across the year: 01-01..03 元旦, Sunday 01-04 make-up
    ],
)
def test_start_day_never_counts(cal: WorkingCalendar, start: str, expected: str) -> None:
    assert due(cal, start, 1) == D(expected)


def test_day_info_kinds(cal: WorkingCalendar) -> None:
    assert cal.day_info(D("2026-02-16")).kind == DayKind.HOLIDAY
    assert cal.day_info(D("2026-02-16")).name == "春节"
    assert cal.day_info(D("2026-02-13")).kind == DayKind.WORKDAY
    assert cal.day_info(D("2026-03-07")).kind == DayKind.WEEKEND
    assert cal.day_info(D("2027-01-01")) == cal.day_info(D("2027-01-01"))
    assert cal.day_info(D("2027-01-01")).known is False
    assert cal.day_info(D("2027-01-01")).kind == DayKind.WORKDAY  # no schedule: weekends only
    assert cal.next_working_day_on_or_after(D("2025-10-01")) == D("2025-10-09")
    assert cal.next_working_day_on_or_after(D("2025-10-09")) == D("2025-10-09")


def test_bad_arguments(cal: WorkingCalendar) -> None:
    for n in (0, -1):
        with pytest.raises(CalendarError):
            cal.add_working_days(D("2025-01-02"), n)
    with pytest.raises(CalendarError, match="2007-12-31"):
        cal.add_working_days(D("2007-12-31"), 5)
    with pytest.raises(CalendarError):
        cal.day_info(D("2007-06-01"))
    with pytest.raises(CalendarError):
        Pause(D("2025-10-15"), D("2025-10-09"))
    assert cal.first_day == D("2008-01-01")  # the 2008 regulations took effect 2008-05-01
    assert cal.working_days_between(D("2025-10-30"), D("2025-09-26")) == 0


# -- pauses (T-3) -----------------------------------------------------------------------


def test_pause_excludes_days_after_start_through_end(cal: WorkingCalendar) -> None:
    # (10-09, 10-15] removes 10-10, make-up 10-11, 10-13, 10-14, 10-15: five working days.
    assert due(cal, "2025-09-26", 20, ("2025-10-09", "2025-10-15")) == D("2025-11-06")
    count = cal.add_working_days(D("2025-09-26"), 20, [Pause(D("2025-10-09"), D("2025-10-15"))])
    assert "2025-10-10 至 2025-10-15 中止计算（暂停），不计。" in count.explain(cal)
    # the day the pause began still counts
    assert due(cal, "2025-10-12", 1, ("2025-10-13", "2025-10-14")) == D("2025-10-13")


def test_pause_before_start_only_excludes_days_after_start(cal: WorkingCalendar) -> None:
    # (09-20, 09-30] clipped to (09-26, 09-30]: 09-28, 09-29, 09-30 do not count
    assert due(cal, "2025-09-26", 1, ("2025-09-20", "2025-09-30")) == D("2025-10-09")
    assert due(cal, "2025-09-26", 1, ("2025-09-01", "2025-09-26")) == D("2025-09-28")


def test_pauses_merge_unsorted_overlapping(cal: WorkingCalendar) -> None:
    merged = due(cal, "2025-03-03", 15, ("2025-03-05", "2025-03-12"))
    pieces = due(
        cal,
        "2025-03-03",
        15,
        ("2025-03-10", "2025-03-12"),
        ("2025-03-05", "2025-03-08"),
        ("2025-03-07", "2025-03-10"),
    )
    assert pieces == merged
    assert due(cal, "2025-03-03", 15, ("2025-03-05", "2025-03-05")) == due(cal, "2025-03-03", 15)
    assert due(cal, "2025-03-03", 5, ("2025-06-01", "2025-06-30")) == due(cal, "2025-03-03", 5)


# -- years without a schedule (T-4) -------------------------------------------------------


def test_provisional_into_2027(cal: WorkingCalendar) -> None:
    count = cal.add_working_days(D("2026-12-20"), 20)
    assert count.due_date == D("2027-01-15")  # weekends only in 2027
    assert count.provisional
    assert any("2027 年节假日安排尚未公布" in line for line in count.explain(cal))
    assert not cal.add_working_days(D("2026-11-02"), 20).provisional
    assert cal.is_provisional_between(D("2026-12-31"), D("2027-01-01"))
    assert not cal.is_provisional_between(D("2026-12-30"), D("2026-12-31"))


YEAR_2027 = """\
year: 2027
holidays:
  - {date: 2027-01-01, name: 元旦}
makeup_workdays:
  - {date: 2027-01-09, name: 元旦}
"""


def test_2027_from_env_dir_makes_it_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "2027.yaml").write_text(YEAR_2027, encoding="utf-8")
    monkeypatch.setenv(ENV_CALENDAR_DIR, str(tmp_path))
    cal = load_calendar()
    count = cal.add_working_days(D("2026-12-20"), 20)
    assert not count.provisional
    assert count.due_date == D("2027-01-15")  # 01-01 lost, Saturday 01-09 gained
    assert cal.day_info(D("2027-01-09")).kind == DayKind.MAKEUP
    assert 2027 in cal.known_years


def test_extra_dirs_override_and_closures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CALENDAR_DIR, raising=False)
    (tmp_path / "2027.yaml").write_text(YEAR_2027, encoding="utf-8")
    (tmp_path / "2025-office.yaml").write_text(
        "year: 2025\nclosures:\n  - {date: 2025-10-13, name: 办公楼停电}\n", encoding="utf-8"
    )
    cal = load_calendar([tmp_path])
    assert not cal.add_working_days(D("2026-12-20"), 20).provisional
    info = cal.day_info(D("2025-10-13"))
    assert (info.kind, info.name) == (DayKind.CLOSURE, "办公楼停电")
    assert cal.day_info(D("2025-10-01")).kind == DayKind.HOLIDAY  # closures add, not replace
    count = cal.add_working_days(D("2025-10-10"), 2)
    assert count.due_date == D("2025-10-14")
    assert "2025-10-13（星期一）本机关不办公（办公楼停电），不计。" in count.explain(cal)
    # an official file replaces its year wholesale
    other = tmp_path / "other"
    other.mkdir()
    (other / "2025.yaml").write_text("year: 2025\nholidays: []\n", encoding="utf-8")
    replaced = load_calendar([tmp_path, other])
    assert replaced.is_working_day(D("2025-10-01"))
    assert replaced.is_working_day(D("2025-10-13"))


def test_closures_only_file_does_not_make_a_year_known(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text(
        "year: 2027\nclosures:\n  - {date: 2027-03-01, name: 搬迁}\n", encoding="utf-8"
    )
    cal = load_calendar([tmp_path])
    assert 2027 not in cal.known_years
    assert not cal.is_working_day(D("2027-03-01"))
    assert cal.add_working_days(D("2027-02-26"), 1).due_date == D("2027-03-02")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("year: 2025\nholidays:\n  - {date: 2025-13-01, name: 元旦}\n", "日期无效"),
        ("year: 2025\nholidays:\n  - {date: 2024-12-31, name: 元旦}\n", "不在 2025 年内"),
        (
            "year: 2025\nholidays:\n  - {date: 2025-10-11, name: 国庆节}\n"
            "makeup_workdays:\n  - {date: 2025-10-11, name: 国庆节}\n",
            "既是放假日又是调休上班日",
        ),
        ("year: 2025\nholiday:\n  - {date: 2025-01-01, name: 元旦}\n", "未知的键 holiday"),
        ("year: 2025\nholidays:\n  - {date: 2025-01-01, nmae: 元旦}\n", "未知的键 nmae"),
        ("year: 2025\nholidays:\n  - {date: 2025-01-01}\n", "缺少名称"),
        ("holidays: []\n", "year"),
        ("year: 2026\n", "文件名是 2025 年"),
        ("year: 2025\nholidays: [\n", "YAML"),
    ],
)
def test_malformed_files_are_rejected(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "2025.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError) as err:
        load_year_file(path)
    assert str(path) in str(err.value)
    assert complaint in str(err.value)
    with pytest.raises(CalendarError, match=r"2025\.yaml"):
        load_calendar([tmp_path])


# -- shipped data ---------------------------------------------------------------------------


def test_shipped_years_and_known_facts(cal: WorkingCalendar) -> None:
    assert cal.known_years == frozenset(range(2008, 2027))
    for d in range(1, 9):
        assert cal.day_info(date(2025, 10, d)).name == "国庆节、中秋节"
    makeup_2026 = {d for s in cal.schedules if s.year == 2026 for d in s.makeup_workdays}
    assert makeup_2026 == {
        D(x)
        for x in (
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        )
    }
    assert cal.day_info(D("2020-10-01")).name == "国庆节、中秋节"
    assert cal.day_info(D("2020-02-02")).name == "春节"  # the 2020 extension
    assert cal.is_working_day(D("2020-02-03")) and not cal.is_working_day(D("2020-02-01"))


def test_agrees_with_chinese_calendar_every_day(cal: WorkingCalendar) -> None:
    chinese_calendar = pytest.importorskip("chinese_calendar")
    d = date(2008, 1, 1)
    while d <= date(2026, 12, 31):
        assert cal.is_working_day(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


# -- properties -------------------------------------------------------------------------------


def _naive_is_working(d: date) -> bool:
    """Straight from the raw schedules, not the precomputed array."""
    for s in CAL.schedules:
        if s.year == d.year:
            if d in s.holidays or d in s.closures:
                return False
            if d in s.makeup_workdays:
                return True
    return d.weekday() < 5


def _paused(d: date, pauses: list[Pause]) -> bool:
    return any(p.start < d <= p.end for p in pauses)


def _naive_due(start: date, n: int, pauses: list[Pause]) -> date:
    d, left = start, n
    while left:
        d += timedelta(days=1)
        if _naive_is_working(d) and not _paused(d, pauses):
            left -= 1
    return d


starts = st.dates(min_value=date(2008, 1, 1), max_value=date(2028, 6, 30))
amounts = st.integers(min_value=1, max_value=80)
pause_st = st.builds(
    lambda s, length: Pause(s, s + timedelta(days=length)),
    st.dates(min_value=date(2007, 12, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=0, max_value=40),
)
pause_lists = st.lists(pause_st, max_size=4)


@settings(max_examples=300, deadline=None)
@given(starts, amounts, pause_lists)
def test_property_due_date_is_exact(start: date, n: int, pauses: list[Pause]) -> None:
    count = CAL.add_working_days(start, n, pauses)
    assert count.due_date == _naive_due(start, n, pauses)
    assert CAL.working_days_between(start, count.due_date, pauses) == n
    assert CAL.is_working_day(count.due_date)
    assert not _paused(count.due_date, pauses)
    assert CAL.add_working_days(start, n, list(reversed(pauses))) == count
    years = {(start + timedelta(days=i)).year for i in range(1, (count.due_date - start).days + 1)}
    assert count.provisional == any(y > 2026 for y in years)


@settings(max_examples=300, deadline=None)
@given(starts, amounts, pause_lists)
def test_property_pauses_only_delay(start: date, n: int, pauses: list[Pause]) -> None:
    plain = CAL.add_working_days(start, n).due_date
    paused = CAL.add_working_days(start, n, pauses).due_date
    assert paused >= plain
    # a pause is worth exactly the working days it swallows before the due date
    swallowed = sum(
        1
        for i in range(1, (paused - start).days + 1)
        if _naive_is_working(d := start + timedelta(days=i)) and _paused(d, pauses)
    )
    assert CAL.add_working_days(start, n + swallowed).due_date == paused


@settings(max_examples=200, deadline=None)
@given(starts, amounts, pause_lists)
def test_property_monotonic_in_n(start: date, n: int, pauses: list[Pause]) -> None:
    a = CAL.add_working_days(start, n, pauses).due_date
    b = CAL.add_working_days(start, n + 1, pauses).due_date
    assert a < b
    assert CAL.working_days_between(a, b, pauses) == 1
