"""The planner (issue #5 item 5): a seed in, case scripts out, with no I/O and no database.

``plan_agency(seed, agency, users, start, end, cases)`` plans ``cases`` cases of one
agency, sorted by the instant they are opened. Each agency draws from its own stream,
seeded from (seed, agency code) by a digest (``seeds.derive_seed``), so agencies can be
planned in parallel processes, or one alone, and give the very same scripts as
``plan(seed, org, …)``, which chains the agencies in the organisation's order.

How the cases of one agency are laid out:

1. **Covering part.** The first ``len(CATALOGUE)`` cases planned (not the earliest: each
   is opened at a random instant early enough to run its whole course before ``end``)
   take every entry of ``CATALOGUE`` once: every D-8 outcome, every channel and applicant
   subkind, every side path and expiry, withdrawals from every open state, every route and
   result of reconsideration and litigation, every incident grade and path, and the three
   outcomes of online messages. With ``cases >= len(CATALOGUE)`` and at least a year
   between ``start`` and ``end``, one agency alone visits every state of every machine.
   The catalogue interleaves the case types, so a smaller plan still has all three.
2. **Random part.** The rest are drawn by weight: case types 80 % disclosure requests,
   14 % online messages, 6 % incidents; the paths within each type and their proportions
   are in the docstrings of ``paths_disclosure`` and ``plan_incident``. The first of them
   is a request opened in the last three working days before ``end`` and answered only
   after its 20 working days, so some case is always still open at the end.
3. **Truncation.** ``end`` is the last day (inclusive): a step after 24:00 of ``end`` is
   dropped, so cases opened late stay open in whatever state they reached. A prefix of
   a legal script is legal, so nothing after ``end`` is ever needed to make it consistent.

Dates must lie in the calendar's range (``configs/calendar``: 2008 on). The applicants
of different agencies are drawn independently, so the same identity number can (rarely)
turn up in two agencies; the engine counts an applicant's requests across agencies (D-6
ordinal), so such a pair must be written in the same order to give identical events.

Arrivals: in-person, post, letters and fax in office hours of working days; online forms
and e-mails in 30 % of cases at night or on days off (receipt then confirmed on the next
working day); incidents at any hour in half the cases; online messages at night or on
days off in 35 %.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from govflow.models.org import AgencyIn, OrgFile, UserIn
from govflow.synth import topics
from govflow.synth.context import AgencyPlan, ApplicantPool, Staff
from govflow.synth.paths_disclosure import CHANNELS, PATHS, RANDOM_PATHS, pick
from govflow.synth.plan_disclosure import Request
from govflow.synth.plan_incident import INCIDENT_PATHS, MESSAGE_PATHS, incident, online_message
from govflow.synth.script import DISCLOSURE, INCIDENT, ONLINE_MESSAGE, CaseScript
from govflow.synth.seeds import derive_seed
from govflow.synth.timeline import default_calendar, off_hours_time, office_time
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import end_of_day, local_date

CASE_TYPES = {DISCLOSURE: 80, ONLINE_MESSAGE: 14, INCIDENT: 6}
ANYTIME = {"online": 0.3, "email": 0.3, INCIDENT: 0.5, ONLINE_MESSAGE: 0.35}
MARGIN_DAYS = 130  # a covering case opens this long before ``end``: its whole course fits
LONG_MARGIN_DAYS = 330  # … or this long, when a reconsideration or a lawsuit follows


@dataclass(frozen=True)
class Item:
    """One entry of the covering part: a case type, a path and its options."""

    case_type: str
    path: str
    opts: dict[str, Any] = field(default_factory=dict)
    channel: str | None = None
    subkind: str | None = None  # a new legal-person applicant of this subkind
    day_off: bool = False  # arrives on a day off (online, confirmed on the next working day)


def _d(path: str, channel: str | None = None, **opts: Any) -> Item:
    subkind = opts.pop("subkind", None)
    day_off = opts.pop("day_off", False)
    return Item(DISCLOSURE, path, opts, channel, subkind, day_off)


def _challenge(route: str, result: str) -> dict[str, Any]:
    return {"archive": True, "challenge": (route, result)}


_REQUESTS: tuple[Item, ...] = (
    _d("standard", "in_person", outcome="disclosed", **_challenge("reconsideration", "upheld")),
    _d("standard", "online", outcome="partially_disclosed", archive=True),
    _d("standard", "letter", outcome="withheld.state_secret"),
    _d("standard", "registered_post", outcome="withheld.law_forbids", subkind="commercial"),
    _d("standard", "email", outcome="withheld.security_stability", subkind="research"),
    _d("standard", "fax", outcome="withheld.internal_affairs"),
    _d("standard", "online", outcome="withheld.process_info", day_off=True),
    _d("standard", "email", outcome="withheld.enforcement_file", day_off=True),
    _d("standard", "registered_post", outcome="withheld.query_matter"),
    _d("standard", "online", outcome="unavailable.not_held", subkind="other"),
    _d("standard", "letter", outcome="unavailable.needs_creation", subkind="legal_services",
       **_challenge("direct", "corrected")),
    _d("standard", "online", outcome="other.misc", **_challenge("after_reconsideration", "upheld")),
    _d("not_processed", "letter", outcome="not_processed.petition",
       **_challenge("reconsideration", "corrected")),
    _d("not_processed", "online", outcome="not_processed.duplicate"),
    _d("not_processed", "in_person", outcome="not_processed.publication",
       **_challenge("reconsideration", "other")),
    _d("not_processed", "registered_post", outcome="not_processed.excessive"),
    _d("not_processed", "email", outcome="not_processed.confirmation",
       **_challenge("direct", "pending")),
    _d("on_the_spot", "in_person", outcome="disclosed"),
    _d("on_the_spot", "in_person", outcome="not_processed.publication"),
    _d("correction", "online", submitted=True, outcome="unavailable.still_unclear"),
    _d("correction", "letter", submitted=True, **_challenge("direct", "upheld")),
    _d("correction", "email", submitted=False),
    _d("consultation", "in_person", kind="third_party", result="agreed", outcome="disclosed"),
    _d("consultation", "online", kind="third_party", result="objected",
       outcome="withheld.third_party", subkind="public_interest",
       **_challenge("reconsideration", "pending")),
    _d("consultation", "registered_post", kind="agency", result="no_reply"),
    _d("consultation", "online", kind="third_party", result="expired",
       outcome="partially_disclosed"),
    _d("consultation", "in_person", kind="agency", result="agreed", in_review=True),
    _d("two_consultations", "registered_post"),
    _d("fee", "in_person", paid=True, subkind="commercial"),
    _d("fee", "online", paid=False),
    _d("extension", "letter", **_challenge("after_reconsideration", "other")),
    _d("extension", "online", late=True),
    _d("set_reply_date", "online"),
    _d("standard", "in_person", outcome="disclosed", reject=True),
    _d("standard", "online", outcome="disclosed", late=True),
    _d("standard", "email", outcome="unavailable.not_held", late=True, reject=True),
    _d("not_processed", "online", outcome="not_processed.petition", reject=True),
    *(
        _d("withdraw", "letter" if stage == "received" else "online", stage=stage)
        for stage in (
            "received", "registered", "reviewing", "awaiting_correction",
            "handling", "consulting", "awaiting_fee", "reply_review",
        )
    ),
)  # fmt: skip


def _interleave(*groups: tuple[Item, ...]) -> tuple[Item, ...]:
    """Spread each group evenly, so that any prefix of the catalogue mixes all case types."""
    keyed = [
        ((k + 0.5) / len(g), n, item) for n, g in enumerate(groups) for k, item in enumerate(g)
    ]
    return tuple(item for _, _, item in sorted(keyed, key=lambda t: t[:2]))


CATALOGUE: tuple[Item, ...] = _interleave(
    _REQUESTS,
    tuple(Item(INCIDENT, path) for path in INCIDENT_PATHS),
    tuple(Item(ONLINE_MESSAGE, path) for path in MESSAGE_PATHS),
)


@dataclass(frozen=True)
class Arrival:
    at: datetime
    order: int
    item: Item
    burst: int | None = None  # the burst (one applicant's batch) it belongs to


def _county(agency: AgencyIn) -> str:
    return agency.name.split("县")[0] if "县" in agency.name else agency.name[:2]


class _Agency:
    def __init__(
        self,
        seed: int,
        agency: AgencyIn,
        users: list[UserIn],
        start: date,
        end: date,
        cal: WorkingCalendar,
    ) -> None:
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        self.rng = random.Random(derive_seed(seed, "agency", agency.code))
        self.start, self.end, self.cal = start, end, cal
        staff = Staff.of(agency.code, users)
        pool = ApplicantPool(self.rng)
        self.plan = AgencyPlan(self.rng, cal, agency, staff, pool, _county(agency))
        self.workdays: list[date] = []
        day = start
        while day <= end:
            if cal.is_working_day(day):
                self.workdays.append(day)
            day += timedelta(days=1)
        self.bursts: dict[int, int] = {}  # burst → applicant

    # -- when ------------------------------------------------------------------------

    def instant(self, lo: date, hi: date, anytime: float = 0.0, day_off: bool = False) -> datetime:
        rng = self.rng
        i = bisect.bisect_left(self.workdays, lo)
        j = bisect.bisect_right(self.workdays, hi)
        if day_off or rng.random() < anytime or i >= j:
            span = (hi - lo).days + 1
            day = lo + timedelta(days=rng.randrange(span))
            for _ in range(14 if day_off else 0):
                if not self.cal.is_working_day(day):
                    break
                day = lo + timedelta(days=rng.randrange(span))
            return off_hours_time(rng, day, self.cal.is_working_day(day))
        return office_time(rng, self.workdays[rng.randrange(i, j)])

    def _anytime(self, item: Item) -> float:
        key = item.channel if item.case_type == DISCLOSURE else item.case_type
        return ANYTIME.get(key or "", 0.0)

    # -- what ------------------------------------------------------------------------

    def arrivals(self, cases: int) -> list[Arrival]:
        rng, out = self.rng, []
        for item in CATALOGUE[:cases]:
            long = isinstance(item.opts.get("challenge"), tuple)
            margin = LONG_MARGIN_DAYS if long else MARGIN_DAYS
            hi = max(self.start, self.end - timedelta(days=margin))
            at = self.instant(self.start, hi, self._anytime(item), item.day_off)
            out.append(Arrival(at, len(out), item))
        pinned = len(out) < cases
        while len(out) < cases:
            if pinned:  # some case is always still open at the end
                lo = self.workdays[-3] if len(self.workdays) >= 3 else self.start
                # Replied only after its 20 working days: certainly after ``end``.
                item = _d("standard", "online", late=True)
                out.append(Arrival(self.instant(lo, self.end), len(out), item))
                pinned = False
                continue
            case_type = pick(rng, CASE_TYPES)
            if case_type == INCIDENT:
                item = Item(INCIDENT, pick(rng, INCIDENT_PATHS))
            elif case_type == ONLINE_MESSAGE:
                item = Item(ONLINE_MESSAGE, pick(rng, MESSAGE_PATHS))
            else:
                _, path, opts = rng.choices(RANDOM_PATHS, [w for w, _, _ in RANDOM_PATHS])[0]
                if path == "burst" and cases - len(out) >= 12:
                    out.extend(self.burst(min(rng.randint(12, 18), cases - len(out)), len(out)))
                    continue
                path = "standard" if path == "burst" else path
                channel = "in_person" if path == "on_the_spot" else pick(rng, CHANNELS)
                item = Item(DISCLOSURE, path, dict(opts), channel)
            out.append(
                Arrival(self.instant(self.start, self.end, self._anytime(item)), len(out), item)
            )
        return sorted(out, key=lambda a: (a.at, a.order))

    def burst(self, size: int, order: int) -> list[Arrival]:
        """A 职业申请人's batch within a few working days: the first ten are handled as usual;
        from the 11th of the month on, per-request fees, 不予处理 and D-7 dates (Art. 35)."""
        rng = self.rng
        first = self.instant(self.start, self.end)
        channel = rng.choice(("online", "registered_post", "email"))
        later = (
            _d("fee", channel, paid=rng.random() < 0.6),
            _d("not_processed", channel, outcome="not_processed.excessive"),
            _d("set_reply_date", channel),
            _d("not_processed", channel, outcome="not_processed.duplicate"),
        )
        burst_id = order
        out = []
        for k in range(size):
            item = _d("standard", channel) if k < 10 else later[k % 4]
            if k == 0:
                out.append(Arrival(first, order, item, burst_id))
                continue
            n = rng.randint(0, 2)
            day = (
                self.cal.add_working_days(local_date(first), n).due_date if n else local_date(first)
            )
            at = office_time(rng, min(day, self.end))
            out.append(Arrival(at, order + k, item, burst_id))
        return out

    # -- how -------------------------------------------------------------------------

    def applicant(self, arrival: Arrival) -> int:
        pool, item = self.plan.pool, arrival.item
        if arrival.burst is not None:
            if arrival.burst not in self.bursts:
                self.bursts[arrival.burst] = pool.new(legal=self.rng.random() < 0.4)
            return self.bursts[arrival.burst]
        if item.subkind is not None:
            return pool.new(item.subkind)
        wants_history = item.path == "set_reply_date" or item.opts.get("outcome") in (
            "not_processed.excessive",
            "not_processed.duplicate",
        )
        return pool.heaviest() if wants_history else pool.draw()

    def script(self, arrival: Arrival) -> CaseScript:
        item, at = arrival.item, arrival.at
        if item.case_type == INCIDENT:
            return incident(self.plan, at, item.path)
        if item.case_type == ONLINE_MESSAGE:
            return online_message(self.plan, at, item.path)
        pool = self.plan.pool
        who = self.applicant(arrival)
        received_on = local_date(at)
        text = None
        if item.opts.get("outcome") == "not_processed.duplicate":
            text = pool.earlier_description(who)
        if text is None:
            text = topics.description(self.rng, self.plan.agency.name, received_on.year)
        pool.record(who, received_on, text)
        request = Request(self.plan, at, item.channel or "online", who, text)
        PATHS[item.path](request, dict(item.opts))
        return request.script()


def _truncate(script: CaseScript, until: datetime) -> CaseScript:
    if not script.steps or script.steps[-1].at < until:
        return script
    steps = tuple(s for s in script.steps if s.at < until)
    return CaseScript(
        script.case_type,
        script.agency,
        script.opened_at,
        script.actor,
        script.payload,
        script.receipt_date,
        script.on_the_spot,
        steps,
    )


def plan_agency(
    seed: int,
    agency: AgencyIn,
    users: list[UserIn],
    start: date,
    end: date,
    cases: int,
    *,
    calendar: WorkingCalendar | None = None,
) -> Iterator[CaseScript]:
    """``cases`` scripts of one agency opened in ``[start, end]``, sorted by ``opened_at``.

    ``users`` may be the whole organisation's: only the agency's own staff act.
    """
    state = _Agency(seed, agency, users, start, end, calendar or default_calendar())
    until = end_of_day(end)
    for arrival in state.arrivals(cases):
        yield _truncate(state.script(arrival), until)


def plan(
    seed: int,
    org: OrgFile,
    start: date,
    end: date,
    cases_per_agency: int,
    *,
    calendar: WorkingCalendar | None = None,
) -> Iterator[CaseScript]:
    """Every agency's scripts, agency after agency in the organisation's order."""
    for agency in org.agencies:
        yield from plan_agency(
            seed, agency, org.users, start, end, cases_per_agency, calendar=calendar
        )
