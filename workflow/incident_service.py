"""Use cases for supervisors around incidents: the accountability list (SPEC I-4).

Every breached limit of every incident — a milestone or a supervision letter met late,
never met before the archive, or still open past its limit — with the lead department
and the handler in charge at the time of the breach (通报批评 / 约谈, seed 004 item 30).
It is derived from the events each time, never stored, so it cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from govflow.workflow import services
from govflow.workflow.errors import NotFound
from govflow.workflow.registry import workflow

INCIDENT = "incident"


@dataclass(frozen=True)
class AccountabilityEntry:
    ref: str
    agency: str
    title: str
    grade_label: str | None
    deadline_key: str
    label: str
    due_at: datetime
    met_at: datetime | None
    kind: str  # late | lapsed | overdue
    hours_late: float
    lead_department: str | None
    handler: str | None
    handler_name: str | None


def accountability(
    svc: services.Services, agency_code: str | None = None
) -> list[AccountabilityEntry]:
    """Breaches of all incidents (of one agency if given), the earliest breach first."""
    now = svc.clock.now()
    states = frozenset(workflow(INCIDENT).case_type.states)
    entries: list[AccountabilityEntry] = []
    with svc.uow() as uow:
        agency_ids = [uow.repo.agency(agency_code).id] if agency_code else None
        for ref in uow.repo.open_refs(INCIDENT, states, agency_ids):
            case = services.load_case(svc, uow, ref)
            facts = case.facts
            for breach in facts.breaches(now):
                until = breach.met_at or (
                    facts.archived_at if breach.kind == "lapsed" and facts.archived_at else now
                )
                entries.append(
                    AccountabilityEntry(
                        ref=ref,
                        agency=case.agency_code,
                        title=facts.title or "",
                        grade_label=facts.grade_label,
                        deadline_key=breach.deadline_key,
                        label=breach.label,
                        due_at=breach.due_at,
                        met_at=breach.met_at,
                        kind=breach.kind,
                        hours_late=round((until - breach.due_at).total_seconds() / 3600, 1),
                        lead_department=breach.lead_department,
                        handler=breach.handler,
                        handler_name=_name(uow.repo, breach.handler),
                    )
                )
    return sorted(entries, key=lambda e: (e.due_at, e.ref))


def _name(repo: object, username: str | None) -> str | None:
    if username is None:
        return None
    try:
        return repo.user(username).name  # type: ignore[attr-defined]
    except NotFound:
        return username
