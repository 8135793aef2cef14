"""Reading use cases on cases: one case in detail, lists and search, a case's history.

Each takes the reader and shows only what the reader may read (``workflow.access``): a
case outside the reader's scope is "not found", exactly like one that does not exist;
personal data is masked unless the reader works the case's agency. Each returns plain
data (``CaseDetail``, ``CasePage``, ``CaseTimeline``) that any front end renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import structlog

from govflow.workflow.access import may_see_personal_data
from govflow.workflow.actors import SYSTEM, Actor, Agency
from govflow.workflow.audit import TimelineEntry, timeline
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case, CaseRecord
from govflow.workflow.casetype import ActionSpec
from govflow.workflow.clock import end_of_day, local_date
from govflow.workflow.contract import Field
from govflow.workflow.documents.records import DocumentRecord
from govflow.workflow.errors import DamagedHistory, InvalidInput
from govflow.workflow.events import OpenFinding
from govflow.workflow.ports import CaseQuery, ListPosition, UnitOfWork
from govflow.workflow.search import normalised
from govflow.workflow.services.base import (
    Services,
    agency_ids,
    agency_tree,
    readable_case,
    restored,
    scope_of,
)
from govflow.workflow.services.list_filters import (
    SHOWN,
    check_channel,
    check_outcome,
    check_states,
)
from govflow.workflow.views import (
    CaseHeader,
    DeadlineView,
    EventView,
    action_labels,
    case_header,
    deadline_view,
    event_view,
)

log = structlog.get_logger(__name__)

MAX_PAGE = 500
MAX_SEARCH = 100  # characters of a list's text filter


@dataclass(frozen=True)
class ActionChoice:
    name: str
    label: str
    # Fields whose values the type narrows on this case (``Workflow.choices``): path → codes.
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseDetail:
    """One case as a reader sees it: header, the type's own fields, deadlines now, history."""

    header: CaseHeader
    assignee: str | None
    outcome: str | None
    fields: tuple[Field, ...]  # the type's own part, for people (personal data masked)
    data: Mapping[str, Any]  # the same for machines
    deadlines: tuple[DeadlineView, ...]
    events: tuple[EventView, ...]
    allowed_actions: tuple[ActionChoice, ...]  # what the reader may do now
    assignee_name: str | None = None  # the assignee's Chinese name (the username if unknown)
    version: int = 0  # the position of the last event: what ``act`` expects to find
    warnings: tuple[str, ...] = ()  # the type's warnings for people (``TypeView.warnings``)
    # Each notice and attachment's latest version, by number: what a delivery is recorded
    # against (``document``) and what the office prints (``read_document``).
    documents: tuple[DocumentRecord, ...] = ()
    # What ``audit verify`` found in this case's history and no later verify cleared: its
    # readers are warned. None: not read (an action's answer leaves the query out).
    findings: tuple[OpenFinding, ...] | None = None

    @property
    def ref(self) -> str:
        return self.header.ref


def _names(uow: UnitOfWork, case: Case) -> dict[str, str]:
    """The Chinese names of everyone the case's history and header name (actors, assignee)."""
    people = {e.actor for e in case.events} | ({case.assignee} if case.assignee else set())
    names = uow.repo.names(people - {SYSTEM.username})
    return {SYSTEM.username: SYSTEM.name, **names}


def _header(uow: UnitOfWork, case: Case) -> CaseHeader:
    """The case's header with its agency's Chinese name (read with the case: no statement)."""
    return replace(case_header(case), agency_name=uow.repo.agency(case.agency_code).name)


def case_detail(svc: Services, reader: Actor, ref: str) -> CaseDetail:
    """The case as ``reader`` may see it (SPEC section 1; seed 004 item 37 for masking),
    with the audit findings open on it."""
    with svc.reading() as uow:
        return detail_in(svc, uow, reader, ref, findings=True)


def detail_in(
    svc: Services, uow: UnitOfWork, reader: Actor, ref: str, findings: bool = False
) -> CaseDetail:
    """``case_detail`` inside a caller's unit of work: an action answered with the case it
    left, without a second connection (``services.act_and_read``). ``findings``: read the
    open audit findings too (one indexed query, which an action's answer goes without)."""
    now = svc.clock.now()
    case = readable_case(svc, uow, reader, ref)
    reveal = may_see_personal_data(reader, case.agency_code)
    own = case.workflow.view(case, reveal, uow, now)
    names = _names(uow, case)
    header = _header(uow, case)
    labels = action_labels(case)
    allowed = _allowed_actions(svc, uow, case, reader, now)
    return CaseDetail(
        header=header,
        assignee=case.assignee,
        assignee_name=names.get(case.assignee, case.assignee) if case.assignee else None,
        outcome=case.facts.outcome,
        fields=own.fields,
        data=own.data,
        deadlines=tuple(deadline_view(d, svc.calendar, now) for d in case.deadlines),
        events=tuple(event_view(case, e, reveal, names, labels) for e in case.events),
        allowed_actions=tuple(
            ActionChoice(a.name, a.label, case.workflow.choices(a.name, case.facts))
            for a in allowed
        ),
        version=case.head_seq,
        warnings=own.warnings,
        documents=tuple(record for _, record in sorted(case.documents.items())),
        findings=_open_findings(uow, case) if findings else None,
    )


def _open_findings(uow: UnitOfWork, case: Case) -> tuple[OpenFinding, ...]:
    """The open audit findings on a case the reader may read (checked by the caller, as the
    case itself was: the findings are read by the same rule)."""
    return tuple(uow.repo.case_findings(uow.repo.case_id(case.ref)))


def _allowed_actions(
    svc: Services, uow: UnitOfWork, case: Case, reader: Actor, now: datetime
) -> list[ActionSpec]:
    """What ``reader`` may take now: an action of the case's state for a role they hold, if
    they work in the case's own agency (``act`` refuses anyone else) and the type's rules
    leave some input that passes (``Workflow.possible``: no 当场答复 after the day of receipt,
    no second 延期, no 报送 without a letter to answer)."""
    if reader.agency_code != case.agency_code:
        return []
    offered = case.workflow.case_type.allowed_actions(case.state or "", *reader.held_roles)
    return [
        spec
        for spec in offered
        if case.workflow.possible(
            spec.name,
            case.facts,
            case.workflow.context(case, now, svc.calendar, uow, reader.acting_as(spec.roles)),
        )
    ]


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a list shows. Without a type: every type; without an agency: every agency
    the reader may read; ``open_only``: those not yet done (each type's ``open`` states)."""

    case_type: str | None = None
    agency: str | None = None
    include_children: bool = False
    states: frozenset[str] = frozenset()  # exactly these states (open or not), if given
    open_only: bool = True
    assignee: str | None = None
    ref_contains: str | None = None
    outcome: str | None = None
    overdue: bool = False  # only cases whose nearest running deadline has passed
    due_within: int | None = None  # … falls due by the end of the N-th working day from today
    due_from: date | None = None  # … falls due on or after this Beijing day
    due_to: date | None = None  # … on or before this Beijing day
    opened_from: date | None = None  # opened on or after this Beijing day
    opened_to: date | None = None  # … on or before this Beijing day
    closed_from: date | None = None  # left its open states on or after this Beijing day
    closed_to: date | None = None  # … on or before this Beijing day
    channel: str | None = None  # how it arrived (a request's 渠道, an incident's platform)
    text: str | None = None  # in its description, title or applicant (``workflow.search``)
    awaiting_approval: bool = False  # only cases in a state their type declares ``approvals``
    awaiting_receipt: bool = False  # … in a state it declares ``awaiting_receipt``

    def query_window(
        self, now: datetime, calendar: WorkingCalendar
    ) -> tuple[datetime | None, datetime | None, datetime | None, datetime | None]:
        """(due after, due by, opened from, opened before) as instants, from the days and
        counts asked for (T-2: a limit of day D ends at 24:00 of D, Beijing time)."""
        for name, value in (
            ("due_from", self.due_from),
            ("due_to", self.due_to),
            ("opened_from", self.opened_from),
            ("opened_to", self.opened_to),
            ("closed_from", self.closed_from),
            ("closed_to", self.closed_to),
        ):
            if value is not None and not date(2008, 1, 1) <= value <= date(2100, 12, 31):
                raise InvalidInput(f"{name} {value.isoformat()} 超出可查询的范围（2008–2100 年）")
        ends = [end_of_day(self.due_to)] if self.due_to else []
        if self.overdue:
            ends.append(now)
        if self.due_within is not None:
            if not 0 <= self.due_within <= 366:
                raise InvalidInput(f"due_within 应为 0–366 个工作日，实为 {self.due_within}")
            today = local_date(now)
            last = (
                calendar.add_working_days(today, self.due_within).due_date
                if self.due_within
                else today
            )
            ends.append(end_of_day(last))
        return (
            end_of_day(self.due_from - timedelta(days=1)) if self.due_from else None,
            min(ends) if ends else None,
            end_of_day(self.opened_from - timedelta(days=1)) if self.opened_from else None,
            end_of_day(self.opened_to) if self.opened_to else None,
        )


@dataclass(frozen=True)
class CaseSummary:
    """One row of a list: the case, what its type shows in lists, and its deadlines.

    ``deadline`` is the one the list is sorted by (``Case.queue_deadline``: the nearest
    running limit, else a paused one, shown as paused), so its name, due instant, time left
    and badge say why the row stands where it does. ``reference`` is the limit the type
    always lists (``Workflow.reference_deadline``: a request's reply limit), whether or not
    it is the nearest; None when the type names none or the case has not got it yet.
    """

    header: CaseHeader
    assignee: str | None
    columns: tuple[Field, ...]
    data: Mapping[str, Any]
    deadline: DeadlineView | None
    version: int = 0  # the case's version: a list's caller may act with it (If-Match)
    reference: DeadlineView | None = None
    assignee_name: str | None = None  # the assignee's Chinese name (the username if unknown)

    @property
    def ref(self) -> str:
        return self.header.ref


@dataclass(frozen=True)
class CasePage:
    cases: tuple[CaseSummary, ...]
    next_after: str | None = None  # give as ``after`` for the next page; None: the last page
    filters: CaseFilter = field(default_factory=CaseFilter)


def list_cases(
    svc: Services,
    reader: Actor,
    filters: CaseFilter | None = None,
    *,
    after: str | None = None,
    limit: int = 50,
) -> CasePage:
    """Cases the reader may read, least time left first (the nearest running deadline; cases
    with none, their limits paused or not yet started, last), in pages of ``limit``:
    ``after`` is the previous page's ``next_after``. Each row shows the deadline it is
    sorted by (``CaseSummary.deadline``)."""
    filters = filters or CaseFilter()
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"每页条数须在 1–{MAX_PAGE} 之间，实为 {limit}")
    catalogue = svc.config.case_types
    types = [catalogue.find(filters.case_type)] if filters.case_type else list(catalogue.values())
    states: dict[str, frozenset[str] | None] = {}
    # a closing date asks for closed cases: the open-only default would leave none
    open_only = filters.open_only and not (filters.closed_from or filters.closed_to)
    text = normalised(filters.text or "") or None
    if text is not None and len(text) > MAX_SEARCH:
        raise InvalidInput(f"检索文字过长（最多 {MAX_SEARCH} 个字）", {"text": "过长"})
    for wf in types:
        wanted = wf.case_type.open_states if open_only else None
        if filters.awaiting_approval:  # the approvals inbox: each type's own such states
            wanted = wf.case_type.approval_states
        if filters.awaiting_receipt:  # received, the receipt date not yet confirmed (D-2)
            wanted = wf.case_type.receipt_states
        if filters.states:  # the states asked for, open or not
            unknown = sorted(filters.states - set(wf.case_type.states))
            if filters.case_type and unknown:
                known = "、".join(wf.case_type.states)
                raise InvalidInput(f"{wf.case_type.label}没有状态 {unknown[0]!r}（现有：{known}）")
            wanted = frozenset(filters.states & set(wf.case_type.states))
        states[wf.name] = wanted
    check_states(types, filters.states)
    check_outcome(types, filters.outcome)
    now = svc.clock.now()
    window = filters.query_window(now, svc.calendar)
    with svc.reading() as uow:
        agencies = uow.repo.agencies()
        names = {a.code: a.name for a in agencies}
        codes = scope_of(uow, reader).narrowed(
            filters.agency, filters.include_children, agency_tree(agencies)
        )
        check_channel(
            types,
            filters.channel,
            lambda free: uow.repo.channels(free, agency_ids(agencies, codes), SHOWN + 1),
        )
        due_after, due_by, opened_from, opened_before = window
        query = CaseQuery(
            states=states,
            agency_ids=agency_ids(agencies, codes),
            assignee=filters.assignee,
            ref_contains=filters.ref_contains,
            outcome=filters.outcome,
            due_after=due_after,
            due_by=due_by,
            opened_from=opened_from,
            opened_before=opened_before,
            closed_from=_day_start(filters.closed_from),
            closed_before=_day_start(filters.closed_to, 1),
            channel=filters.channel or None,
            text=text,
            personal_agency_ids=_personal_scope(reader, agencies) if text else (),
            after=ListPosition.decode(after) if after else None,
            limit=limit + 1,  # one more tells whether there is a next page
            running_at=now,  # what the rows show runs at this instant (``Case.queue_deadline``)
        )
        found = uow.repo.page(query)
        cases = []
        for record, _ in found[:limit]:
            try:  # the stored facts; a row without them (an old format) is replayed once
                cases.append(_listed(svc, uow, record))
            except DamagedHistory as exc:  # one damaged case must not hide all the others
                log.error(
                    "case.damaged", case_ref=record.ref, position=exc.position, cause=exc.reason
                )
        # People read the assignee by name (one query a page, none without assignees).
        people = uow.repo.names(c.assignee for c in cases if c.assignee)
    more = len(found) > limit
    return CasePage(
        cases=tuple(_summary(svc, case, now, names, people) for case in cases),
        next_after=found[limit - 1][1].encode() if more else None,
        filters=filters,
    )


def _listed(svc: Services, uow: UnitOfWork, record: CaseRecord) -> Case:
    """A list's row, restored once per stored row and calendar when the services keep them
    (``listed``); read, never changed."""
    if svc.listed is None:
        return restored(svc, uow, record)
    return svc.listed.get(record, svc.calendar, lambda: restored(svc, uow, record))


def _personal_scope(reader: Actor, agencies: list[Agency]) -> list[int]:
    """Where the reader's text search may look into personal data: where it sees it."""
    code = reader.agency_code
    if code is None or not may_see_personal_data(reader, code):
        return []
    return agency_ids(agencies, frozenset({code})) or []


def _day_start(day: date | None, later: int = 0) -> datetime | None:
    """The first instant of a Beijing day (``later`` days on), as lists compare instants."""
    return end_of_day(day + timedelta(days=later - 1)) if day is not None else None


def _summary(
    svc: Services, case: Case, now: datetime, agencies: Mapping[str, str], people: Mapping[str, str]
) -> CaseSummary:
    shown = case.queue_deadline(now)
    key = case.workflow.reference_deadline
    reference = next((d for d in case.deadlines if d.key == key), None) if key else None
    own = case.workflow.summary(case)
    view = deadline_view(shown, svc.calendar, now) if shown is not None else None
    if reference is not None and reference is not shown:  # most rows: the same limit
        reference_view: DeadlineView | None = deadline_view(reference, svc.calendar, now)
    else:
        reference_view = view if reference is not None else None
    return CaseSummary(
        header=replace(case_header(case), agency_name=agencies.get(case.agency_code)),
        assignee=case.assignee,
        columns=own.fields,
        data=own.data,
        deadline=view,
        version=case.head_seq,
        reference=reference_view,
        assignee_name=people.get(case.assignee, case.assignee) if case.assignee else None,
    )


@dataclass(frozen=True)
class CaseTimeline:
    """A case's whole history for one reader (SPEC A-3)."""

    header: CaseHeader
    reader: str
    entries: tuple[TimelineEntry, ...]
    findings: tuple[OpenFinding, ...] = ()  # open audit findings on it (``CaseDetail``)


def case_timeline(svc: Services, reader: Actor, ref: str) -> CaseTimeline:
    """Every event with who did it, the deadlines as they stood after it, the input masked
    unless the reader may see personal data."""
    with svc.reading() as uow:
        case = readable_case(svc, uow, reader, ref)
        names = _names(uow, case)
        named = _header(uow, case)
        findings = _open_findings(uow, case)
    header = Case(ref=case.ref, workflow=case.workflow, agency_code=case.agency_code)
    reveal = may_see_personal_data(reader, case.agency_code)
    entries = timeline(header, case.events, svc.calendar, names, reveal)
    return CaseTimeline(named, reader.username, tuple(entries), findings)
