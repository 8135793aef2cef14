"""The calendar kept in the database (issue 10): each imported file, and the calendar they make.

Every process counts on the same calendar: the shipped year files and an office's own
files are imported into the table ``calendar_imports`` (``govflow init`` seeds it,
``govflow calendar import FILE`` adds to it) and each process builds its
``WorkingCalendar`` from the rows, never from a directory of its own.

The rules, pure and checked here before anything is written:

* A file is a year file (``YYYY.yaml``, the State Council's schedule: holidays and make-up
  working days, closures allowed) or an office's closure days only (any other name, only
  ``closures``). Its text is UTF-8 YAML in the format of ``configs/calendar``, at most
  ``MAX_BYTES``, of a year from ``FIRST_YEAR`` to ``HORIZON_YEAR``.
* What is in force: for each year, the latest year file imported replaces the earlier
  ones (its author restates the whole notice); each closures file (by its name) is
  replaced by its latest import, and every closures file in force adds its days to its
  year, whenever it was imported.
* Importing the text already in force for that file is a no-op (``in_force``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from govflow.workflow.calendar.schedule import CalendarError, YearSchedule, parse_year_text
from govflow.workflow.calendar.working import HORIZON_YEAR, WorkingCalendar

FIRST_YEAR = 2008  # the first regulations took effect on 2008-05-01
MAX_BYTES = 256 * 1024
YEAR = "year"  # the kinds of file
CLOSURES = "closures"
KIND_LABELS = {YEAR: "年度节假日安排", CLOSURES: "本机关闭馆日"}
_NAME = re.compile(r"^[\w.\-]{1,100}\.ya?ml$")


@dataclass(frozen=True)
class CalendarFile:
    """One calendar file, read and checked: its name, kind, year, text and SHA-256."""

    name: str
    kind: str
    year: int
    text: str
    sha256: str
    schedule: YearSchedule

    @property
    def key(self) -> tuple[str, int, str]:
        """What a later import of the same file replaces: a year's schedule, or one
        closures file of a year."""
        return (self.kind, self.year, "" if self.kind == YEAR else self.name)


@dataclass(frozen=True)
class StoredCalendarFile:
    """One row of ``calendar_imports``."""

    id: int
    name: str
    kind: str
    year: int
    text: str
    sha256: str
    imported_by: str
    imported_at: datetime

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.kind, self.year, "" if self.kind == YEAR else self.name)


class CalendarStore(Protocol):
    """The table of imported calendar files (persistence implements it)."""

    def imports(self) -> list[StoredCalendarFile]:
        """Every import, oldest first."""
        ...

    def newest_id(self) -> int | None:
        """The id of the newest import (None: nothing imported yet)."""
        ...

    def add(self, file: CalendarFile, by: str, at: datetime) -> int:
        """Store one import; its id."""
        ...

    def refs_with_running_deadlines(self) -> list[str]:
        """The cases with a running or paused deadline (what a new calendar may move)."""
        ...


def parse_calendar_file(name: str, data: bytes | str) -> CalendarFile:
    """A file to import, checked whole; anything wrong raises ``CalendarError`` in zh-CN
    naming the file, the place and the problem."""
    name = name.strip()
    if not _NAME.match(name):
        raise CalendarError(
            f"日历文件名 {name!r} 无效：应为 YYYY.yaml（年度安排）或 名称.yaml（闭馆日），"
            "只含字母、数字、汉字和 _ . -"
        )
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > MAX_BYTES:
        raise CalendarError(f"{name}: 文件过大（{size} 字节，上限 {MAX_BYTES} 字节）")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CalendarError(f"{name}: 不是 UTF-8 文本") from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():  # chosen, but nothing in it: not "no file", not a YAML problem
        raise CalendarError(f"文件 {name} 是空的")
    stem = name.rsplit(".", 1)[0]
    schedule = parse_year_text(text, name, stem)
    if not FIRST_YEAR <= schedule.year <= HORIZON_YEAR:
        raise CalendarError(f"{name}: 年份 {schedule.year} 超出范围（{FIRST_YEAR}–{HORIZON_YEAR}）")
    year_file = re.fullmatch(r"\d{4}", stem) is not None
    if year_file and not schedule.holidays:
        raise CalendarError(
            f"{name}: 年度安排文件（YYYY.yaml）应列出放假日 holidays；"
            "只有闭馆日的文件请另取文件名，如 "
            f"{schedule.year}-closures.yaml"
        )
    if not year_file and (schedule.official or not schedule.closures):
        raise CalendarError(
            f"{name}: 闭馆日文件只能列出闭馆日 closures（且至少一天）；"
            f"年度节假日安排请用文件名 {schedule.year}.yaml"
        )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    kind = YEAR if year_file else CLOSURES
    return CalendarFile(name, kind, schedule.year, text, digest, schedule)


def in_force(imports: Iterable[StoredCalendarFile]) -> list[StoredCalendarFile]:
    """The imports in force: the latest of each file (year schedule, or closures file)."""
    latest: dict[tuple[str, int, str], StoredCalendarFile] = {}
    for row in sorted(imports, key=lambda r: r.id):
        latest[row.key] = row
    return sorted(latest.values(), key=lambda r: r.id)


def schedules_of(files: Sequence[tuple[str, str]]) -> list[YearSchedule]:
    """The year schedules that ``(name, text)`` files in force make: each year's file
    first, then every closures file of that year adds its days."""
    parsed = [parse_calendar_file(name, text) for name, text in files]
    by_year: dict[int, YearSchedule] = {}
    for f in parsed:
        if f.kind == YEAR:
            by_year[f.year] = f.schedule
    for f in parsed:
        if f.kind == CLOSURES:
            current = by_year.get(f.year)
            if current is None:
                by_year[f.year] = f.schedule
            else:
                by_year[f.year] = current.with_closures(f.schedule.closures, f.name)
    return [by_year[y] for y in sorted(by_year)]


def calendar_of(imports: Iterable[StoredCalendarFile]) -> WorkingCalendar:
    """The working calendar the imports make (those in force)."""
    current = in_force(imports)
    return WorkingCalendar.from_schedules(schedules_of([(r.name, r.text) for r in current]))


def already_in_force(file: CalendarFile, imports: Iterable[StoredCalendarFile]) -> bool:
    """True when exactly this text is the import in force for this file."""
    current = {r.key: r for r in in_force(imports)}
    row = current.get(file.key)
    return row is not None and row.sha256 == file.sha256


def ever_imported(file: CalendarFile, imports: Iterable[StoredCalendarFile]) -> bool:
    """True when this text of this file was imported at some time (a seed skips it, so a
    later correction by an administrator is not undone by the next ``govflow init``)."""
    return any(r.key == file.key and r.sha256 == file.sha256 for r in imports)


__all__ = [
    "CLOSURES",
    "FIRST_YEAR",
    "KIND_LABELS",
    "MAX_BYTES",
    "YEAR",
    "CalendarFile",
    "CalendarStore",
    "StoredCalendarFile",
    "already_in_force",
    "calendar_of",
    "ever_imported",
    "in_force",
    "parse_calendar_file",
    "schedules_of",
]
