"""Escalations as people see and answer them: the list of firings (a reading use case,
scoped to what the reader may read), one firing, acknowledging one (an event on its case),
and adopting the current ladder for an open case. Firing itself is
``services.escalations``; the daily digests ``services.digests``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog

from govflow.workflow import texts
from govflow.workflow.access import case_not_found
from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import ESCALATION_ACKNOWLEDGED, POLICY_ADOPTED, SYSTEM_EVENT_LABELS
from govflow.workflow.errors import ActionNotAllowed, NotFound, NotPermitted
from govflow.workflow.escalation_ports import FiringRecord
from govflow.workflow.identity.acting import acting_actor, check_scope
from govflow.workflow.identity.principal import Principal, reading_as
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.base import (
    Services,
    agency_ids,
    agency_tree,
    load_case,
    readable_case,
    scope_of,
)
from govflow.workflow.services.cases import save

log = structlog.get_logger(__name__)


def adopt_policy(svc: Services, ref: str, principal: Principal) -> bool:
    """Move one open case to the escalation policy now in ``configs/escalation.yaml``.

    Editing the file never changes open cases by itself (SPEC E-1); this explicit action
    does, and it is recorded on the case's history. Returns False when already current.
    """
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = acting_actor(uow.repo, principal).acting_as({Role.OFFICE_HEAD})
        # Who may not read the case is told it does not exist, not who may change its rules.
        case = readable_case(svc, uow, actor, ref, history=False)
        check_scope(
            principal,
            POLICY_ADOPTED,
            case.agency_code,
            uow.repo,
            SYSTEM_EVENT_LABELS[POLICY_ADOPTED],
        )
        if actor.role is not Role.OFFICE_HEAD or actor.agency_code != case.agency_code:
            raise NotPermitted("只有本机关的公开办负责人可以变更在办案件的督办规则")
        if case.state in case.workflow.case_type.final:
            raise ActionNotAllowed(f"案件已{case.state_label}，无需变更督办规则")
        name = case.workflow.escalation
        if name is None:
            raise ActionNotAllowed(f"{case.workflow.case_type.label}没有督办规则")
        digest = uow.escalations.ensure_policy(svc.config.policies[name], now)
        if digest == case.escalation_policy:
            return False
        previous, case.escalation_policy = case.escalation_policy, digest
        before = len(case.events)
        case.record_system_event(
            "escalation_policy_adopted",
            {"escalation_policy": digest, "previous": previous},
            now,
            svc.calendar,
            actor,
        )
        save(svc, uow, case, case.events[before:], now)
        uow.commit()
    log.info("escalation.policy_adopted", case_ref=ref, digest=digest[:12], actor=actor.username)
    return True


@dataclass(frozen=True)
class FiringView:
    key: str
    case_ref: str
    deadline_key: str
    rule: str
    level: str
    outcome: str
    threshold_at: datetime
    fired_at: datetime
    late: bool
    message: str
    recipients: list[str]
    recipient_names: list[str]  # the people told, by name
    action: str | None  # the system action an expiry rule took, if it is one
    deliveries: dict[str, str]
    repeats: int = 1  # due repeats of its rule this one firing stands for (coalesced)
    acknowledged_by: str | None = None
    acknowledged_by_name: str | None = None
    acknowledged_at: datetime | None = None


def firings(svc: Services, reader: Actor, ref: str | None = None) -> list[FiringView]:
    """What fired, for the cases the reader may read (one case if ``ref`` is given)."""
    with svc.uow() as uow:
        case_id, ids = None, None
        if ref is not None:
            readable_case(svc, uow, reader, ref)
            case_id = uow.repo.case_id(ref)
        else:
            agencies = uow.repo.agencies()
            ids = agency_ids(agencies, scope_of(uow, reader).agencies)
        return _views(uow, uow.escalations.firings(case_id, ids))


MY_FIRINGS_LIMIT = 200
"""The most a notification centre lists: the newest; older ones stay in ``firings``."""


def my_firings(
    svc: Services, reader: Actor, pending_only: bool = False, limit: int = MY_FIRINGS_LIMIT
) -> list[FiringView]:
    """The warnings and escalations addressed to the reader (they are among its recipients),
    newest first — the notification centre. ``firings`` lists every firing the reader may
    read, which for an office head or a supervisor is the whole office's; this is only what
    was sent to them. ``pending_only``: those still waiting for "确认" (an expiry the system
    took needs none), for the count beside the link."""
    with svc.reading() as uow:
        ids = agency_ids(uow.repo.agencies(), scope_of(uow, reader).agencies)
        rows = uow.escalations.firings_to(reader.username, ids, pending_only, limit)
        return _views(uow, rows)


def _views(uow: UnitOfWork, rows: Sequence[FiringRecord]) -> list[FiringView]:
    names = uow.repo.names(
        {n for r in rows for n in r.recipients}
        | {r.acknowledged_by for r in rows if r.acknowledged_by}
    )
    rows = [r for r in rows if r.case_id is not None]  # a daily digest: ``digests``
    refs = {cid: uow.escalations.case_ref(cid) for cid in {r.case_id for r in rows}}
    return [
        FiringView(
            r.key,
            refs[r.case_id],
            r.deadline_key,
            r.rule,
            r.level,
            r.outcome,
            r.threshold_at,
            r.fired_at,
            r.late,
            texts.without_entry(r.message),
            list(r.recipients),
            [names.get(n, n) for n in r.recipients],
            r.action,
            {d.key: d.status for d in uow.escalations.deliveries_of(r.id)},
            r.repeats,
            r.acknowledged_by,
            names.get(r.acknowledged_by) if r.acknowledged_by else None,
            r.acknowledged_at,
        )
        for r in rows
    ]


def acknowledge(svc: Services, firing_key: str, principal: Principal) -> bool:
    """已阅/已办: stop the repeats of the rule that fired; the next level still fires.

    The acknowledgement is an event on the case (who, when, which rule), in its hash-chained
    history like any action, so it shows in the timeline, ``case show`` and ``escalation
    list``, and ``audit verify`` can tell it from a schedule row silenced in the database.
    Returns False, recording nothing, when the firing was acknowledged already.
    """
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = acting_actor(uow.repo, principal)
        # Through a token, the token's reach (its agency, below it only with
        # include_children), never its account's: as every read and write through it.
        reader = reading_as(actor, principal.scope)
        store = uow.escalations
        firing = store.firing_by_key(firing_key)
        if firing.case_id is None:
            raise ActionNotAllowed(texts.DIGEST_NEEDS_NO_ACK)
        if firing.action:
            raise ActionNotAllowed(texts.EXPIRY_NEEDS_NO_ACK)
        ref = store.case_ref(firing.case_id)
        # Besides the people told: the office head of the case's agency, and its supervisors
        # or those of the agency above (who receive its escalations); nobody from elsewhere.
        agency = uow.repo.get(ref).agency_code
        if not scope_of(uow, reader).covers(agency):  # as if it did not exist (as reading)
            raise NotFound(f"没有编号为 {firing_key} 的提醒")
        parent = agency_tree(uow.repo.agencies()).get(agency)
        answers_for_case = (actor.has_role(Role.OFFICE_HEAD) and actor.agency_code == agency) or (
            actor.has_role(Role.SUPERVISOR) and actor.agency_code in (agency, parent)
        )
        if principal.scope is not None and principal.scope.read_only:
            raise NotPermitted("此令牌为只读令牌，不能确认提醒")
        if actor.username not in firing.recipients and not answers_for_case:
            raise NotPermitted(f"{actor.name} 不是该提醒的接收人，不能确认")
        if firing.acknowledged_at is not None:
            return False
        case = load_case(svc, uow, ref)
        deadline = next((d for d in case.deadlines if d.key == firing.deadline_key), None)
        policy = store.policy(case.escalation_policy) if case.escalation_policy else None
        rule = policy.rule(deadline.kind, firing.rule) if policy and deadline else None
        rule_label = (
            texts.rule_label(
                rule.level,
                rule.threshold.model_dump(),
                rule.repeat.model_dump() if rule.repeat else None,
            )
            if rule
            else firing.rule
        )
        store.acknowledge(firing, actor.username, now)
        before = len(case.events)
        case.record_system_event(
            ESCALATION_ACKNOWLEDGED,
            {
                "firing": firing.key,
                "deadline": firing.deadline_key,
                "rule": firing.rule,
                # The rule's round (due date) it was acknowledged in: ``audit verify`` checks
                # a schedule row marked acknowledged against it (issue 16 item 1).
                "epoch": int(firing.key.rsplit(":", 2)[1]),
                "reason": texts.acknowledged(
                    deadline.label if deadline else firing.deadline_key, rule_label
                ),
            },
            now,
            svc.calendar,
            actor,
        )
        save(svc, uow, case, case.events[before:], now)
        uow.commit()
    log.info("escalation.acknowledged", key=firing_key, case_ref=ref, actor=actor.username)
    return True


def firing(svc: Services, reader: Actor, key: str) -> FiringView:
    """One firing by its key, if the reader may read its case."""
    with svc.uow() as uow:
        found = uow.escalations.firing_by_key(key)
        if found.case_id is None:  # a daily digest: listed by ``digests``
            raise NotFound(f"没有编号为 {key} 的提醒")
        ref = uow.escalations.case_ref(found.case_id)
    for view in firings(svc, reader, ref):
        if view.key == key:
            return view
    raise case_not_found(ref)
