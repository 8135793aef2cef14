"""Use cases: small functions that load a case, apply one change, and commit (service layer).

Each takes a unit of work (``govflow.models.uow.SqlUnitOfWork`` in production, anything with
the same shape in tests), the clock and the calendar: every side effect is injected.

An action loads the case's stored facts and folds only its own event; what it reads beyond
the case (the applicant's earlier requests) is fetched only if a rule asks for it. Replaying
the whole history is for checking (``check_projection``) and for facts not stored yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import structlog

from govflow.workflow import escalation
from govflow.workflow.actors import SYSTEM, Actor, Role
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case
from govflow.workflow.clock import Clock, local_date
from govflow.workflow.declared import Context as DeclaredContext
from govflow.workflow.disclosure.actions import RECEIPT_ON_ARRIVAL
from govflow.workflow.disclosure.rules import ApplicantHistory, Context, DeferredHistory
from govflow.workflow.errors import ActionNotAllowed, GovflowError
from govflow.workflow.escalation import current_policies
from govflow.workflow.events import CaseEvent
from govflow.workflow.policy import load_settings
from govflow.workflow.registry import workflow

log = structlog.get_logger(__name__)

DISCLOSURE = "disclosure_request"


class UnitOfWork(Protocol):
    repo: Any
    escalations: Any

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def single_write(self) -> None: ...
    def flush(self) -> None: ...
    def commit(self) -> None: ...


@dataclass(frozen=True)
class Services:
    """What every use case needs, wired once at the edge (CLI, worker, tests)."""

    uow: Any  # a callable returning a fresh UnitOfWork
    clock: Clock
    calendar: WorkingCalendar


def _context(
    svc: Services, case: Case, repo: Any, actor: Actor | None = None
) -> Context | DeclaredContext:
    now = svc.clock.now()
    if case.case_type != DISCLOSURE:
        return DeclaredContext(
            now, local_date(now), case.state or "", svc.calendar, load_settings()
        )
    history: ApplicantHistory | DeferredHistory = ApplicantHistory()
    if case.state is not None:
        ref = case.ref
        history = DeferredHistory(lambda: _applicant_history(repo, ref))
    return Context(
        now=now,
        today=local_date(now),
        state=case.state or "",
        calendar=svc.calendar,
        policy=load_settings().disclosure,
        history=history,
        role=actor.role if actor is not None else None,
    )


def _applicant_history(repo: Any, ref: str) -> ApplicantHistory:
    """The applicant's earlier requests (D-6, D-7): five queries, run only when read."""
    request = repo.request(ref)
    if request is None:
        return ApplicantHistory()
    counts = repo.applicant_counts(request.applicant_key, request.received_on, ref)
    same = tuple(repo.same_information(request.applicant_key, request.description_key, ref))
    return ApplicantHistory(same_information=same, **counts)


def _load(svc: Services, repo: Any, ref: str) -> Case:
    """The case with the facts stored with its last event; replayed from its events only
    when none of the current format are stored (they are then written by the next save)."""
    case, stored = repo.load(ref)
    if not case.restore(stored, svc.calendar):
        Case.replay(case, repo.events(ref), svc.calendar)
        case.loaded_state = None  # nothing stored to compare with: the save writes it all
    return case


def _check_agency(actor: Actor, case: Case) -> None:
    if actor.role is not Role.SYSTEM and actor.agency_code != case.agency_code:
        raise ActionNotAllowed(f"{actor.name} 不属于本案所属机关（{case.agency_code}），不能办理")


def _create(
    svc: Services,
    uow: UnitOfWork,
    case_type: str,
    agency_code: str,
    actor_username: str,
    payload: dict[str, Any],
    year_of: Any,
) -> tuple[Case, Actor, Any, CaseEvent]:
    """The part of opening a case every type shares: who may, the policy in force, the number.

    The input is validated before the number is taken, and the number is taken inside the
    transaction, so a refused case uses no number. ``year_of(parsed input)`` is the year the
    number belongs to. Returns the case, the actor, the parsed input and the creation event.
    """
    now = svc.clock.now()
    repo = uow.repo
    actor = repo.actor(actor_username)
    agency = repo.agency(agency_code)
    if actor.agency_code != agency_code:
        raise ActionNotAllowed(f"{actor.name} 不属于机关 {agency_code}，不能为其登记")
    case = Case(ref="", case_type=case_type, agency_code=agency_code)
    case.facts = case.workflow.new_facts()
    case.escalation_policy = _policy_digest(uow, case, now)
    create = case.workflow.create
    parsed = case.parse(create, payload, local_date(now).isoformat())
    year = year_of(parsed)
    seq = repo.next_ref_seq(agency.id, case_type, year)
    case.ref = f"{agency.ref_prefix}{case.workflow.case_type.ref_prefix}〔{year}〕{seq:04d}号"
    event = case.act(
        create,
        parsed.model_dump(mode="json"),
        actor,
        now,
        svc.calendar,
        _context(svc, case, repo, actor),
    )
    repo.add(case, agency.id, now)
    uow.flush()
    return case, actor, parsed, event


def _log_registered(case: Case, actor: Actor) -> None:
    log.info(
        "case.registered",
        case_ref=case.ref,
        case_type=case.case_type,
        agency=case.agency_code,
        state=case.state,
        actor=actor.username,
    )


def register_request(
    svc: Services,
    *,
    agency_code: str,
    actor_username: str,
    intake: dict[str, Any],
    receipt_date: date | None = None,
    on_the_spot: dict[str, Any] | None = None,
) -> str:
    """登记 (D-1, D-2): create the case; confirm receipt at once when the date is known.

    A request handed in person is received the day it is handed in, and one sent by
    registered post the day the office signed for it (Art. 31: its ``received_on``); other
    channels wait in ``received`` until the receipt is confirmed with the applicant, unless
    ``receipt_date`` is given. The number belongs to the year the request arrived.
    """
    now = svc.clock.now()
    with svc.uow() as uow:
        repo = uow.repo
        case, actor, intake_payload, event = _create(
            svc,
            uow,
            DISCLOSURE,
            agency_code,
            actor_username,
            intake,
            lambda parsed: parsed.received_on.year,
        )
        repo.add_request(case, event.data["payload"], event.data["derived"])
        uow.flush()
        if receipt_date is None and intake_payload.channel in RECEIPT_ON_ARRIVAL:
            receipt_date = intake_payload.received_on
        if receipt_date is not None:
            case.act(
                "confirm_receipt",
                {"receipt_date": receipt_date.isoformat()},
                actor,
                now,
                svc.calendar,
                _context(svc, case, repo, actor),
            )
        if on_the_spot is not None:
            case.act(
                "reply_on_the_spot",
                on_the_spot,
                actor,
                now,
                svc.calendar,
                _context(svc, case, repo, actor),
            )
        save(svc, uow, case, now)
        uow.commit()
    _log_registered(case, actor)
    return case.ref


def _policy_digest(uow: UnitOfWork, case: Case, now: datetime) -> str | None:
    """E-1: the ladder in force for a new case, stored by digest (none if the type has none)."""
    name = case.workflow.escalation
    if name is None:
        return None
    return uow.escalations.ensure_policy(current_policies()[name], now)


def open_case(
    svc: Services,
    *,
    case_type: str,
    agency_code: str,
    actor_username: str,
    payload: dict[str, Any],
) -> str:
    """Create a case of any type by its creation action (X-1); returns its reference number,
    ``<agency prefix><type prefix>〔year〕NNNN号`` (e.g. 示政办留言〔2026〕0001号)."""
    if case_type == DISCLOSURE:  # its intake also fills the requests table (D-1, D-6, D-7)
        return register_request(
            svc, agency_code=agency_code, actor_username=actor_username, intake=payload
        )
    now = svc.clock.now()
    with svc.uow() as uow:
        case, actor, _, _ = _create(
            svc,
            uow,
            case_type,
            agency_code,
            actor_username,
            payload,
            lambda parsed: local_date(now).year,
        )
        save(svc, uow, case, now)
        uow.commit()
    _log_registered(case, actor)
    return case.ref


def act(
    svc: Services,
    *,
    ref: str,
    action: str,
    payload: dict[str, Any],
    actor_username: str,
) -> CaseEvent:
    """Apply one action to a case, as a user (or ``system``), atomically."""
    with svc.uow() as uow:
        uow.single_write()  # its writes are one statement: no transaction needed around it
        event = apply_action(svc, uow, ref, action, payload, actor_username)
        uow.commit()
    return event


def apply_action(
    svc: Services,
    uow: UnitOfWork,
    ref: str,
    action: str,
    payload: dict[str, Any],
    actor_username: str,
) -> CaseEvent:
    """The body of ``act`` inside a caller's unit of work (the sweeper's expiries use it)."""
    repo = uow.repo
    # The case first: the statement that loads it tells whether cached users are current.
    case = _load(svc, repo, ref)
    actor = SYSTEM if actor_username == SYSTEM.username else repo.actor(actor_username)
    _check_agency(actor, case)
    name = payload.get("assignee") if action == "assign" else None
    # A missing or blank assignee is left to the payload check ("field required").
    if isinstance(name, str) and name.strip():
        assignee = repo.actor(name.strip())
        if assignee.agency_code != case.agency_code or assignee.role not in (
            Role.HANDLER,
            Role.OFFICE_HEAD,
        ):
            raise ActionNotAllowed(f"{assignee.name} 不是本机关的经办人或负责人")
    now = svc.clock.now()
    event = case.act(action, payload, actor, now, svc.calendar, _context(svc, case, repo, actor))
    save(svc, uow, case, now)
    log.info(
        "case.action",
        case_ref=ref,
        action=action,
        state_before=event.state_before,
        state_after=event.state_after,
        actor=actor.username,
        seq=event.seq,
    )
    return event


def save(svc: Services, uow: UnitOfWork, case: Case, now: datetime) -> None:
    """Write a changed case (the events recorded since it was loaded) and bring its
    escalation schedule in line with its deadlines."""
    schedule = None
    if case.escalation_policy is not None:
        policy = uow.escalations.policy(case.escalation_policy)
        planned = escalation.plan(case.deadlines, policy, svc.calendar)
        schedule = uow.escalations.schedule_changes(
            uow.repo.case_id(case.ref), planned, uow.repo.loaded_schedule(case.ref)
        )
    uow.repo.save(case, case.new_events, now, schedule)
    case.new_events = []


def load_case(svc: Services, uow: UnitOfWork, ref: str, history: bool = False) -> Case:
    """A case with its facts and deadlines as stored with its last event; with ``history``,
    its events too (``case.events``)."""
    case = _load(svc, uow.repo, ref)
    if history and not case.events:
        case.events = uow.repo.events(ref)
    return case


@dataclass
class CaseView:
    case: Case
    request: Any
    history: ApplicantHistory | DeferredHistory  # read only by the views that show it


def get_case(svc: Services, ref: str) -> CaseView:
    """A case to show: its stored facts, its events, and its deadlines as the current
    calendar counts them (with their explanations)."""
    with svc.uow() as uow:
        case = load_case(svc, uow, ref, history=True)
        case.deadlines = case.facts.computed_deadlines(svc.calendar)
        request = uow.repo.request(ref) if case.case_type == DISCLOSURE else None
    history: ApplicantHistory | DeferredHistory = ApplicantHistory()
    if request is not None:
        history = DeferredHistory(lambda: _history_of(svc, ref))
    return CaseView(case, request, history)


def _history_of(svc: Services, ref: str) -> ApplicantHistory:
    with svc.uow() as uow:
        uow.repo.get(ref)
        return _applicant_history(uow.repo, ref)


LIST_PAGE = 50


@dataclass(frozen=True)
class CasePage:
    """One page of a list view, and where the next one starts (None: this was the last)."""

    cases: list[Case]
    next_after: tuple[int, datetime | None, int] | None


def list_open(
    svc: Services,
    case_type: str = DISCLOSURE,
    agency_code: str | None = None,
    after: tuple[int, datetime | None, int] | None = None,
    limit: int = LIST_PAGE,
) -> CasePage:
    """Open cases of one type (for requests: not yet replied or closed), least time left
    first, a page at a time: each case as stored with its last event, one query a page."""
    with svc.uow() as uow:
        agency_ids = None
        if agency_code is not None:
            agency_ids = [uow.repo.agency(agency_code).id]
        open_states = workflow(case_type).case_type.open_states
        listed = uow.repo.list_cases(case_type, open_states, agency_ids, after, limit + 1)
        cases = []
        for item in listed[:limit]:
            case = item.case
            if not case.restore(item.stored, svc.calendar):  # not stored yet: the long way
                case = _load(svc, uow.repo, case.ref)
            cases.append(case)
    more = len(listed) > limit
    return CasePage(cases, listed[limit - 1].cursor if more else None)


def open_cases(
    svc: Services, agency_code: str | None = None, case_type: str = DISCLOSURE
) -> list[Case]:
    """Every open case of one type, least time left first (streamed a page at a time)."""
    found: list[Case] = []
    after = None
    while True:
        page = list_open(svc, case_type, agency_code, after, limit=500)
        found += page.cases
        if page.next_after is None:
            return found
        after = page.next_after


def check_projection(svc: Services, ref: str) -> list[str]:
    """What differs from a rebuild from the events (should be nothing): the deadlines whose
    stored row or stored computation differs, by key, and the other facts by name."""
    with svc.uow() as uow:
        case, stored_facts = uow.repo.load(ref)
        events = uow.repo.events(ref)
        stored = uow.repo.stored_deadlines(ref)
    rebuilt = Case.replay(
        Case(ref=case.ref, case_type=case.case_type, agency_code=case.agency_code),
        events,
        svc.calendar,
    )
    rows = {d.key: d.to_json() for d in rebuilt.deadlines}
    found = {key for key in set(stored) | set(rows) if stored.get(key) != rows.get(key)}
    if not case.restore(stored_facts, svc.calendar):
        found.add("facts")  # none stored with the last event
    else:
        found |= set(case.facts_differences(rebuilt))
    if (case.head_seq, case.head_hash) != (rebuilt.head_seq, rebuilt.head_hash):
        found.add("head")
    return sorted(found)


def recompute_deadlines(svc: Services) -> list[tuple[str, dict[str, Any]]]:
    """T-4: after a calendar update, recompute provisional deadlines and record each change."""
    changed: list[tuple[str, dict[str, Any]]] = []
    with svc.uow() as uow:
        refs = uow.repo.refs_with_provisional_deadlines()
    for ref in refs:
        with svc.uow() as uow:
            case = _load(svc, uow.repo, ref)
            case.deadlines = case.facts.computed_deadlines(svc.calendar)  # today's calendar
            stored = uow.repo.stored_deadlines(ref)
            changes = {
                d.key: {
                    "from": stored.get(d.key, {}).get("due_date"),
                    "to": d.to_json()["due_date"],
                    "provisional": d.provisional,
                }
                for d in case.deadlines
                if stored.get(d.key, {}).get("due_date") != d.to_json()["due_date"]
                or stored.get(d.key, {}).get("provisional") != d.provisional
            }
            if not changes:
                continue
            now = svc.clock.now()
            case.record_system_event(
                "deadlines_recomputed",
                {"changes": changes, "reason": "节假日安排更新"},
                now,
                svc.calendar,
            )
            save(svc, uow, case, now)
            uow.commit()
            changed.append((ref, changes))
            log.info("deadlines.recomputed", case_ref=ref, keys=sorted(changes))
    return changed


__all__ = [
    "GovflowError",
    "Services",
    "act",
    "get_case",
    "list_open",
    "open_case",
    "open_cases",
    "register_request",
]
