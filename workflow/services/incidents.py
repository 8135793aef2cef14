"""The incident's own reading use case: the accountability list (SPEC I-4).

Every breached limit of every incident the reader may read — a milestone or a supervision
letter met late, never met before the archive, or still open past its limit — with the
lead department and the handler in charge at the time of the breach (通报批评 / 约谈,
seed 004 item 30). It is derived from the events each time, never stored, so it cannot
drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from govflow.workflow.actors import Actor
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.base import Services, agency_ids, agency_tree, load_case, scope_of

CASE_TYPE = "incident"


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
    svc: Services, reader: Actor, agency: str | None = None, include_children: bool = False
) -> list[AccountabilityEntry]:
    """Breaches of the incidents the reader may read (of one agency, and those below it, if
    asked), the earliest breach first."""
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        codes = scope_of(uow, reader).narrowed(agency, include_children, agency_tree(agencies))
        return entries(svc, uow, agency_ids(agencies, codes))


def entries(
    svc: Services, uow: UnitOfWork, agency_ids: Sequence[int] | None
) -> list[AccountabilityEntry]:
    """The list for these agencies (None: all), in the caller's unit of work."""
    now = svc.clock.now()
    workflow = svc.config.case_types.find(CASE_TYPE)
    found: list[AccountabilityEntry] = []
    cases = [
        load_case(svc, uow, ref)
        for ref in uow.repo.open_refs(CASE_TYPE, frozenset(workflow.case_type.states), agency_ids)
    ]
    handlers = {b.handler for case in cases for b in case.facts.breaches(now) if b.handler}
    names = uow.repo.names(handlers)
    for case in cases:
        facts = case.facts
        for breach in facts.breaches(now):
            until = breach.met_at or (
                facts.archived_at if breach.kind == "lapsed" and facts.archived_at else now
            )
            found.append(
                AccountabilityEntry(
                    ref=case.ref,
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
                    handler_name=names.get(breach.handler, breach.handler)
                    if breach.handler
                    else None,
                )
            )
    return sorted(found, key=lambda e: (e.due_at, e.ref))
