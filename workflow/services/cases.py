"""Writing use cases: open a case, act on it, and save it (events sealed, schedule kept).

Each loads what it needs in one unit of work, applies one change through the ``Case``
aggregate, saves and commits. Nothing here names a case type or an action: what differs
between types comes from the case's contract (``case.workflow``). Bringing stored cases
back in step with their events (a check, facts filled, deadlines recomputed) is in
``services.upkeep``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel

from govflow.workflow import case_workers, escalation
from govflow.workflow.actors import Actor, Agency, Role
from govflow.workflow.cases import Case, Issue
from govflow.workflow.clock import local_date
from govflow.workflow.contract import Step, Workflow
from govflow.workflow.errors import (
    Conflict,
    NotPermitted,
    StaleVersion,
)
from govflow.workflow.events import CaseEvent
from govflow.workflow.identity.acting import acting_actor, check_scope
from govflow.workflow.identity.principal import Principal
from govflow.workflow.lawful import refused
from govflow.workflow.ports import WritingUnitOfWork
from govflow.workflow.services.base import Services, load_case, readable_case
from govflow.workflow.services.reading import CaseDetail, detail_in

log = structlog.get_logger(__name__)
T = TypeVar("T")


def _check_agency(uow: WritingUnitOfWork, actor: Actor, case: Case) -> None:
    """Only the case's own agency works it. Someone who may not even read the case never
    gets here (``readable_case``: not found); this refuses a reader from elsewhere, a
    supervisor above, naming the agency as people read it (the case brought it along)."""
    if actor.role is not Role.SYSTEM and actor.agency_code != case.agency_code:
        agency = uow.repo.agency(case.agency_code).name
        raise NotPermitted(f"{actor.name} 不属于本案所属机关（{agency}），不能办理")


def _context(
    svc: Services, uow: WritingUnitOfWork, case: Case, now: datetime, actor: Actor, action: str
) -> Any:
    """What the type's guards read; the actor in the role it takes ``action`` in (a user with
    several roles acts in the least senior the action allows, as ``Case.act`` records)."""
    spec = case.workflow.case_type.actions.get(action)
    acting = actor.acting_as(spec.roles) if spec is not None else actor
    return case.workflow.context(case, now, svc.calendar, uow, acting)


def _check_people(
    uow: WritingUnitOfWork, case: Case, action: str, payload: Mapping[str, Any]
) -> None:
    """Each input field naming someone to work the case (marked ``CASE_WORKER``) names an
    active handler or head of the case's agency (a person, not a service account); anyone
    else is refused beside the field. A missing or blank one is left to the payload check
    ("必填")."""
    model = case.workflow.payloads.get(action)
    for field in case_workers.worker_fields(model) if model is not None else ():
        name = payload.get(field)
        if not isinstance(name, str) or not name.strip():
            continue
        why = case_workers.assignee_refusal(uow.repo, name, case.agency_code)
        if why is not None:
            raise refused(field, why)


def issuer(svc: Services, uow: WritingUnitOfWork, case: Case, action: str) -> Issue | None:
    """The notice hook for an action that is a written act of its type (None for all others:
    a set lookup), so the action's event carries its notices' records (SPEC N-1)."""
    plan = case.workflow.notice_plan
    if svc.notices is None or plan is None or not plan.issues(action):
        return None
    return svc.notices.issuer(uow, svc.calendar, local_date(svc.clock.now()))


def _create(
    svc: Services,
    uow: WritingUnitOfWork,
    case_type: str,
    agency_code: str,
    principal: Principal,
    payload: dict[str, Any],
    now: datetime,
) -> tuple[Case, Actor, BaseModel, CaseEvent]:
    """The part of opening a case every type shares: who may, the policy in force, the number.

    The input is validated before the number is taken, and the number is taken inside the
    transaction, so a refused case uses no number. Returns the case, the actor, the parsed
    input and the creation event. ``now`` is the caller's: the steps that follow in the
    same transaction are recorded at the same instant, never before the creation.
    """
    repo = uow.repo
    workflow = svc.config.case_types.find(case_type)
    actor = acting_actor(repo, principal)
    agency = repo.agency(agency_code)
    if actor.agency_code != agency_code:
        raise NotPermitted(f"{actor.name} 不属于{agency.name}，不能为其登记")
    check_scope(
        principal, workflow.create, agency_code, repo, workflow.case_type.create_action.label
    )
    case = Case.opened(workflow, agency_code)
    case.escalation_policy = policy_digest(svc, uow, workflow, now)
    parsed = case.parse(workflow.create, payload, local_date(now).isoformat())
    year = workflow.number_year(parsed, now)
    case.ref = reference(uow, agency, workflow, year)
    event = case.act(
        workflow.create,
        parsed.model_dump(mode="json"),
        actor,
        now,
        svc.calendar,
        _context(svc, uow, case, now, actor, workflow.create),
    )
    repo.add(case, agency.id, now)
    uow.flush()
    workflow.created(uow, case, event)
    uow.flush()
    return case, actor, parsed, event


def reference(uow: WritingUnitOfWork, agency: Agency, workflow: Workflow, year: int) -> str:
    """The next reference number of the type at the agency for ``year``, taken inside the
    transaction: ``<agency prefix><type prefix>〔year〕NNNN号``."""
    seq = uow.repo.next_ref_seq(agency.id, workflow.name, year)
    return f"{agency.ref_prefix}{workflow.case_type.ref_prefix}〔{year}〕{seq:04d}号"


def policy_digest(
    svc: Services, uow: WritingUnitOfWork, workflow: Workflow, now: datetime
) -> str | None:
    """E-1: the ladder in force for a new case, stored by digest (none if the type has none)."""
    if workflow.escalation is None:
        return None
    return uow.escalations.ensure_policy(svc.config.policies[workflow.escalation], now)


def open_case(
    svc: Services,
    *,
    case_type: str,
    agency_code: str,
    principal: Principal,
    payload: dict[str, Any],
    then: Sequence[tuple[str, dict[str, Any]]] = (),
) -> str:
    """Create a case of any type by its creation action (X-1); returns its reference number,
    ``<agency prefix><type prefix>〔year〕NNNN号`` (e.g. 示政办留言〔2026〕0001号).

    ``then``: actions taken by the same person in the same transaction, right after the
    creation (with those the type takes at once itself, e.g. a receipt confirmed). An API
    token's scope must allow each of them.
    """
    now = svc.clock.now()
    with svc.uow() as uow:
        case, actor, parsed, _ = _create(svc, uow, case_type, agency_code, principal, payload, now)
        for step in case.workflow.opening_steps(parsed, [Step(*s) for s in then]):
            check_scope(principal, step.action, agency_code, uow.repo, _label(case, step.action))
            context = _context(svc, uow, case, now, actor, step.action)
            notices = issuer(svc, uow, case, step.action)
            case.act(step.action, step.payload, actor, now, svc.calendar, context, notices)
        save(svc, uow, case, case.events, now)
        uow.commit()
    log.info(
        "case.registered",
        case_ref=case.ref,
        case_type=case.case_type,
        agency=case.agency_code,
        state=case.state,
        actor=actor.username,
    )
    return case.ref


def act(
    svc: Services,
    *,
    ref: str,
    action: str,
    payload: dict[str, Any],
    principal: Principal,
    expected_version: int | None = None,
) -> CaseEvent:
    """Apply one action to a case, as a user (or ``system``), in one transaction.

    ``expected_version``: the case's version (``head_seq``) the caller last read; if
    someone acted since, nothing is written and ``StaleVersion`` names the version now.
    Two callers that read the same version and act at once: the database lets one win, and
    the other gets the same ``StaleVersion``, never a lost or doubled event.
    """
    return _acting(
        svc, ref, action, payload, principal, expected_version, lambda _uow, event: event
    )


def act_and_read(
    svc: Services,
    *,
    ref: str,
    action: str,
    payload: dict[str, Any],
    principal: Principal,
    expected_version: int | None = None,
) -> CaseDetail:
    """``act``, answered with the case as the actor now reads it, read after the commit in
    the same unit of work: what an API call returns, without a second connection and a
    second load of the case."""
    return _acting(
        svc,
        ref,
        action,
        payload,
        principal,
        expected_version,
        lambda uow, _event: detail_in(svc, uow, principal.as_reader(), ref),
    )


def _acting(
    svc: Services,
    ref: str,
    action: str,
    payload: dict[str, Any],
    principal: Principal,
    expected_version: int | None,
    answer: Callable[[WritingUnitOfWork, CaseEvent], T],
) -> T:
    try:
        with svc.uow() as uow:
            event = apply_action(svc, uow, ref, action, payload, principal, expected_version)
            uow.commit()
            return answer(uow, event)
    except StaleVersion:
        raise
    except Conflict:
        if expected_version is None:
            raise
        raise StaleVersion(ref, current_version(svc, ref)) from None


def current_version(svc: Services, ref: str) -> int:
    """The case's version now (the position of its last event)."""
    with svc.uow() as uow:
        return load_case(svc, uow, ref).head_seq


def apply_action(
    svc: Services,
    uow: WritingUnitOfWork,
    ref: str,
    action: str,
    payload: dict[str, Any],
    principal: Principal,
    expected_version: int | None = None,
) -> CaseEvent:
    """The body of ``act`` inside a caller's unit of work (the sweeper's expiries use it).

    The account is read again here, in the action's transaction: a user locked or
    deactivated since their session opened or their token was issued acts no more."""
    repo = uow.repo
    if not principal.is_system:
        repo.prefetch(principal.username, ref)
    actor = acting_actor(repo, principal)
    case = readable_case(svc, uow, actor, ref, history=False)
    _check_agency(uow, actor, case)
    check_scope(principal, action, case.agency_code, repo, _label(case, action))
    if expected_version is not None and case.head_seq != expected_version:
        raise StaleVersion(ref, case.head_seq)
    _check_people(uow, case, action, payload)
    before = len(case.events)
    now = svc.clock.now()
    context = _context(svc, uow, case, now, actor, action)
    case.act(action, payload, actor, now, svc.calendar, context, issuer(svc, uow, case, action))
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
    svc: Services,
    uow: WritingUnitOfWork,
    case: Case,
    new_events: list[CaseEvent],
    now: datetime,
    reconcile: bool = False,
) -> None:
    """Write a changed case, its type's own tables, and its escalation schedule.

    The new events are sealed here with the installation key (a MAC each, CPU only), so
    every writer — an action, a sweep's expiry, a recompute, the bulk generator — keys them.
    ``reconcile``: read the schedule's rows and bring each to the plan (a new calendar may
    have moved a threshold of a rule that has fired); otherwise they are written unread.
    """
    sealed = [svc.keyring.seal(e) for e in new_events]
    if sealed:
        case.events[len(case.events) - len(new_events) :] = sealed
    new_events = sealed
    uow.repo.save(case, new_events, now)
    case.workflow.saved(uow, case, new_events)
    # Deadlines as stored when loaded, under the same ladder: the schedule planned from them
    # then is the one stored (the sweeper's firings and acknowledgements are its own).
    if case.escalation_policy is not None and case.deadlines_changed():
        policy = uow.escalations.policy(case.escalation_policy)
        planned = escalation.plan(case.deadlines, policy, svc.calendar, now)
        case_id = uow.repo.case_id(case.ref)
        if reconcile or not case.schedule_known():
            uow.escalations.sync_schedule(case_id, planned)
        else:
            unplanned = escalation.unplanned(case.deadlines, policy, planned)
            uow.escalations.update_schedule(case_id, planned, unplanned)
    case.loaded_state = None  # what is stored now is no longer what was loaded


def _label(case: Case, action: str) -> str | None:
    """The action's label for a token's refusal (an action the type lacks has none yet: the
    state machine refuses it after the scope)."""
    spec = case.workflow.case_type.actions.get(action)
    return spec.label if spec else None
