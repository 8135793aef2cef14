"""The working-day calendar kept in the database (issue 10): importing a calendar file,
seeding the table, building a process's calendar from it, and noticing a new import.

``import_calendar`` is the administrator's (``govflow calendar import``, ``POST
/api/v1/calendar/imports``): the file is checked whole before anything is written, the
import and its security-log entry ``calendar_imported`` are written in one transaction,
then the deadlines of every case with a running or paused limit are recomputed on the
new calendar (``recompute_deadlines``: an event on each case whose limits move). The
same text again is a no-op. ``seed_calendar`` is ``govflow init``'s: the shipped files
and ``GOVFLOW_CALENDAR_DIR``, each text imported once. ``CalendarWatch`` keeps a
long-running process (web, sweeper, worker) on the newest calendar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import structlog

from govflow.workflow.actors import SYSTEM, Actor, Role
from govflow.workflow.calendar import CalendarError, WorkingCalendar
from govflow.workflow.calendar.imports import (
    KIND_LABELS,
    CalendarFile,
    CalendarStore,
    StoredCalendarFile,
    already_in_force,
    calendar_of,
    ever_imported,
    in_force,
    parse_calendar_file,
)
from govflow.workflow.errors import ConfigurationError, InvalidInput, NotPermitted
from govflow.workflow.identity.acting import acting_actor
from govflow.workflow.identity.ports import SecurityEntry
from govflow.workflow.identity.principal import Principal
from govflow.workflow.identity.security import SecurityAction
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.base import Services
from govflow.workflow.services.upkeep import recompute_deadlines

log = structlog.get_logger(__name__)

IMPORTED = SecurityAction.CALENDAR_IMPORTED  # the security log's action


@dataclass(frozen=True)
class CalendarImported:
    """What an import did: the file, whether it changed anything, and the change report
    (each case whose limits moved: ``{key: {from, to, provisional}}``)."""

    name: str
    kind: str
    year: int
    sha256: str
    import_id: int | None  # None: the same text was already in force, nothing written
    checked: int  # the cases whose deadlines were recomputed
    changes: list[tuple[str, dict[str, Any]]]

    @property
    def unchanged(self) -> bool:
        return self.import_id is None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class CalendarFileInForce:
    """One file of the calendar in force, as ``govflow init`` and the API list them."""

    id: int
    name: str
    kind: str
    year: int
    sha256: str
    imported_by: str
    imported_at: datetime
    imported_by_name: str = ""  # the importer's name ("" if the account is gone)

    @property
    def importer(self) -> str:
        """Who imported it, for people: 王五（wang.wu）; 系统 for the files ``init`` seeded."""
        if self.imported_by == SYSTEM.username:
            return SYSTEM.name
        if not self.imported_by_name:
            return self.imported_by
        return f"{self.imported_by_name}（{self.imported_by}）"


def _checked(name: str, data: bytes | str) -> CalendarFile:
    try:
        return parse_calendar_file(name, data)
    except CalendarError as exc:
        raise InvalidInput(f"日历文件有误，未导入：{exc}") from None


def _stored(file: CalendarFile, row_id: int, by: str, at: datetime) -> StoredCalendarFile:
    return StoredCalendarFile(
        row_id, file.name, file.kind, file.year, file.text, file.sha256, by, at
    )


def _calendar_with(
    rows: Sequence[StoredCalendarFile], new: Sequence[CalendarFile], by: str, at: datetime
) -> WorkingCalendar:
    """The calendar the imports would make with ``new`` added (refused if it cannot be)."""
    next_id = max((r.id for r in rows), default=0)
    added = [_stored(f, next_id + i, by, at) for i, f in enumerate(new, start=1)]
    try:
        return calendar_of([*rows, *added])
    except CalendarError as exc:
        raise InvalidInput(f"日历文件有误，未导入：{exc}") from None


def _record(uow: UnitOfWork, at: datetime, by: Actor, file: CalendarFile, row_id: int) -> None:
    uow.identity.record_security(
        SecurityEntry(
            at=at,
            actor=by.username,
            channel=by.channel or "system",
            action=IMPORTED,
            target=f"calendar:{file.name}"[:64],
            detail={
                "import_id": row_id,
                "name": file.name,
                "kind": file.kind,
                "year": file.year,
                "sha256": file.sha256,
            },
        )
    )
    log.info("calendar.imported", actor=by.username, file=file.name, sha256=file.sha256)


def _administrator(uow: UnitOfWork, by: Principal) -> Actor:
    if by.is_system:
        return replace(SYSTEM, channel=by.channel)
    if by.scope is not None:
        raise NotPermitted("API 令牌不能导入日历；请系统管理员登录后导入")
    actor = acting_actor(uow.repo, by)
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(f"{actor.name} 不是系统管理员，不能导入日历")
    return actor


def import_calendar(
    svc: Services,
    by: Principal,
    name: str,
    data: bytes | str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> CalendarImported:
    """Import one calendar file (an administrator), then recompute the open deadlines on
    the new calendar. Bad input: ``InvalidInput``, nothing written. Who may import is
    asked first: anyone else is refused as such (``NotPermitted``), whatever the file."""
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = _administrator(uow, by)
        file = _checked(name, data)
        store = uow.store(CalendarStore)
        rows = store.imports()
        if not rows:
            raise ConfigurationError("数据库中还没有工作日历：请先运行 govflow init")
        if already_in_force(file, rows):
            return CalendarImported(file.name, file.kind, file.year, file.sha256, None, 0, [])
        calendar = _calendar_with(rows, [file], actor.username, now)
        row_id = store.add(file, actor.username, now)
        _record(uow, now, actor, file, row_id)
        refs = store.refs_with_running_deadlines()
        uow.commit()
    on_new = replace(svc, calendar=calendar, calendar_version=row_id)
    reason = f"导入日历 {file.name}（{KIND_LABELS[file.kind]}，{file.year} 年）"
    changes = recompute_deadlines(on_new, refs, reason=reason, progress=progress)
    return CalendarImported(
        file.name, file.kind, file.year, file.sha256, row_id, len(refs), changes
    )


def seed_calendar(
    svc: Services, files: Sequence[tuple[str, bytes]], by: Actor = SYSTEM
) -> list[str]:
    """``govflow init``: import each file (shipped first, then ``GOVFLOW_CALENDAR_DIR``)
    whose text was never imported for it, in order; the names imported. A correction an
    administrator imported later is not undone by the next init; a corrected shipped file
    (a new release) is imported. A bad file stops here naming it, nothing written. When the
    table already held a calendar, the open deadlines are recomputed on the new one."""
    try:
        parsed = [parse_calendar_file(name, data) for name, data in files]
    except CalendarError as exc:
        raise ConfigurationError(f"日历文件有误：{exc}") from None
    now = svc.clock.now()
    with svc.uow() as uow:
        store = uow.store(CalendarStore)
        rows = store.imports()
        new = [f for f in parsed if not ever_imported(f, rows)]
        if not new:
            return []
        try:
            calendar = _calendar_with(rows, new, by.username, now)
        except InvalidInput as exc:
            raise ConfigurationError(str(exc)) from None
        row_id = 0
        for f in new:
            row_id = store.add(f, by.username, now)
            _record(uow, now, by, f, row_id)
        refs = store.refs_with_running_deadlines() if rows else []
        uow.commit()
    if refs:
        on_new = replace(svc, calendar=calendar, calendar_version=row_id)
        recompute_deadlines(on_new, refs, reason="初始化时导入日历文件")
    return [f.name for f in new]


def recompute_open_deadlines(
    svc: Services, *, progress: Callable[[int, int], None] | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Every case with a running or paused limit, recomputed on the calendar in force (an
    import whose recompute was interrupted is finished this way)."""
    with svc.uow() as uow:
        refs = uow.store(CalendarStore).refs_with_running_deadlines()
    return recompute_deadlines(svc, refs, reason="按在用的日历重新计算", progress=progress)


def stored_calendar(svc: Services) -> tuple[WorkingCalendar, int] | None:
    """The calendar the database holds and its newest import's id; None when nothing was
    imported yet (a database ``govflow init`` has not seeded)."""
    with svc.uow() as uow:
        rows = uow.store(CalendarStore).imports()
    if not rows:
        return None
    try:
        return calendar_of(rows), rows[-1].id
    except CalendarError as exc:  # a row edited by hand
        raise ConfigurationError(f"数据库中的工作日历有误：{exc}") from None


def calendar_files(svc: Services) -> list[CalendarFileInForce]:
    """The files of the calendar in force, oldest import first."""
    with svc.uow() as uow:
        rows = in_force(uow.store(CalendarStore).imports())
        names = {SYSTEM.username: SYSTEM.name, **uow.repo.names(r.imported_by for r in rows)}
    return [
        CalendarFileInForce(
            r.id,
            r.name,
            r.kind,
            r.year,
            r.sha256,
            r.imported_by,
            r.imported_at,
            names.get(r.imported_by, ""),
        )
        for r in rows
    ]


class CalendarWatch:
    """A long-running process's services, kept on the newest calendar: at the start of a
    request, sweep or message, ``current()`` asks for the newest import's id (at most every
    ``calendar.check_seconds``) and, when it changed, rebuilds the calendar from the
    database. Cheap: one ``SELECT max(id)`` per interval."""

    def __init__(self, svc: Services, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._svc = svc
        self._monotonic = monotonic
        self._checked: float | None = None
        self.interval = svc.config.settings.calendar.check_seconds

    @property
    def services(self) -> Services:
        """The services as last checked (no query)."""
        return self._svc

    def current(self, *, force: bool = False) -> Services:
        """``force``: look now (the page that just imported a file shows the new calendar)."""
        now = self._monotonic()
        if not force and self._checked is not None and now - self._checked < self.interval:
            return self._svc
        self._checked = now
        with self._svc.uow() as uow:
            newest = uow.store(CalendarStore).newest_id()
        if newest is not None and newest != self._svc.calendar_version:
            found = stored_calendar(self._svc)
            if found is not None:
                calendar, version = found
                self._svc = replace(self._svc, calendar=calendar, calendar_version=version)
                log.info("calendar.reloaded", import_id=version)
        return self._svc
