"""Use cases around escalation people call: adopting a new policy for open cases, the lists of
firings and digests, acknowledging a firing (an event on its case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import structlog

from govflow.workflow import services, texts
from govflow.workflow.actors import Role
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import ActionNotAllowed
from govflow.workflow.escalation import current_policies

log = structlog.get_logger(__name__)

ACKNOWLEDGED = "escalation_acknowledged"
"""The event recorded on a case when someone acknowledges one of its warnings (SPEC E-2)."""


def adopt_policy(svc: services.Services, ref: str, actor_username: str) -> bool:
    """Move one open case to the escalation policy now in ``configs/escalation.yaml``.

    Editing the file never changes open cases by itself (SPEC E-1); this explicit action
    does, and it is recorded on the case's history. Returns False when already current.
    """
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = uow.repo.actor(actor_username)
        case = services.load_case(svc, uow, ref)
        if actor.role is not Role.OFFICE_HEAD or actor.agency_code != case.agency_code:
            raise ActionNotAllowed("只有本机关的公开办负责人可以变更在办案件的督办规则")
        if case.state in case.workflow.case_type.final:
            raise ActionNotAllowed(f"案件已{case.state_label}，无需变更督办规则")
        name = case.workflow.escalation
        if name is None:
            raise ActionNotAllowed(f"{case.workflow.case_type.label}没有督办规则")
        digest = uow.escalations.ensure_policy(current_policies()[name], now)
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
        services.save(svc, uow, case, case.events[before:], now)
        uow.commit()
    log.info("escalation.policy_adopted", case_ref=ref, digest=digest[:12], actor=actor_username)
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
    deliveries: dict[str, str]
    repeats: int = 1
    acknowledged_by: str | None = None
    acknowledged_by_name: str | None = None
    acknowledged_at: datetime | None = None


def firings(svc: services.Services, ref: str | None = None) -> list[FiringView]:
    """What fired for one case, or for every case (daily digests are listed by ``digests``)."""
    with svc.uow() as uow:
        case_id = None
        if ref is not None:
            uow.repo.get(ref)
            case_id = uow.repo.case_id(ref)
        store = uow.escalations
        rows = store.firings(case_id)
        names = store.names({r.acknowledged_by for r in rows if r.acknowledged_by})
        return [
            FiringView(
                r.key,
                store.case_ref(r.case_id),
                r.deadline_key,
                r.rule,
                r.level,
                r.outcome,
                r.threshold_at,
                r.fired_at,
                r.late,
                r.message,
                list(r.recipients),
                {d.key: d.status for d in store.deliveries_of(r.id)},
                r.repeats,
                r.acknowledged_by,
                names.get(r.acknowledged_by) if r.acknowledged_by else None,
                r.acknowledged_at,
            )
            for r in rows
        ]


@dataclass(frozen=True)
class DigestView:
    key: str
    day: date
    recipient: str
    recipient_name: str
    fired_at: datetime
    late: bool
    message: str
    deliveries: dict[str, str]


def digests(svc: services.Services, day: date | None = None) -> list[DigestView]:
    """The daily digests made (of one day, or all), with how each was delivered."""
    with svc.uow() as uow:
        store = uow.escalations
        rows = store.digest_firings(day)
        names = store.names({r.recipients[0] for r in rows if r.recipients})
        return [
            DigestView(
                r.key,
                r.threshold_at.astimezone(SHANGHAI).date(),
                r.recipients[0],
                names.get(r.recipients[0], r.recipients[0]),
                r.fired_at,
                r.late,
                r.message,
                {d.key: d.status for d in store.deliveries_of(r.id)},
            )
            for r in rows
        ]


def acknowledge(svc: services.Services, firing_key: str, actor_username: str) -> bool:
    """已阅/已办: stop the repeats of the rule that fired; the next level still fires.

    The acknowledgement is an event on the case (who, when, which rule), in its hash-chained
    history like any action, so it shows in the timeline, ``case show`` and ``escalation
    list``. Returns False, recording nothing, when the firing was acknowledged already.
    """
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = uow.repo.actor(actor_username)
        store = uow.escalations
        firing = store.firing_by_key(firing_key)
        if firing.case_id is None:
            raise ActionNotAllowed("每日提醒无需确认")
        if firing.action:
            raise ActionNotAllowed("系统自动处理的记录无需确认")
        # Besides the people told: the office head of the case's agency, and its supervisors
        # or those of the agency above (who receive its escalations); nobody from elsewhere.
        agency = store.agency(store.case_row(firing.case_id).agency_id)
        parent = store.agency(agency.parent_id) if agency.parent_id else None
        answers_for_case = (
            actor.role is Role.OFFICE_HEAD and actor.agency_code == agency.code
        ) or (
            actor.role is Role.SUPERVISOR
            and actor.agency_code in (agency.code, parent.code if parent else None)
        )
        if actor.username not in firing.recipients and not answers_for_case:
            raise ActionNotAllowed(f"{actor.name} 不是该提醒的接收人，不能确认")
        if firing.acknowledged_at is not None:
            return False
        case = services.load_case(svc, uow, store.case_ref(firing.case_id))
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
        deadline_label = deadline.label if deadline else firing.deadline_key
        store.acknowledge(firing, actor.username, now)
        before = len(case.events)
        case.record_system_event(
            ACKNOWLEDGED,
            {
                "firing": firing.key,
                "deadline": firing.deadline_key,
                "rule": firing.rule,
                # The rule's round (due date) it was acknowledged in: ``audit verify`` checks a
                # schedule row marked acknowledged against it (issue 16 item 1).
                "epoch": int(firing.key.rsplit(":", 2)[1]),
                "reason": texts.acknowledged(deadline_label, rule_label),
            },
            now,
            svc.calendar,
            actor,
        )
        services.save(svc, uow, case, case.events[before:], now)
        uow.commit()
    log.info("escalation.acknowledged", key=firing_key, case_ref=case.ref, actor=actor_username)
    return True
