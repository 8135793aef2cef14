"""One agency's planning state: its staff, its applicants, its random stream.

Applicants come back: a new request is from someone seen before with probability
``REPEAT`` (35 %), picked in proportion to how often they have asked already (a Pólya
urn), so a few 职业申请人 file many requests and most people file one, the shape D-7
counting and the per-request fee bands (D-6) are about.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from govflow.models.org import AgencyIn, UserIn
from govflow.synth import names
from govflow.synth.names import ApplicantProfile
from govflow.workflow.actors import Role
from govflow.workflow.calendar import WorkingCalendar

REPEAT = 0.35


@dataclass(frozen=True)
class Staff:
    """Who does what in one agency (SPEC section 1); missing roles fall back to the head."""

    clerk: str
    handlers: tuple[str, ...]
    head: str

    @classmethod
    def of(cls, agency: str, users: list[UserIn]) -> Staff:
        mine = [u for u in users if u.agency == agency]
        by_role = {role: [u.username for u in mine if u.role is role] for role in Role}
        if not by_role[Role.OFFICE_HEAD]:
            raise ValueError(f"agency {agency} has no office head: replies need one to approve")
        head = by_role[Role.OFFICE_HEAD][0]
        clerk = (by_role[Role.CLERK] or by_role[Role.HANDLER] or [head])[0]
        return cls(clerk, tuple(by_role[Role.HANDLER] or [head]), head)


@dataclass
class ApplicantPool:
    """The applicants of one agency, with what each has asked for and when."""

    rng: random.Random
    people: list[ApplicantProfile] = field(default_factory=list)
    requests: list[list[tuple[date, str]]] = field(default_factory=list)
    tickets: list[int] = field(default_factory=list)  # one per request: the urn
    ids: set[str] = field(default_factory=set)

    def new(self, subkind: str | None = None, legal: bool | None = None) -> int:
        while True:
            profile = names.applicant(self.rng, subkind, legal)
            if profile.id_number not in self.ids:
                break
        self.ids.add(profile.id_number)
        self.people.append(profile)
        self.requests.append([])
        return len(self.people) - 1

    def draw(self) -> int:
        if self.tickets and self.rng.random() < REPEAT:
            return self.rng.choice(self.tickets)
        return self.new()

    def heaviest(self) -> int:
        """The applicant with most requests so far (a new one if nobody has asked yet)."""
        if not self.tickets:
            return self.new()
        return max(range(len(self.people)), key=lambda i: (len(self.requests[i]), -i))

    def record(self, who: int, received_on: date, description: str) -> None:
        self.requests[who].append((received_on, description))
        self.tickets.append(who)

    def ordinal_in_month(self, who: int, received_on: date) -> int:
        """This request's place among the applicant's requests of its month (D-6), once recorded."""
        return sum(
            1
            for day, _ in self.requests[who]
            if (day.year, day.month) == (received_on.year, received_on.month) and day <= received_on
        )

    def earlier_description(self, who: int) -> str | None:
        history = self.requests[who]
        return self.rng.choice(history)[1] if history else None


@dataclass
class AgencyPlan:
    """Everything the path builders share for one agency."""

    rng: random.Random
    cal: WorkingCalendar
    agency: AgencyIn
    staff: Staff
    pool: ApplicantPool
    county: str  # the county's name, for document numbers (青山 → 青政复〔2025〕3号)

    @property
    def short(self) -> str:
        return self.county[:1] or "本"

    def handler(self) -> str:
        return self.rng.choice(self.staff.handlers)
