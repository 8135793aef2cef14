"""The register of disclosure requests: what this type keeps beside the shared case tables.

Each request's intake (applicant, description, channel), its receipt, reply and closure
days and its outcome, and the reconsideration and litigation records filed against it:
what counting an applicant's requests (D-6, D-7) and the reports (R-1, R-2) read. This
module declares the port (``RequestRegister``); the persistence layer implements it
(``models.disclosure_register``, and in memory for the bulk writer), and a unit of work
hands it out with ``uow.store(RequestRegister)`` (and the reports' reads with
``uow.store(RequestReports)``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from govflow.workflow.disclosure.facts import DisclosureFacts
from govflow.workflow.reports.annual import ChallengeRecord, RequestTally
from govflow.workflow.reports.timeliness import RequestLimits


@dataclass(frozen=True)
class RequestRecord:
    """One request's intake as registered (personal data: mask before showing)."""

    applicant_kind: str
    applicant_subkind: str | None
    applicant_name: str
    applicant_key: str
    id_number: str
    phone: str | None
    address: str | None
    email: str | None
    description: str
    description_key: str
    channel: str
    received_on: date
    receipt_date: date | None


ROW_FACTS = ("receipt_date", "replied_on", "closed_on", "outcome")
"""The facts the request's row keeps (``RequestRegister.update``): an action that moves
none of them leaves the row alone, unread."""

CHALLENGE_ACTIONS = ("record_reconsideration", "record_litigation")
"""The actions whose events add a record to table 四 of the annual report."""


@dataclass(frozen=True)
class ApplicantPreview:
    this_month: int
    this_year: int
    same_information: tuple[str, ...]  # reference numbers, oldest first


class RequestRegister(Protocol):
    """The disclosure requests' own tables as the use cases write and consult them, inside
    the unit of work's transaction (the bulk writer of synthetic data has one in memory)."""

    def add(self, ref: str, intake: dict[str, Any], derived: dict[str, Any]) -> None:
        """Register a new request (its creation event's input and derived keys)."""
        ...

    def update(self, ref: str, facts: DisclosureFacts) -> None:
        """Keep the receipt, reply and closure days and the outcome (``ROW_FACTS``) as the
        facts say."""
        ...

    def add_challenge(self, ref: str, seq: int, record: dict[str, Any]) -> None:
        """A reconsideration or lawsuit record (the event at ``seq`` recorded it)."""
        ...

    def request(self, ref: str) -> RequestRecord | None: ...

    def applicant_counts(self, applicant_key: str, received_on: date, ref: str) -> dict[str, int]:
        """This month's and this year's requests of the applicant, and this one's ordinal."""
        ...

    def same_information(self, applicant_key: str, description_key: str, ref: str) -> list[str]:
        """Earlier requests of the applicant for the same information (D-7)."""
        ...

    def applicant_preview(
        self, applicant_key: str, description_key: str, received_on: date, agency_id: int
    ) -> ApplicantPreview:
        """What a clerk is shown before registering (D-7, Art. 36(6)): the applicant's
        requests already registered this month and year (counted as the fee rule counts
        them), and the agency's earlier requests of the applicant for the same information."""
        ...


class RequestReports(Protocol):
    """What the reports read from the register (the database only)."""

    def annual_tallies(self, agency_ids: Sequence[int], year: int) -> list[RequestTally]:
        """The agencies' requests grouped for table 三 of the year (R-1)."""
        ...

    def challenges(self, agency_ids: Sequence[int]) -> list[ChallengeRecord]:
        """Each reconsideration or lawsuit once, by its latest record (table 四)."""
        ...

    def reply_limits(
        self, agency_ids: Sequence[int], open_states: frozenset[str]
    ) -> Iterator[RequestLimits]:
        """Every request with its reply limit, assignee and agency, streamed (R-2); a
        request in one of ``open_states`` has not been replied to yet."""
        ...


class ImportedRequests(Protocol):
    """Where imported requests came from (``govflow import requests``): one row per request,
    unique per agency by the request's identity in the sheet, so a file imported twice
    creates nothing twice."""

    def imported_refs(self, agency_id: int, keys: Sequence[str]) -> dict[str, str]:
        """The reference numbers of the requests already imported, by row key."""
        ...

    def add_imported(self, ref: str, **values: Any) -> None:
        """Record where a newly imported request came from (file, line, who, when)."""
        ...
