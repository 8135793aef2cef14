"""The rules of a calendar import (issue 10), pure: which files are accepted, and which
imports are in force and make the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from govflow import configs
from govflow.workflow.calendar import CalendarError
from govflow.workflow.calendar.imports import (
    MAX_BYTES,
    StoredCalendarFile,
    already_in_force,
    calendar_of,
    ever_imported,
    in_force,
    parse_calendar_file,
)

YEAR_2027 = """\
year: 2027
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {date: 2027-01-04, name: 测试假日}
makeup_workdays:
  - {date: 2027-01-09, name: 测试调休}
"""
YEAR_2027_FIXED = YEAR_2027.replace("2027-01-04, name: 测试假日", "2027-01-05, name: 测试假日")
CLOSURES_2027 = "year: 2027\nclosures:\n  - {date: 2027-01-06, name: 机房搬迁}\n"
CLOSURES_2027_MOVED = "year: 2027\nclosures:\n  - {date: 2027-01-07, name: 机房搬迁}\n"


def stored(rows: list[tuple[str, str]]) -> list[StoredCalendarFile]:
    out = []
    for i, (name, text) in enumerate(rows, start=1):
        f = parse_calendar_file(name, text)
        at = datetime(2026, 12, 1, tzinfo=UTC)
        out.append(StoredCalendarFile(i, f.name, f.kind, f.year, f.text, f.sha256, "admin", at))
    return out


def shipped() -> list[tuple[str, str]]:
    directory = configs.shipped("calendar")
    return [(p.name, p.read_text("utf-8")) for p in sorted(directory.glob("*.yaml"))]


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("../2027.yaml", YEAR_2027, "文件名"),
        ("2027.txt", YEAR_2027, "文件名"),
        ("2027.yaml", YEAR_2027.encode("gb18030") + "# 注释".encode("gb18030"), "UTF-8"),
        ("2027.yaml", "year: 2027\n" + "#" * MAX_BYTES, "文件过大"),
        ("2028.yaml", YEAR_2027, "文件名是 2028 年"),
        ("2027.yaml", "year: 2027\nholidays:\n  - {date: 2027-02-30, name: x}\n", "日期无效"),
        ("2027.yaml", "year: 2027\nholidays:\n  - {date: 2026-12-31, name: x}\n", "不在 2027"),
        ("2027.yaml", "year: 2027\nholiday: []\n", "未知的键"),
        ("2027.yaml", "year: 2027\nmakeup_workdays:\n  - {date: 2027-01-09, name: x}\n", "放假日"),
        ("2027.yaml", CLOSURES_2027, "放假日"),
        ("2027-closures.yaml", YEAR_2027, "只能列出闭馆日"),
        ("2027-closures.yaml", "year: 2027\nclosures: []\n", "至少一天"),
        ("2007.yaml", "year: 2007\nholidays:\n  - {date: 2007-01-01, name: 元旦}\n", "超出范围"),
        ("2027.yaml", "year: [2027\n", "YAML 格式有误"),
        ("2027.yaml", b"", "文件 2027.yaml 是空的"),
        ("2027.yaml", "\ufeff \n\t\n", "文件 2027.yaml 是空的"),
    ],
)
def test_a_bad_file_is_refused_naming_it_and_the_problem(name: str, data, says: str) -> None:
    with pytest.raises(CalendarError) as caught:
        parse_calendar_file(name, data)
    assert says in str(caught.value)
    if "文件名" not in says:
        assert name in str(caught.value)


def test_a_file_is_a_year_schedule_or_closures_by_its_name() -> None:
    year = parse_calendar_file("2027.yaml", YEAR_2027.encode("utf-8"))
    assert (year.kind, year.year, year.key) == ("year", 2027, ("year", 2027, ""))
    closures = parse_calendar_file("2027-closures.yaml", CLOSURES_2027)
    assert (closures.kind, closures.key) == ("closures", ("closures", 2027, "2027-closures.yaml"))
    # A byte-order mark is not part of the text (the same file saved by another editor).
    assert parse_calendar_file("2027.yaml", "\ufeff" + YEAR_2027).sha256 == year.sha256


def test_every_shipped_year_file_is_accepted() -> None:
    files = [parse_calendar_file(name, text) for name, text in shipped()]
    assert [f.year for f in files] == list(range(2008, 2027))
    assert {f.kind for f in files} == {"year"}


def test_the_latest_year_file_replaces_and_closures_add_whenever_imported() -> None:
    rows = stored(
        [
            *shipped(),
            ("2027.yaml", YEAR_2027),
            ("2027-closures.yaml", CLOSURES_2027),
            ("2027.yaml", YEAR_2027_FIXED),  # a corrected notice, after the closures
        ]
    )
    calendar = calendar_of(rows)
    assert 2027 in calendar.known_years
    assert calendar.is_working_day(date(2027, 1, 4))  # the first text's holiday is gone
    assert not calendar.is_working_day(date(2027, 1, 5))  # the corrected one's
    assert not calendar.is_working_day(date(2027, 1, 6))  # the office's closure stays
    assert [r.name for r in in_force(rows)][-2:] == ["2027-closures.yaml", "2027.yaml"]


def test_a_closures_file_imported_again_replaces_its_earlier_text() -> None:
    rows = stored(
        [
            *shipped(),
            ("2027-closures.yaml", CLOSURES_2027),
            ("2027-closures.yaml", CLOSURES_2027_MOVED),
        ]
    )
    calendar = calendar_of(rows)
    assert calendar.is_working_day(date(2027, 1, 6))
    assert not calendar.is_working_day(date(2027, 1, 7))
    assert 2027 not in calendar.known_years  # closures alone announce no schedule (T-4)


def test_the_same_text_again_is_in_force_but_an_older_text_is_not() -> None:
    rows = stored([("2027.yaml", YEAR_2027), ("2027.yaml", YEAR_2027_FIXED)])
    first = parse_calendar_file("2027.yaml", YEAR_2027)
    fixed = parse_calendar_file("2027.yaml", YEAR_2027_FIXED)
    assert already_in_force(fixed, rows)
    assert not already_in_force(first, rows)  # going back to it is a change
    assert ever_imported(first, rows)  # but a seed does not bring it back
    closures = parse_calendar_file("2027-closures.yaml", CLOSURES_2027)
    assert not already_in_force(closures, rows) and not ever_imported(closures, rows)
