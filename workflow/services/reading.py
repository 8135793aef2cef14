"""Reading use cases on cases: one case in detail, lists and search, a case's history.

Each takes the reader and shows only what the reader may read (``workflow.access``): a
case outside the reader's scope is "not found", exactly like one that does not exist;
personal data is masked unless the reader works the case's agency. Each returns plain
data (``CaseDetail``, ``CasePage``, ``CaseTimeline``) that any front end renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from govflow.workflow.access import may_see_personal_data
from govflow.workflow.actors import SYSTEM, Actor
from govflow.workflow.audit import TimelineEntry, timeline
from govflow.workflow.cases import Case
from govflow.workflow.contract import Field
from govflow.workflow.errors import DamagedHistory, InvalidInput
from govflow.workflow.ports import CaseQuery, ListPosition, UnitOfWork
from govflow.workflow.services.base import (
    Services,
    agency_ids,
    agency_tree,
    load_case,
    readable_case,
    scope_of,
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


@dataclass(frozen=True)
class ActionChoice:
    name: str
    label: str


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

    @property
    def ref(self) -> str:
        return self.header.ref


def _names(uow: UnitOfWork, case: Case) -> dict[str, str]:
    names = uow.repo.names({e.actor for e in case.events} - {SYSTEM.username})
    return {SYSTEM.username: SYSTEM.name, **names}


def case_detail(svc: Services, reader: Actor, ref: str) -> CaseDetail:
    """The case as ``reader`` may see it (SPEC section 1; seed 004 item 37 for masking)."""
    now = svc.clock.now()
    with svc.uow() as uow:
        case = readable_case(svc, uow, reader, ref)
        reveal = may_see_personal_data(reader, case.agency_code)
        own = case.workflow.view(case, reveal, uow, now)
        names = _names(uow, case)
    labels = action_labels(case)
    allowed = case.workflow.case_type.allowed_actions(case.state or "", *reader.held_roles)
    return CaseDetail(
        header=case_header(case),
        assignee=case.assignee,
        outcome=case.facts.outcome,
        fields=own.fields,
        data=own.data,
        deadlines=tuple(deadline_view(d, svc.calendar, now) for d in case.deadlines),
        events=tuple(event_view(case, e, reveal, names, labels) for e in case.events),
        allowed_actions=tuple(ActionChoice(a.name, a.label) for a in allowed),
    )


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


@dataclass(frozen=True)
class CaseSummary:
    """One row of a list: the case, what its type shows in lists, and its deadline."""

    header: CaseHeader
    assignee: str | None
    columns: tuple[Field, ...]
    data: Mapping[str, Any]
    deadline: DeadlineView | None  # the type's list deadline, else the nearest running one

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
    """Cases the reader may read, least time left first (the nearest running deadline), in
    pages of ``limit``: ``after`` is the previous page's ``next_after``."""
    filters = filters or CaseFilter()
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"每页条数须在 1–{MAX_PAGE} 之间，实为 {limit}")
    catalogue = svc.config.case_types
    types = [catalogue.find(filters.case_type)] if filters.case_type else list(catalogue.values())
    states: dict[str, frozenset[str] | None] = {}
    for wf in types:
        wanted = wf.case_type.open_states if filters.open_only else None
        if filters.states:  # the states asked for, open or not
            unknown = sorted(filters.states - set(wf.case_type.states))
            if filters.case_type and unknown:
                known = "、".join(wf.case_type.states)
                raise InvalidInput(f"{wf.case_type.label}没有状态 {unknown[0]!r}（现有：{known}）")
            wanted = frozenset(filters.states & set(wf.case_type.states))
        states[wf.name] = wanted
    now = svc.clock.now()
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        codes = scope_of(uow, reader).narrowed(
            filters.agency, filters.include_children, agency_tree(agencies)
        )
        query = CaseQuery(
            states=states,
            agency_ids=agency_ids(agencies, codes),
            assignee=filters.assignee,
            ref_contains=filters.ref_contains,
            after=ListPosition.decode(after) if after else None,
            limit=limit + 1,  # one more tells whether there is a next page
        )
        found = uow.repo.page(query)
        cases = []
        for ref, _ in found[:limit]:
            try:
                cases.append(load_case(svc, uow, ref))
            except DamagedHistory as exc:  # one damaged case must not hide all the others
                log.error("case.damaged", case_ref=ref, position=exc.position, cause=exc.reason)
    more = len(found) > limit
    return CasePage(
        cases=tuple(_summary(svc, case, now) for case in cases),
        next_after=found[limit - 1][1].encode() if more else None,
        filters=filters,
    )


def _summary(svc: Services, case: Case, now: Any) -> CaseSummary:
    key = case.workflow.list_deadline
    shown = next((d for d in case.deadlines if d.key == key), None) if key else case.next_deadline
    own = case.workflow.summary(case)
    return CaseSummary(
        header=case_header(case),
        assignee=case.assignee,
        columns=own.fields,
        data=own.data,
        deadline=deadline_view(shown, svc.calendar, now) if shown is not None else None,
    )


@dataclass(frozen=True)
class CaseTimeline:
    """A case's whole history for one reader (SPEC A-3)."""

    header: CaseHeader
    reader: str
    entries: tuple[TimelineEntry, ...]


def case_timeline(svc: Services, reader: Actor, ref: str) -> CaseTimeline:
    """Every event with who did it, the deadlines as they stood after it, the input masked
    unless the reader may see personal data."""
    with svc.uow() as uow:
        case = readable_case(svc, uow, reader, ref)
        names = _names(uow, case)
    header = Case(ref=case.ref, workflow=case.workflow, agency_code=case.agency_code)
    reveal = may_see_personal_data(reader, case.agency_code)
    entries = timeline(header, case.events, svc.calendar, names, reveal)
    return CaseTimeline(case_header(case), reader.username, tuple(entries))
