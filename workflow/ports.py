"""The ports of the service layer: what it needs from storage, as typed interfaces.

A use case takes a unit of work (one transaction) and reaches everything through it:
cases, agencies and users (``repo``), the escalation ladders and schedule
(``escalations``, whose ports are in ``escalation_ports``), accounts, sessions and tokens
(``identity``), and a case type's own tables (``store(Port)``, e.g. the disclosure
requests' register). The persistence layer implements them on SQLAlchemy
(``govflow.models``); its bulk writer implements the writing half in memory. Both are
checked against these protocols by the tests.

Writing use cases need only ``WritingUnitOfWork``; the reading ones need ``UnitOfWork``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from govflow.workflow.errors import InvalidInput
from govflow.workflow.escalation_ports import EscalationPlans, EscalationRepository

if TYPE_CHECKING:
    from govflow.workflow.actors import Actor, Agency
    from govflow.workflow.calendar import WorkingCalendar
    from govflow.workflow.cases import Case, CaseRecord
    from govflow.workflow.checkpoints import CheckpointRecord, CurrentHead, Head
    from govflow.workflow.deadlines import Deadline
    from govflow.workflow.escalation import Policy
    from govflow.workflow.events import CaseChain, CaseEvent, Finding, OpenFinding
    from govflow.workflow.identity.ports import IdentityStore
    from govflow.workflow.reports.periodic import CaseRecord as PeriodicRecord

T = TypeVar("T")


# -- queries -------------------------------------------------------------------------------


MAX_CASE_ID = 2**63 - 1
"""The largest id a case row can have (a signed 64-bit integer on every backend)."""


@dataclass(frozen=True, order=True)
class ListPosition:
    """Where a case stands in a list ordered by its nearest running deadline (none: last),
    then by its id: the key of keyset paging."""

    due_at: datetime | None
    case_id: int

    def encode(self) -> str:
        """An opaque cursor for the next page (``--after`` on the command line)."""
        due = self.due_at.isoformat() if self.due_at else "-"
        return f"{due}~{self.case_id}"

    @classmethod
    def decode(cls, text: str) -> ListPosition:
        """The position ``encode`` wrote. A cursor comes back from the caller, so it is
        checked as input: an id beyond the database's integers, or an instant that has no
        UTC value (``9999-12-31T23:59:59-14:00``), is refused here rather than failing in
        the driver (a 500)."""
        due, sep, case_id = text.strip().rpartition("~")
        try:
            if not sep or not (case_id.isascii() and case_id.isdigit()):
                raise ValueError(text)
            number = int(case_id)
            if number > MAX_CASE_ID:
                raise ValueError(text)
            at = None if due == "-" else datetime.fromisoformat(due)
            if at is not None:
                if at.tzinfo is None:
                    raise ValueError(text)
                at.astimezone(UTC)  # OverflowError at the ends of the calendar
            return cls(at, number)
        except (ValueError, OverflowError):
            raise InvalidInput(f"翻页位置 {text!r} 无效（请使用上一页给出的位置）") from None


@dataclass(frozen=True)
class LimitRecord:
    """One stored working-day limit of a case, with who answers for it (reports)."""

    ref: str
    case_type: str
    department: str  # the agency's name
    handler: str | None  # the assignee's name, or username
    deadline: Deadline


@dataclass(frozen=True)
class CaseQuery:
    """A list of cases as a repository answers it: which cases, in deadline order, one page.

    ``states`` maps each case type asked for to the states wanted (``None``: any state).
    """

    states: dict[str, frozenset[str] | None]
    agency_ids: Sequence[int] | None = None  # None: every agency
    assignee: str | None = None
    ref_contains: str | None = None
    outcome: str | None = None
    # The nearest running deadline's instant: ``due_after < due <= due_by`` (a limit ends at
    # 24:00 of its day, the next day's first instant; a case with no running deadline is
    # outside any due range).
    due_after: datetime | None = None
    due_by: datetime | None = None
    opened_from: datetime | None = None  # when the case was opened: from …
    opened_before: datetime | None = None  # … up to (not including)
    closed_from: datetime | None = None  # when the case left its open states: from …
    closed_before: datetime | None = None  # … up to (not including)
    channel: str | None = None
    # Lower-cased text found in the cases' searchable text, or in their personal text where
    # the case's agency is one of ``personal_agency_ids`` (``workflow.search``).
    text: str | None = None
    personal_agency_ids: Sequence[int] = ()
    after: ListPosition | None = None
    limit: int = 50
    # The instant the list is read at: an optional limit whose due instant has passed no
    # longer runs (``Deadline.is_running_at``), so it neither orders the case nor makes it
    # due or overdue. None: every stored running limit counts.
    running_at: datetime | None = None


# -- repositories --------------------------------------------------------------------------


class RowDifference(Protocol):
    """A stored row that differs from what a case's events imply (``audit verify``)."""

    table: str
    column: str
    message: str


class FindingRecord(Protocol):
    """A finding of ``audit verify``, as recorded until a later verify clears it."""

    case_ref: str
    position: int
    kind: str
    message: str
    table_name: str | None
    column_name: str | None
    found_at: datetime


class CaseWrites(Protocol):
    """Cases, agencies and users, as the writing use cases use them."""

    def actor(self, username: str) -> Actor: ...

    def prefetch(self, username: str, ref: str) -> None:
        """Read the account and the case an action is about at once (one round trip); the
        next ``actor(username)`` and ``get(ref)`` may answer from what was read."""
        ...

    def agency(self, code: str) -> Agency: ...

    def next_ref_seq(self, agency_id: int, case_type: str, year: int) -> int: ...

    def add(self, case: Case, agency_id: int, now: datetime) -> None: ...

    def get(self, ref: str) -> CaseRecord: ...

    def events(self, ref: str) -> list[CaseEvent]: ...

    def save(self, case: Case, new_events: list[CaseEvent], now: datetime) -> None: ...

    def case_id(self, ref: str) -> int: ...


class CaseRepository(CaseWrites, Protocol):
    """…and what the reading use cases ask besides."""

    def agencies(self) -> list[Agency]: ...

    def add_agency(self, code: str, name: str, ref_prefix: str, parent: str | None) -> Agency:
        """A new agency (the administrator's ``services.add_agency``)."""
        ...

    def names(self, usernames: Iterable[str]) -> dict[str, str]:
        """Display names of the users among ``usernames`` (the others are left out)."""
        ...

    def stored_deadlines(self, ref: str) -> dict[str, dict[str, Any]]: ...

    def refs_without_facts(self, after_id: int | None, limit: int) -> list[tuple[int, str]]:
        """(id, ref) of the next cases after ``after_id`` that store no facts of the current
        format (``kept_facts.FORMAT_PREFIX``)."""
        ...

    def store_facts(self, case: Case) -> bool:
        """Store the facts of a case loaded in this unit of work, leaving its version as it
        is (no action was taken); False when it changed since it was loaded."""
        ...

    def refs_with_provisional_deadlines(self) -> list[str]: ...

    def open_refs(
        self, case_type: str, states: frozenset[str], agency_ids: Sequence[int] | None = None
    ) -> list[str]: ...

    def deadline_records(
        self, case_type: str, agency_ids: Sequence[int], basis: str
    ) -> Iterator[tuple[str, Deadline]]:
        """Every stored deadline of that basis of the type's cases in these agencies."""
        ...

    def page(self, query: CaseQuery) -> list[tuple[CaseRecord, ListPosition]]:
        """One page of ``query``: each case as stored, with its position; at most ``limit``."""
        ...

    def channels(
        self, case_types: Sequence[str], agency_ids: Sequence[int] | None, limit: int
    ) -> list[str]:
        """The channels the cases of these types and agencies arrived by, sorted (a type
        whose channel is free text, as an incident's platform, has no list of its own)."""
        ...

    def declared_records(
        self,
        case_type: str,
        deadline_key: str,
        agency_ids: Sequence[int],
        open_states: frozenset[str],
    ) -> list[PeriodicRecord]:
        """A declared type's cases as its periodic reports read them (no replay)."""
        ...

    def working_day_limits(
        self, case_types: Sequence[str], agency_ids: Sequence[int]
    ) -> Iterator[LimitRecord]: ...

    def chain_batch(
        self,
        after_id: int | None,
        limit: int,
        ref: str | None = None,
        agency_ids: Sequence[int] | None = None,
        upto: int | None = None,
    ) -> list[CaseChain]:
        """Cases after ``after_id`` (up to ``upto``) with their events, the data as stored
        text: what the hash covers, hashed as it is."""
        ...

    def case_id_span(self, agency_ids: Sequence[int] | None) -> tuple[int | None, int | None]:
        """The first and last case id in scope (None, None: none)."""
        ...

    def derived_rows(self, chains: Sequence[CaseChain]) -> dict[int, Any]:
        """Each case's rows besides its events, by case id, in the storage's own shape:
        handed back to ``differences`` as they are."""
        ...

    def differences(
        self,
        case: Case,
        stored: Any,
        agency: tuple[str, str],
        policy: Policy | None,
        calendar: WorkingCalendar,
        now: datetime | None = None,
    ) -> Sequence[RowDifference]:
        """Every stored row against what the rebuilt ``case`` implies at ``now`` (pure: no
        query; an optional limit that has passed plans no rule any more)."""
        ...

    def policies_by_digest(self) -> dict[str, Policy]: ...

    def agencies_by_id(self) -> dict[int, tuple[str, str]]:
        """Every agency's (code, reference prefix), by id."""
        ...

    def sync_findings(
        self, chains: Sequence[CaseChain], found: dict[int, list[Finding]], now: datetime
    ) -> None:
        """Record what a verify found on these cases; clear what it no longer finds."""
        ...

    def open_findings(
        self, agency_ids: Sequence[int] | None, limit: int | None = None
    ) -> Sequence[FindingRecord]:
        """Open findings in these agencies (None: every agency), oldest first, at most
        ``limit`` (None: all)."""
        ...

    def case_findings(self, case_id: int) -> list[OpenFinding]:
        """The open findings on one case (its storage key), oldest first: one indexed query."""
        ...

    def flagged_cases(self, agency_ids: Sequence[int] | None) -> int:
        """How many cases of these agencies (None: every agency) have open findings."""
        ...

    def head_batch(
        self, after_id: int | None, limit: int, agency_ids: Sequence[int] | None = None
    ) -> list[tuple[int, Head]]: ...

    def current_heads(self, recorded: Sequence[Head]) -> dict[str, CurrentHead]: ...

    def record_checkpoint(
        self,
        taken_at: datetime,
        scope: dict[str, Any],
        cases: int,
        digest: str,
        actor: str | None,
    ) -> None: ...

    def checkpoints(self, limit: int) -> Sequence[CheckpointRecord]: ...


# -- units of work -------------------------------------------------------------------------


class WritingUnitOfWork(Protocol):
    """One transaction of a writing use case."""

    @property
    def repo(self) -> CaseWrites: ...

    @property
    def escalations(self) -> EscalationPlans: ...

    def store(self, port: type[T]) -> T:
        """A case type's own tables behind ``port`` (its protocol class), in this transaction."""
        ...

    def __enter__(self) -> WritingUnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def flush(self) -> None: ...

    def commit(self) -> None: ...


class UnitOfWork(WritingUnitOfWork, Protocol):
    """One transaction of any use case, reading ones included."""

    @property
    def repo(self) -> CaseRepository: ...

    @property
    def escalations(self) -> EscalationRepository: ...

    @property
    def identity(self) -> IdentityStore:
        """Accounts, sessions, API tokens and the login and security logs."""
        ...

    def __enter__(self) -> UnitOfWork: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""What ``Services.uow`` is: each call opens a fresh transaction."""
