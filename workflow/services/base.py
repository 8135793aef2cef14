"""What every use case shares: the wired dependencies (``Services``), loading a case, and
knowing who acts or reads and what they may read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from govflow.workflow.access import ReadScope, case_not_found, needs_tree, read_scope
from govflow.workflow.actors import SYSTEM, Actor, Agency
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case, CaseRecord
from govflow.workflow.clock import Clock
from govflow.workflow.config import Config
from govflow.workflow.errors import NotFound
from govflow.workflow.identity.acting import active_actor
from govflow.workflow.identity.passwords import PasswordHasher
from govflow.workflow.keyring import UNKEYED, Keyring
from govflow.workflow.ports import UnitOfWork, UnitOfWorkFactory
from govflow.workflow.services.listed import ListedCases

if TYPE_CHECKING:
    from govflow.workflow.documents.store import FileStore
    from govflow.workflow.notices.issue import Notices


@dataclass(frozen=True)
class Services:
    """What every use case needs, wired once at the edge (``govflow.app``): a unit of work
    per call of ``uow``, the clock, the working calendar, the configuration, the
    installation's chain keys (the MAC of every new event; none: unkeyed), the password
    hasher, the written notices the actions issue (none: a history kept without documents,
    as the synthetic data's) and the file store of notices and attachments (SPEC N-1, N-2)."""

    uow: UnitOfWorkFactory
    clock: Clock
    calendar: WorkingCalendar
    config: Config
    keyring: Keyring = UNKEYED
    # The password hasher, built once from the settings' argon2 parameters (its dummy hash,
    # spent on unknown usernames, is then made once per process); None: one per call.
    hasher: PasswordHasher | None = None

    notices: Notices | None = None
    files: FileStore | None = None
    # The newest calendar import the calendar was built from (None: built from files, or
    # given); a long-running process's ``CalendarWatch`` compares it with the database's.
    calendar_version: int | None = None
    # Units of work for use cases that only read (a list, a case page, the credentials'
    # check): without a transaction of their own, each statement sees what is committed —
    # what READ COMMITTED gives inside one anyway — and the BEGIN and the ROLLBACK, two
    # round trips of every page, are not sent. None: ``uow``.
    reads: UnitOfWorkFactory | None = None
    # Cases restored for lists, kept per stored row and calendar (``listed``); None: every
    # list restores its rows afresh.
    listed: ListedCases | None = None

    def reading(self) -> UnitOfWork:
        """A unit of work for a use case that reads (it may still write one statement, as
        the credentials' last-use stamp does: that statement commits by itself)."""
        return (self.reads or self.uow)()


def password_hasher(svc: Services) -> PasswordHasher:
    """The installation's hasher (argon2id with the settings' parameters)."""
    return svc.hasher or PasswordHasher(svc.config.settings.identity.argon2)


def load_case(svc: Services, uow: UnitOfWork, ref: str, history: bool = False) -> Case:
    """A case with its facts and deadlines as stored with its last event; with ``history``,
    its events too (``case.events``: what a view or a timeline shows)."""
    return restored(svc, uow, uow.repo.get(ref), history)


def restored(svc: Services, uow: UnitOfWork, record: CaseRecord, history: bool = False) -> Case:
    """Facts kept, not rebuilt: the case as its row stores it, only the new event is folded
    by an action. A row with no facts of the current format (written before they were
    stored) is replayed from its events instead, and the next save stores them."""
    case = Case.of_record(record, svc.config.case_types.find(record.case_type))
    if case.restore(record.facts, svc.calendar):
        if history:
            case.events = uow.repo.events(record.ref)
        return case
    return Case.replay(case, uow.repo.events(record.ref), svc.calendar)


def replayed(svc: Services, uow: UnitOfWork, record: CaseRecord) -> Case:
    """The case as its events alone imply it (how stored facts are checked)."""
    header = Case.of_record(record, svc.config.case_types.find(record.case_type))
    return Case.replay(header, uow.repo.events(record.ref), svc.calendar)


def identify(svc: Services, username: str, channel: str | None = None) -> Actor:
    """The person (or ``system``) a front end reads for, by username, with every role held;
    a locked or deactivated account reads no more than it acts (``ActionNotAllowed``)."""
    if username == SYSTEM.username:
        return replace(SYSTEM, channel=channel) if channel else SYSTEM
    with svc.uow() as uow:
        actor = active_actor(uow.repo, username)
    return replace(actor, channel=channel) if channel else actor


def agency_tree(agencies: list[Agency]) -> dict[str, str | None]:
    return {a.code: a.parent for a in agencies}


def scope_of(uow: UnitOfWork, reader: Actor) -> ReadScope:
    """The reader's scope; the agency tree is read only for a supervisor."""
    tree = agency_tree(uow.repo.agencies()) if needs_tree(reader) else None
    return read_scope(reader, tree)


def agency_ids(agencies: list[Agency], codes: frozenset[str] | None) -> list[int] | None:
    """The storage keys of the agencies ``codes`` names (None: every agency)."""
    if codes is None:
        return None
    return [a.id for a in agencies if a.code in codes]


def readable_case(
    svc: Services, uow: UnitOfWork, reader: Actor, ref: str, history: bool = True
) -> Case:
    """The case if the reader may read it; otherwise, as when it does not exist, not found.

    Every use case that acts on a case by its number looks it up here too, as its actor: a
    refusal that named the case's agency (exit 3, 403) would tell someone who may not read
    the case that it exists. Only a reader is then told what they may not do with it."""
    try:
        record = uow.repo.get(ref)
    except NotFound:
        raise case_not_found(ref) from None
    # One's own agency is always in scope: the agency tree is read only for another's case.
    foreign = reader.agency_code != record.agency_code
    if foreign and not scope_of(uow, reader).covers(record.agency_code):
        raise case_not_found(ref)
    return restored(svc, uow, record, history)
