"""The official holiday schedule as data (SPEC T-1).

Each year's schedule is one human-editable YAML file, ``configs/calendar/YYYY.yaml``,
transcribed from the State Council General Office notice
(国务院办公厅关于X年部分节假日安排的通知). Offices can add a new year's schedule or
their own closure days without a code change, from directories the composition root
adds (``GOVFLOW_CALENDAR_DIR``). A file that is wrong must fail loudly and say which
file and which entry: a silently misread holiday would shift legal limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import yaml

from govflow.workflow.validation import FAST_LOADER, file_problem, yaml_problem

_TOP_KEYS = frozenset({"year", "holidays", "makeup_workdays", "closures"})
_ENTRY_KEYS = frozenset({"date", "name"})
_LIST_LABELS = {"holidays": "放假日", "makeup_workdays": "调休上班日", "closures": "闭馆日"}


class _Loader(FAST_LOADER):  # type: ignore[misc, valid-type]
    """Safe loader that leaves dates as text, so a bad date gets our own message (libyaml's
    parser where built: faster); a key given twice is refused, naming its line."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


class CalendarError(ValueError):
    """A calendar file is malformed, or a date lies outside the calendar's range."""


@dataclass(frozen=True)
class YearSchedule:
    """One year of the national schedule plus an office's own closure days.

    ``official`` is False for a file that only lists ``closures``: it does not
    announce the year's holidays, so it neither replaces a shipped schedule nor makes
    the year "known" (SPEC T-4).
    """

    year: int
    holidays: dict[date, str] = field(default_factory=dict)
    makeup_workdays: dict[date, str] = field(default_factory=dict)
    closures: dict[date, str] = field(default_factory=dict)
    source: str = "<memory>"
    official: bool = True

    def __post_init__(self) -> None:
        for label, days in (
            ("holidays", self.holidays),
            ("makeup_workdays", self.makeup_workdays),
            ("closures", self.closures),
        ):
            for day in days:
                if type(day) is not date or day.year != self.year:
                    raise CalendarError(
                        f"{self.source}: {_LIST_LABELS[label]} {day} 不在 {self.year} 年内"
                    )
        both = sorted(set(self.holidays) & set(self.makeup_workdays))
        if both:
            raise CalendarError(f"{self.source}: {both[0].isoformat()} 既是放假日又是调休上班日")

    def with_closures(self, closures: dict[date, str], source: str) -> YearSchedule:
        """This schedule with more closure days (later names win)."""
        return YearSchedule(
            year=self.year,
            holidays=self.holidays,
            makeup_workdays=self.makeup_workdays,
            closures={**self.closures, **closures},
            source=f"{self.source} + {source}",
            official=self.official,
        )


def load_year_file(path: Path | str) -> YearSchedule:
    """Read and validate one ``YYYY.yaml`` file; any defect raises ``CalendarError``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "不是 UTF-8 文本" if isinstance(exc, UnicodeDecodeError) else file_problem(exc)
        raise CalendarError(f"{path}: 无法读取：{reason}") from exc
    return parse_year_text(text, str(path), path.stem)


def parse_year_text(text: str, where: str, stem: str) -> YearSchedule:
    """One year file's text, validated; ``where`` names it in every message, ``stem`` is
    its file name without the suffix (``2027``: the year must match)."""
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise CalendarError(f"{where}: {yaml_problem(exc)}") from exc
    if not isinstance(raw, dict):
        raise CalendarError(
            f"{where}: 顶层应为映射（year / holidays / makeup_workdays / closures）"
        )
    unknown = sorted(str(k) for k in raw if k not in _TOP_KEYS)
    if unknown:
        raise CalendarError(f"{where}: 未知的键 {', '.join(unknown)}")
    year = raw.get("year")
    if type(year) is not int or not 1900 <= year <= 2200:
        raise CalendarError(f"{where}: 缺少或无效的 year（应为四位年份，实为 {year!r}）")
    if re.fullmatch(r"\d{4}", stem) and int(stem) != year:
        raise CalendarError(f"{where}: 文件名是 {stem} 年，但 year 为 {year}")
    lists = {key: _read_entries(raw.get(key), key, year, where) for key in _LIST_LABELS}
    return YearSchedule(
        year=year,
        holidays=lists["holidays"],
        makeup_workdays=lists["makeup_workdays"],
        closures=lists["closures"],
        source=where,
        official="holidays" in raw or "makeup_workdays" in raw,
    )


def _read_entries(value: Any, key: str, year: int, where: str) -> dict[date, str]:
    label = _LIST_LABELS[key]
    if value is None:
        return {}
    if not isinstance(value, list):
        raise CalendarError(f"{where}: {key} 应为列表")
    out: dict[date, str] = {}
    for i, entry in enumerate(value, start=1):
        at = f"{where}: {key} 第 {i} 项"
        if not isinstance(entry, dict):
            raise CalendarError(f"{at} 应为 {{date: YYYY-MM-DD, name: 名称}}")
        unknown = sorted(str(k) for k in entry if k not in _ENTRY_KEYS)
        if unknown:
            raise CalendarError(f"{at}: 未知的键 {', '.join(unknown)}")
        day = _as_date(entry.get("date"), at)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CalendarError(f"{at}（{day.isoformat()}）: 缺少名称 name")
        if day.year != year:
            raise CalendarError(f"{at}: {label} {day.isoformat()} 不在 {year} 年内")
        if day in out:
            raise CalendarError(f"{at}: {day.isoformat()} 重复")
        out[day] = name.strip()
    return out


def _as_date(value: Any, at: str) -> date:
    if isinstance(value, datetime):
        raise CalendarError(f"{at}: 日期 {value} 带有时刻，应只写日期")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(f"{at}: 日期无效 {value!r}（应为 YYYY-MM-DD）")


def _files_in(directory: Path) -> Iterator[Path]:
    if not directory.is_dir():
        raise CalendarError(f"{directory}: 日历目录不存在")
    yield from sorted(
        p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
    )


def load_schedules(dirs: Iterable[Path]) -> list[YearSchedule]:
    """Read every directory in order and merge them into one schedule per year.

    Within each directory, official files are applied before closure-only files, so
    a directory holding both ``2027.yaml`` and ``2027-closures.yaml`` works in any
    file order. An official file replaces a year wholesale (its author restates the
    whole notice); a closures-only file adds to whatever the year already has.
    """
    by_year: dict[int, YearSchedule] = {}
    for directory in dirs:
        loaded = [load_year_file(p) for p in _files_in(Path(directory))]
        for sched in sorted(loaded, key=lambda s: not s.official):
            current = by_year.get(sched.year)
            if sched.official or current is None:
                by_year[sched.year] = sched
            else:
                by_year[sched.year] = current.with_closures(sched.closures, sched.source)
    return [by_year[y] for y in sorted(by_year)]
