"""Use cases around escalation: adopting a new policy for open cases, acknowledging a firing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from govflow.workflow import services
from govflow.workflow.actors import Role
from govflow.workflow.errors import ActionNotAllowed
from govflow.workflow.escalation import current_policies

log = structlog.get_logger(__name__)


def adopt_policy(svc: services.Services, ref: str, actor_username: str) -> bool:
    """Move one open case to the escalation policy now in ``configs/escalation.yaml``.

    Editing the file never changes open cases by itself (SPEC E-1); this explicit action
    does, and it is recorded on the case's history. Returns False when already current.
    """
    now = svc.clock.now()
    with svc.uow() as uow:
        case = services.load_case(svc, uow, ref)
        actor = uow.repo.actor(actor_username)
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
        case.record_system_event(
            "escalation_policy_adopted",
            {"escalation_policy": digest, "previous": previous},
            now,
            svc.calendar,
            actor,
        )
        services.save(svc, uow, case, now)
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


def firings(svc: services.Services, ref: str | None = None) -> list[FiringView]:
    with svc.uow() as uow:
        case_id = None
        if ref is not None:
            uow.repo.get(ref)
            case_id = uow.repo.case_id(ref)
        rows = uow.escalations.firings(case_id)
        return [
            FiringView(
                r.key,
                uow.escalations.case_ref(r.case_id),
                r.deadline_key,
                r.rule,
                r.level,
                r.outcome,
                r.threshold_at,
                r.fired_at,
                r.late,
                r.message,
                list(r.recipients),
                {d.key: d.status for d in uow.escalations.deliveries_of(r.id)},
            )
            for r in rows
        ]


def acknowledge(svc: services.Services, firing_key: str, actor_username: str) -> None:
    """已阅/已办: stop the repeats of the rule that fired; the next level still fires."""
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = uow.repo.actor(actor_username)
        firing = uow.escalations.firing_by_key(firing_key)
        # Besides the people told: the office head of the case's agency, and its supervisors
        # or those of the agency above (who receive its escalations); nobody from elsewhere.
        agency = uow.escalations.agency(uow.escalations.case_row(firing.case_id).agency_id)
        parent = uow.escalations.agency(agency.parent_id) if agency.parent_id else None
        answers_for_case = (
            actor.role is Role.OFFICE_HEAD and actor.agency_code == agency.code
        ) or (
            actor.role is Role.SUPERVISOR
            and actor.agency_code in (agency.code, parent.code if parent else None)
        )
        allowed = actor.username in firing.recipients or answers_for_case
        if not allowed:
            raise ActionNotAllowed(f"{actor.name} 不是该提醒的接收人，不能确认")
        uow.escalations.acknowledge(firing, actor.username, now)
        uow.commit()
    log.info("escalation.acknowledged", key=firing_key, actor=actor_username)
