"""Reading use cases for supervisors: the annual report (SPEC R-1), timeliness (R-2) and the
periodic reports a declared type names (县长信箱 一日一清单、一月一汇总、一季一通报).

Both take the reader and an agency (with those below it if asked), all within the
reader's scope; they read the disclosure requests' register (``RequestReports``), the
incidents' deadlines and accountability list, and aggregate with the pure functions of
``workflow.reports``. These reports are about the two types the law names, so this module
names them; the shared services do not.
"""

from __future__ import annotations

from datetime import date

from govflow.workflow.access import reaches_below
from govflow.workflow.actors import Actor, Agency, Role
from govflow.workflow.clock import local_date
from govflow.workflow.deadline_terms import Basis
from govflow.workflow.disclosure.register import RequestReports
from govflow.workflow.errors import InvalidInput, NotPermitted, OpenFindings
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.reports.annual import AnnualReport, report_from_tallies
from govflow.workflow.reports.other_limits import DeclaredLimit
from govflow.workflow.reports.periodic import PeriodicReport, period_containing
from govflow.workflow.reports.periodic import periodic_report as build_periodic_report
from govflow.workflow.reports.timeliness import (
    MilestoneRecord,
    TimelinessReport,
)
from govflow.workflow.reports.timeliness import (
    timeliness_report as aggregate,
)
from govflow.workflow.reports.years import check_day, check_year
from govflow.workflow.services.base import Services, agency_tree, scope_of
from govflow.workflow.services.incidents import CASE_TYPE as INCIDENT
from govflow.workflow.services.incidents import entries as breaches
from govflow.workflow.services.integrity import open_findings
from govflow.workflow.services.requests import CASE_TYPE as DISCLOSURE


def _scope(
    uow: UnitOfWork, reader: Actor, agency: str, include_children: bool
) -> tuple[str, list[Agency]]:
    """The report's title (the agency's name) and the agencies it covers, in id order."""
    agencies = uow.repo.agencies()
    codes = scope_of(uow, reader).narrowed(agency, include_children, agency_tree(agencies))
    assert codes is not None
    name = next(a.name for a in agencies if a.code == agency)
    label = f"{name}（含下级机关）" if include_children else name
    return label, sorted((a for a in agencies if a.code in codes), key=lambda a: a.id)


def audit_note(
    svc: Services, reader: Actor, agency: str, include_children: bool, allow: bool
) -> str | None:
    """A report on agencies whose history ``audit verify`` found in doubt would publish
    what may be forged rows: refused (``OpenFindings``), unless ``allow``; then the note the
    report carries. None when nothing is open."""
    found = open_findings(svc, reader, agency, include_children)
    if not found:
        return None
    refs = sorted({f.case_ref for f in found})
    with svc.uow() as uow:  # the agency as people read it, by name (found: it exists)
        name = next((a.name for a in uow.repo.agencies() if a.code == agency), agency)
    scope = name + ("（含下级机关）" if include_children else "")
    text = (
        f"{scope}有 {len(found)} 处未核实的审计发现（涉及 {len(refs)} 件案件，如 {refs[0]}），"
        "报表数字可能不实"
    )
    if not allow:
        raise OpenFindings(
            f"{text}，已拒绝生成。请核实处理后重新运行 govflow audit verify，"
            "或加 --allow-findings 照常生成（报表中将注明）"
        )
    return f"注意：{text}（按 --allow-findings 照常生成）"


def annual_report(
    svc: Services,
    reader: Actor,
    *,
    agency: str,
    year: int,
    include_children: bool = False,
    allow_findings: bool = False,
) -> AnnualReport:
    """Tables 三 and 四 for the agency (and those below it) and the year."""
    check_year(year, "year", "年度")
    note = audit_note(svc, reader, agency, include_children, allow_findings)
    with svc.uow() as uow:
        label, covered = _scope(uow, reader, agency, include_children)
        ids = [a.id for a in covered]
        reports = uow.store(RequestReports)
        tallies = reports.annual_tallies(ids, year)
        challenges = reports.challenges(ids)
    formats = svc.config.case_types.find(DISCLOSURE).report_formats  # type: ignore[attr-defined]
    report = report_from_tallies(
        label, year, tallies, challenges, outcomes=svc.config.outcomes, formats=formats
    )
    report.audit_note = note
    return report


def timeliness_report(
    svc: Services,
    reader: Actor,
    *,
    agency: str,
    start: date,
    end: date,
    include_children: bool = False,
    allow_findings: bool = False,
) -> TimelinessReport:
    """On-time replies, handling times, open requests by time left, breaches, incidents."""
    check_day(start, "from", "统计起始日")  # named as the CLI and the API take them
    check_day(end, "to", "统计截止日")
    if start > end:
        raise InvalidInput(f"统计起始日 {start.isoformat()} 晚于截止日 {end.isoformat()}")
    note = audit_note(svc, reader, agency, include_children, allow_findings)
    catalogue = svc.config.case_types
    open_states = catalogue.find(DISCLOSURE).case_type.open_states
    # The declared types' limits have a place of their own (SPEC R-2, other limits).
    others = [name for name in catalogue if name not in (DISCLOSURE, INCIDENT)]
    with svc.uow() as uow:
        label, covered = _scope(uow, reader, agency, include_children)
        ids = [a.id for a in covered]
        names = {a.code: a.name for a in covered}
        entries = breaches(svc, uow, ids)
        milestones = [
            MilestoneRecord(ref, deadline)
            for ref, deadline in uow.repo.deadline_records(INCIDENT, ids, Basis.HOURS)
        ]
        report = aggregate(
            label,
            start,
            end,
            svc.clock.now(),
            svc.calendar,
            uow.store(RequestReports).reply_limits(ids, open_states),
            milestones,
            entries,
            names,
            [
                DeclaredLimit(
                    r.ref,
                    r.case_type,
                    catalogue[r.case_type].case_type.label,
                    r.department,
                    r.handler,
                    r.deadline,
                )
                for r in uow.repo.working_day_limits(others, ids)
            ],
        )
    report.audit_note = note
    return report


def periodic_report(
    svc: Services,
    reader: Actor,
    *,
    case_type: str,
    report: str,
    agency: str,
    period: str,
    include_children: bool = False,
    allow_findings: bool = False,
) -> PeriodicReport:
    """The named report of a declared type for the day, month or quarter ``period`` names
    (``2025-10-09``, ``2025-10``, ``2025Q4``), over the agency (and, if asked, those below
    it) within the reader's scope."""
    ct = svc.config.case_types.find(case_type).case_type
    spec = ct.report(report)
    start, end = period_containing(spec.period, period)
    note = audit_note(svc, reader, agency, include_children, allow_findings)
    with svc.uow() as uow:
        label, covered = _scope(uow, reader, agency, include_children)
        ids = [a.id for a in covered]
        records = uow.repo.declared_records(case_type, spec.deadline, ids, ct.open_states)
    report_ = build_periodic_report(
        ct, spec, label, start, end, svc.clock.now(), svc.calendar, records
    )
    report_.audit_note = note
    return report_


def supervised_agency(reader: Actor) -> str:
    """The agency whose tree a supervisor's screens cover (the dashboard, the annual report
    on screen): the supervisor's own; anyone else is refused (``NotPermitted``)."""
    if not reader.has_role(Role.SUPERVISOR) or reader.agency_code is None:
        raise NotPermitted(f"{reader.name} 不是督查，无权查看督查页面")
    return reader.agency_code


def supervised_agencies(svc: Services, reader: Actor) -> list[Agency]:
    """The agencies a supervisor's reports may be drawn for: the supervisor's own and every
    one below it, in the organisation's order (what the report form offers, by name)."""
    own = supervised_agency(reader)
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        codes = scope_of(uow, reader).narrowed(own, True, agency_tree(agencies))
    return [a for a in agencies if codes is None or a.code in codes]


def supervision_dashboard(
    svc: Services,
    reader: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    allow_findings: bool = False,
) -> TimelinessReport:
    """The supervisor's dashboard: the timeliness report over the supervisor's agency and
    every agency below it (a token issued without ``include_children``: that agency alone),
    for ``start``…``end`` (by default, 1 January of this year to today, Beijing time).
    Anyone but a supervisor is refused."""
    agency = supervised_agency(reader)
    end = end or local_date(svc.clock.now())
    start = start or date(end.year, 1, 1)
    return timeliness_report(
        svc,
        reader,
        agency=agency,
        start=start,
        end=end,
        include_children=reaches_below(reader),
        allow_findings=allow_findings,
    )
