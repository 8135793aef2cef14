"""Use cases behind the periodic reports of declared types (一日一清单、一月一汇总、一季一通报)."""

from __future__ import annotations

from govflow.workflow.registry import workflow
from govflow.workflow.reports.periodic import PeriodicReport, period_containing, periodic_report
from govflow.workflow.services import Services


def case_type_report(
    svc: Services,
    *,
    case_type: str,
    report: str,
    agency_code: str,
    period: str,
    include_children: bool = False,
) -> PeriodicReport:
    """The named report of ``case_type`` for the day, month or quarter ``period`` names
    (``2025-10-09``, ``2025-10``, ``2025Q4``), over the agency and, if asked, those below it."""
    ct = workflow(case_type).case_type
    spec = ct.report(report)
    start, end = period_containing(spec.period, period)
    with svc.uow() as uow:
        agency = uow.repo.agency(agency_code)
        ids = uow.repo.agency_ids(agency_code, include_children)
        records = uow.repo.declared_records(case_type, spec.deadline, ids, ct.open_states)
    label = f"{agency.name}（含下级机关）" if include_children else agency.name
    return periodic_report(ct, spec, label, start, end, svc.clock.now(), svc.calendar, records)
