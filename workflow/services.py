"""Use cases: small functions that load a case, apply one change, and commit (service layer).

Each takes a unit of work (``govflow.models.uow.SqlUnitOfWork`` in production, anything with
the same shape in tests), the clock and the calendar: every side effect is injected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from govflow.workflow import escalation
from govflow.workflow.actors import STATUS_LABELS, AccountStatus, Actor, Role
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case, Issue
from govflow.workflow.clock import Clock, local_date
from govflow.workflow.declared import Context as DeclaredContext
from govflow.workflow.disclosure.actions import RECEIPT_ON_ARRIVAL
from govflow.workflow.disclosure.rules import ApplicantHistory, Context
from govflow.workflow.documents.store import FileStore
from govflow.workflow.errors import ActionNotAllowed, DamagedHistory, GovflowError
from govflow.workflow.escalation import current_policies
from govflow.workflow.events import UNKEYED, CaseEvent, Keyring
from govflow.workflow.identity.acting import acting_actor, check_scope
from govflow.workflow.identity.principal import Principal
from govflow.workflow.identity.settings import IdentitySettings
from govflow.workflow.policy import load_settings
from govflow.workflow.registry import workflow

if TYPE_CHECKING:
    from govflow.workflow.notices.issue import Notices

log = structlog.get_logger(__name__)

DISCLOSURE = "disclosure_request"


class UnitOfWork(Protocol):
    repo: Any
    escalations: Any
    identity: Any  # govflow.workflow.identity.ports.IdentityStore

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def flush(self) -> None: ...
    def commit(self) -> None: ...


@dataclass(frozen=True)
class Services:
    """What every use case needs, wired once at the edge (CLI, worker, tests).

    ``notices`` issues the written notices of the actions that require them (none: the
    case's history is kept without documents, as for synthetic data); ``files`` is the
    file store of notices and attachments.
    """

    uow: Any  # a callable returning a fresh UnitOfWork
    clock: Clock
    calendar: WorkingCalendar
    keyring: Keyring = UNKEYED  # the installation's chain keys (MACs of new events)
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    notices: Notices | None = None
    files: FileStore | None = None


def _issuer(svc: Services, uow: UnitOfWork, case: Case, action: str) -> Issue | None:
    """The notice hook for an action that issues notices (a set lookup for all others)."""
    if svc.notices is None or not svc.notices.issues(case.case_type, action):
        return None
    return svc.notices.issuer(uow.repo, svc.calendar, local_date(svc.clock.now()))


def _context(
    svc: Services, case: Case, repo: Any, actor: Actor | None = None, action: str | None = None
) -> Context | DeclaredContext:
    """The facts the rules read; ``role`` is the one ``actor`` takes ``action`` in (a user
    with several roles acts in the least senior the action allows, as ``Case.act`` records)."""
    now = svc.clock.now()
    if case.case_type != DISCLOSURE:
        return DeclaredContext(
            now, local_date(now), case.state or "", svc.calendar, load_settings()
        )
    history = ApplicantHistory()
    if case.state is not None:
        request = repo.request(case.ref)
        if request is not None:
            counts = repo.applicant_counts(request.applicant_key, request.received_on, case.ref)
            same = tuple(
                repo.same_information(request.applicant_key, request.description_key, case.ref)
            )
            history = ApplicantHistory(same_information=same, **counts)
    return Context(
        now=now,
        today=local_date(now),
        state=case.state or "",
        calendar=svc.calendar,
        policy=load_settings().disclosure,
        history=history,
        role=_acting_role(case, actor, action),
        documents=case.documents,
    )


def _acting_role(case: Case, actor: Actor | None, action: str | None) -> Role | None:
    if actor is None:
        return None
    spec = case.workflow.case_type.actions.get(action or "")
    return actor.acting_as(spec.roles).role if spec is not None else actor.role


def _load(svc: Services, repo: Any, ref: str) -> Case:
    header = repo.get(ref)
    return Case.replay(header, repo.events(ref), svc.calendar)


def _check_agency(actor: Actor, case: Case) -> None:
    if actor.role is not Role.SYSTEM and actor.agency_code != case.agency_code:
        raise ActionNotAllowed(f"{actor.name} 不属于本案所属机关（{case.agency_code}），不能办理")


def _create(
    svc: Services,
    uow: UnitOfWork,
    case_type: str,
    agency_code: str,
    principal: Principal,
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
    actor = acting_actor(repo, principal)
    agency = repo.agency(agency_code)
    if actor.agency_code != agency_code:
        raise ActionNotAllowed(f"{actor.name} 不属于机关 {agency_code}，不能为其登记")
    case = Case(ref="", case_type=case_type, agency_code=agency_code)
    check_scope(principal, case.workflow.case_type.create, agency_code)
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
        _context(svc, case, repo, actor, create),
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
    principal: Principal,
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
            principal,
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
                _context(svc, case, repo, actor, "confirm_receipt"),
                _issuer(svc, uow, case, "confirm_receipt"),
            )
        if on_the_spot is not None:
            case.act(
                "reply_on_the_spot",
                on_the_spot,
                actor,
                now,
                svc.calendar,
                _context(svc, case, repo, actor, "reply_on_the_spot"),
                _issuer(svc, uow, case, "reply_on_the_spot"),
            )
        save(svc, uow, case, case.events, now)
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
    principal: Principal,
    payload: dict[str, Any],
) -> str:
    """Create a case of any type by its creation action (X-1); returns its reference number,
    ``<agency prefix><type prefix>〔year〕NNNN号`` (e.g. 示政办留言〔2026〕0001号)."""
    if case_type == DISCLOSURE:  # its intake also fills the requests table (D-1, D-6, D-7)
        return register_request(svc, agency_code=agency_code, principal=principal, intake=payload)
    now = svc.clock.now()
    with svc.uow() as uow:
        case, actor, _, _ = _create(
            svc,
            uow,
            case_type,
            agency_code,
            principal,
            payload,
            lambda parsed: local_date(now).year,
        )
        save(svc, uow, case, case.events, now)
        uow.commit()
    _log_registered(case, actor)
    return case.ref


def act(
    svc: Services,
    *,
    ref: str,
    action: str,
    payload: dict[str, Any],
    principal: Principal,
) -> CaseEvent:
    """Apply one action to a case, as a user (or ``system``), in one transaction."""
    with svc.uow() as uow:
        event = apply_action(svc, uow, ref, action, payload, principal)
        uow.commit()
    return event


def apply_action(
    svc: Services,
    uow: UnitOfWork,
    ref: str,
    action: str,
    payload: dict[str, Any],
    principal: Principal,
) -> CaseEvent:
    """The body of ``act`` inside a caller's unit of work (the sweeper's expiries use it)."""
    repo = uow.repo
    actor = acting_actor(repo, principal)
    case = _load(svc, repo, ref)
    _check_agency(actor, case)
    check_scope(principal, action, case.agency_code)
    name = payload.get("assignee") if action == "assign" else None
    # A missing or blank assignee is left to the payload check ("field required").
    if isinstance(name, str) and name.strip():
        assignee = repo.actor(name.strip())
        if assignee.agency_code != case.agency_code or not assignee.has_role(
            Role.HANDLER, Role.OFFICE_HEAD
        ):
            raise ActionNotAllowed(f"{assignee.name} 不是本机关的经办人或负责人")
        if assignee.status is not AccountStatus.ACTIVE:
            raise ActionNotAllowed(
                f"{assignee.name} 的账户{STATUS_LABELS[assignee.status]}，不能指定"
            )
    before = len(case.events)
    now = svc.clock.now()
    context = _context(svc, case, repo, actor, action)
    case.act(action, payload, actor, now, svc.calendar, context, _issuer(svc, uow, case, action))
    save(svc, uow, case, case.events[before:], now)
    event = case.events[-1]  # as sealed
    log.info(
        "case.action",
        case_ref=ref,
        action=action,
        state_before=event.state_before,
        state_after=event.state_after,
        actor=actor.username,
        channel=actor.channel,
        seq=event.seq,
    )
    return event


def save(
    svc: Services, uow: UnitOfWork, case: Case, new_events: list[CaseEvent], now: datetime
) -> None:
    """Write a changed case and bring its escalation schedule in line with its deadlines.

    The new events are sealed here with the installation key (a MAC each, CPU only), so
    every writer — an action, a sweep's expiry, a recompute, the bulk generator — keys them.
    """
    sealed = [svc.keyring.seal(e) for e in new_events]
    if sealed and new_events:
        case.events[len(case.events) - len(new_events) :] = sealed
    new_events = sealed
    uow.repo.save(case, new_events, now)
    if case.escalation_policy is not None:
        policy = uow.escalations.policy(case.escalation_policy)
        planned = escalation.plan(case.deadlines, policy, svc.calendar)
        uow.escalations.sync_schedule(uow.repo.case_id(case.ref), planned)


def load_case(svc: Services, uow: UnitOfWork, ref: str) -> Case:
    """A case with its facts and deadlines rebuilt from its events."""
    return _load(svc, uow.repo, ref)


@dataclass
class CaseView:
    case: Case
    request: Any
    history: ApplicantHistory


def get_case(svc: Services, ref: str) -> CaseView:
    with svc.uow() as uow:
        case = _load(svc, uow.repo, ref)
        context = _context(svc, case, uow.repo)
        history = getattr(context, "history", ApplicantHistory())  # disclosure requests only
        return CaseView(case, uow.repo.request(ref), history)


def open_cases(
    svc: Services, agency_code: str | None = None, case_type: str = DISCLOSURE
) -> list[Case]:
    """Open cases of one type (for requests: not yet replied or closed), least time left first."""
    with svc.uow() as uow:
        agency_ids = None
        if agency_code is not None:
            agency_ids = [uow.repo.agency(agency_code).id]
        open_states = workflow(case_type).case_type.open_states
        cases = []
        for ref in uow.repo.open_refs(case_type, open_states, agency_ids):
            try:
                cases.append(_load(svc, uow.repo, ref))
            except DamagedHistory as exc:  # one damaged case must not hide all the others
                log.error("case.damaged", case_ref=ref, position=exc.position, cause=exc.reason)
    return sorted(cases, key=_time_left_key)


def _time_left_key(case: Case) -> tuple[int, str]:
    nearest = case.next_deadline
    return (0, nearest.due_at.isoformat()) if nearest and nearest.due_at else (1, case.ref)


def check_projection(svc: Services, ref: str) -> list[str]:
    """Differences between stored deadline rows and those rebuilt from the events (should be none)."""
    with svc.uow() as uow:
        case = _load(svc, uow.repo, ref)
        stored = uow.repo.stored_deadlines(ref)
    rebuilt = {d.key: d.to_json() for d in case.deadlines}
    return [
        key for key in sorted(set(stored) | set(rebuilt)) if stored.get(key) != rebuilt.get(key)
    ]


def recompute_deadlines(svc: Services) -> list[tuple[str, dict[str, Any]]]:
    """T-4: after a calendar update, recompute provisional deadlines and record each change."""
    changed: list[tuple[str, dict[str, Any]]] = []
    with svc.uow() as uow:
        refs = uow.repo.refs_with_provisional_deadlines()
    for ref in refs:
        with svc.uow() as uow:
            case = _load(svc, uow.repo, ref)
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
            before = len(case.events)
            case.record_system_event(
                "deadlines_recomputed",
                {"changes": changes, "reason": "节假日安排更新"},
                now,
                svc.calendar,
            )
            save(svc, uow, case, case.events[before:], now)
            uow.commit()
            changed.append((ref, changes))
            log.info("deadlines.recomputed", case_ref=ref, keys=sorted(changes))
    return changed


__all__ = [
    "GovflowError",
    "Services",
    "act",
    "get_case",
    "open_case",
    "open_cases",
    "register_request",
]
