"""What a disclosure rule sees besides the facts and the payload: the instant, the
calendar, the policy, the applicant's history (D-6, D-7), who acts, the case's documents;
and the pseudonyms by which requests of one applicant, or for the same information, are
found without storing the ID number in the keys."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from govflow.workflow.actors import Role
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.disclosure import actions as a
from govflow.workflow.documents.records import DocumentRecord
from govflow.workflow.policy import DisclosurePolicy


@dataclass(frozen=True)
class ApplicantHistory:
    """The applicant's requests, counted by the service from the database (D-6, D-7)."""

    ordinal_in_month: int = 1
    this_month: int = 1
    this_year: int = 1
    same_information: tuple[str, ...] = ()


class DeferredHistory:
    """An ``ApplicantHistory`` counted only when a rule reads it: five queries that only the
    fee notice (D-6) and the case view need, so the other actions never pay for them."""

    def __init__(self, load: Callable[[], ApplicantHistory]) -> None:
        self._load = load

    @cached_property
    def loaded(self) -> ApplicantHistory:
        return self._load()

    @property
    def ordinal_in_month(self) -> int:
        return self.loaded.ordinal_in_month

    @property
    def this_month(self) -> int:
        return self.loaded.this_month

    @property
    def this_year(self) -> int:
        return self.loaded.this_year

    @property
    def same_information(self) -> tuple[str, ...]:
        return self.loaded.same_information


@dataclass(frozen=True)
class Context:
    now: datetime
    today: date
    state: str
    calendar: WorkingCalendar
    policy: DisclosurePolicy
    history: ApplicantHistory | DeferredHistory = ApplicantHistory()
    role: Role | None = None  # who acts: on-the-spot replies are limited by role (L-1)
    documents: Mapping[int, DocumentRecord] = field(default_factory=dict)  # the case's, by no


CONSULTATION_LETTERS = ("consultation_third_party", "consultation_agency")


def applicant_key(applicant: a.Applicant) -> str:
    """A stable pseudonym of the applicant: counts requests without exposing the ID number."""
    return applicant_key_of(applicant.kind.value, applicant.id_number)


def applicant_key_of(kind: str, id_number: str) -> str:
    """The same pseudonym from the kind's code and the ID number as typed."""
    raw = f"{kind}:{id_number.strip().upper()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def description_key(text: str) -> str:
    normalized = "".join(ch for ch in text.lower() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()[:32]
