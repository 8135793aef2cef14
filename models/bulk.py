"""The bulk writer: the service layer run against memory, its rows inserted in batches.

Playing a million cases through ``SqlUnitOfWork`` costs some ten queries an action; here
the same writing use cases (``workflow.services``) run against ``BulkUnitOfWork``, a unit
of work whose repositories keep the cases in progress in memory (cosmicpython's fake
repository, made to write), and ``BulkStore.flush`` inserts the finished ones with one
multi-row statement per table. It implements the same ports as ``SqlUnitOfWork``
(``govflow.workflow.ports.WritingUnitOfWork``, the disclosure ``RequestRegister``; the tests
check it). Rows are built by the same mapping as the real repository
(``govflow.models.rows``, ``govflow.models.disclosure_register``,
``govflow.models.escalation_repo.reconcile_schedule``), and the queries the use cases ask
(an applicant's requests this month, the same information asked before) are answered from
an index kept alongside, so the database ends up as the service layer would leave it: the
tests compare the two, row for row. The store and its flush are in ``bulk_store``; this
module holds the ports that answer the use cases from it.

Assumes no one else writes cases while it runs (it hands out case ids itself).
A use case that fails leaves the store unusable: nothing more is flushed.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import replace
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, TypeVar

from govflow.models.bulk_store import BulkStore, OpenCase, PastRequest
from govflow.models.disclosure_register import (
    challenge_values,
    new_request_row,
    request_record,
    update_request_row,
)
from govflow.models.escalation_repo import reconcile_schedule
from govflow.models.rows import case_record, new_case_row, update_case_row
from govflow.models.tables import EscalationPolicyRow
from govflow.workflow.actors import Actor, Agency
from govflow.workflow.cases import Case, CaseRecord
from govflow.workflow.disclosure.facts import DisclosureFacts
from govflow.workflow.disclosure.register import ApplicantPreview, RequestRecord, RequestRegister
from govflow.workflow.errors import NotFound
from govflow.workflow.escalation import PlannedRule, Policy
from govflow.workflow.events import CaseEvent

T = TypeVar("T")


class BulkRepository:
    """``govflow.models.repository.Repository``'s writing half (``CaseWrites``), answered from
    a ``BulkStore``."""

    def __init__(self, store: BulkStore) -> None:
        self.store = store

    def actor(self, username: str) -> Actor:
        actor = self.store.actors.get(username)
        if actor is None:
            raise NotFound(f"没有用户 {username!r}")
        return actor

    def prefetch(self, username: str, ref: str) -> None:
        """Nothing to read ahead: the store holds every account and case in memory."""

    def agency(self, code: str) -> Agency:
        agency = self.store.agencies.get(code)
        if agency is None:
            raise NotFound(f"没有代码为 {code!r} 的机关")
        return agency

    def next_ref_seq(self, agency_id: int, case_type: str, year: int) -> int:
        key = (agency_id, case_type, year)
        self.store.counters[key] = self.store.counters.get(key, 0) + 1
        self.store.changed_counters.add(key)
        return self.store.counters[key]

    def add(self, case: Case, agency_id: int, now: datetime) -> None:
        row = new_case_row(case, agency_id, now)
        row.id, self.store.next_id = self.store.next_id, self.store.next_id + 1
        row.version = 1  # what the insert sets; each save adds one, as each UPDATE does
        entry = OpenCase(row, case.agency_code)
        self.store.cases[case.ref] = self.store.by_id[row.id] = entry

    def get(self, ref: str) -> CaseRecord:
        entry = self.store.case(ref)
        return case_record(entry.row, entry.agency_code)

    def events(self, ref: str) -> list[CaseEvent]:
        return list(self.store.case(ref).events)

    def save(self, case: Case, new_events: list[CaseEvent], now: datetime) -> None:
        entry = self.store.case(case.ref)
        update_case_row(entry.row, case, now)
        entry.row.version += 1
        # As the database gives them back: instants in UTC.
        entry.events.extend(
            replace(e, occurred_at=e.occurred_at.astimezone(UTC)) for e in new_events
        )
        entry.deadlines.update((d.key, d) for d in case.deadlines)

    def case_id(self, ref: str) -> int:
        return self.store.case(ref).row.id


class BulkRequestRegister:
    """The disclosure ``RequestRegister`` of a ``BulkStore``: rows kept with their case."""

    def __init__(self, store: BulkStore) -> None:
        self.store = store

    def add(self, ref: str, intake: dict[str, Any], derived: dict[str, Any]) -> None:
        entry = self.store.case(ref)
        entry.request = new_request_row(entry.row.id, entry.row.agency_id, intake, derived)
        self.store.applicants.setdefault(entry.request.applicant_key, []).append(
            PastRequest(
                entry.request.received_on,
                entry.row.id,
                entry.request.description_key,
                ref,
                entry.row.agency_id,
            )
        )

    def update(self, ref: str, facts: DisclosureFacts) -> None:
        request = self.store.case(ref).request
        if request is not None:
            update_request_row(request, facts)

    def add_challenge(self, ref: str, seq: int, record: dict[str, Any]) -> None:
        entry = self.store.case(ref)
        entry.challenges.append(challenge_values(entry.row.id, entry.row.agency_id, seq, record))

    def request(self, ref: str) -> RequestRecord | None:
        row = self.store.case(ref).request
        return request_record(row) if row is not None else None

    def applicant_counts(self, applicant_key: str, received_on: date, ref: str) -> dict[str, int]:
        """As ``SqlRequestRegister.applicant_counts`` counts them in SQL."""
        case_id = self.store.case(ref).row.id
        past = self.store.applicants.get(applicant_key, [])
        last_day = month_calendar.monthrange(received_on.year, received_on.month)[1]
        month_start, month_end = received_on.replace(day=1), received_on.replace(day=last_day)
        in_month = [p for p in past if month_start <= p.received_on <= month_end]
        ordinal = sum(
            1
            for p in in_month
            if p.received_on < received_on
            or (p.received_on == received_on and p.case_id <= case_id)
        )
        return {
            "ordinal_in_month": ordinal or 1,
            "this_month": len(in_month),
            "this_year": sum(1 for p in past if p.received_on.year == received_on.year),
        }

    def same_information(self, applicant_key: str, description_key: str, ref: str) -> list[str]:
        past = self.store.applicants.get(applicant_key, [])
        return [
            p.ref
            for p in sorted(past, key=lambda p: p.case_id)
            if p.description_key == description_key and p.ref != ref
        ]

    def applicant_preview(
        self, applicant_key: str, description_key: str, received_on: date, agency_id: int
    ) -> ApplicantPreview:
        """As ``SqlRequestRegister.applicant_preview`` reads it in SQL."""
        past = self.store.applicants.get(applicant_key, [])
        month = (received_on.year, received_on.month)
        return ApplicantPreview(
            this_month=sum(1 for p in past if (p.received_on.year, p.received_on.month) == month),
            this_year=sum(1 for p in past if p.received_on.year == received_on.year),
            same_information=tuple(
                p.ref
                for p in sorted(past, key=lambda p: p.case_id)
                if p.description_key == description_key and p.agency_id == agency_id
            )[:50],
        )


class BulkEscalations:
    """The policy and schedule half of the escalation repository, in memory."""

    def __init__(self, store: BulkStore) -> None:
        self.store = store

    def ensure_policy(self, policy: Policy, now: datetime) -> str:
        digest = policy.digest
        if digest not in self.store.policies:
            self.store.policies[digest] = policy
            self.store.new_policies.append(
                EscalationPolicyRow(
                    digest=digest,
                    case_type=policy.case_type,
                    body=policy.model_dump(mode="json"),
                    created_at=now,
                )
            )
        return digest

    def policy(self, digest: str) -> Policy:
        found = self.store.policies.get(digest)
        if found is None:
            raise NotFound(f"没有摘要为 {digest[:12]} 的督办规则")
        return found

    def sync_schedule(self, case_id: int, planned: list[PlannedRule]) -> None:
        reconcile_schedule(self.store.by_id[case_id].schedule, case_id, planned)

    def update_schedule(
        self, case_id: int, planned: list[PlannedRule], unplanned: list[tuple[str, str]]
    ) -> None:
        """The rows are in memory: reconciled whole (what the database's statement does)."""
        self.sync_schedule(case_id, planned)


class BulkUnitOfWork:
    """A unit of work over a ``BulkStore`` (``WritingUnitOfWork``): commit is the store's
    business (``flush``)."""

    def __init__(self, bulk: BulkStore) -> None:
        self.bulk = bulk
        self.repo = BulkRepository(bulk)
        self.escalations = BulkEscalations(bulk)
        self._stores: dict[type, Any] = {RequestRegister: BulkRequestRegister(bulk)}

    def store(self, port: type[T]) -> T:
        return self._stores[port]  # type: ignore[no-any-return]

    def __enter__(self) -> BulkUnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Memory cannot be rolled back: a failed use case stops the whole bulk write.
        if exc is not None:
            self.bulk.broken = True

    def flush(self) -> None:
        pass

    def commit(self) -> None:
        pass
