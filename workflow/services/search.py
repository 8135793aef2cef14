"""Search across cases (案件查询, issue 12): what a search form may offer a reader, and
every case a search finds, for an export.

The filters are the lists' own (``CaseFilter``, ``list_cases``); this module adds the
choices a form shows — only the agencies the reader may read, the declared types and
their states, the outcome codes — and the walk over all pages that an export needs,
bounded so one click cannot read a whole province.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from govflow.workflow.actors import Actor
from govflow.workflow.services.base import Services, agency_tree, scope_of
from govflow.workflow.services.reading import MAX_PAGE, CaseFilter, CaseSummary, list_cases

EXPORT_LIMIT = 10_000  # rows of one export; a bigger one is asked to narrow its filters


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class SearchChoices:
    case_types: tuple[Choice, ...]
    states: tuple[Choice, ...]  # every type's states, by code
    agencies: tuple[Choice, ...]  # those the reader may read, in the organisation's order
    outcomes: tuple[Choice, ...]


def search_choices(svc: Services, reader: Actor) -> SearchChoices:
    """What a search form offers ``reader``."""
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        scope = scope_of(uow, reader).narrowed(None, False, agency_tree(agencies))
    types = list(svc.config.case_types.values())
    states: dict[str, list[str]] = {}  # a code several types share is one choice
    for wf in types:
        for code, label in wf.case_type.states.items():
            if label not in states.setdefault(code, []):
                states[code].append(label)
    return SearchChoices(
        case_types=tuple(Choice(wf.name, wf.case_type.label) for wf in types),
        states=tuple(Choice(code, "/".join(labels)) for code, labels in states.items()),
        agencies=tuple(
            Choice(a.code, a.name) for a in agencies if scope is None or a.code in scope
        ),
        outcomes=tuple(Choice(code, o.label) for code, o in svc.config.outcomes.items()),
    )


def export_cases(
    svc: Services, reader: Actor, filters: CaseFilter, limit: int = EXPORT_LIMIT
) -> Iterator[CaseSummary]:
    """Every case the search finds, page after page in the list's order, at most ``limit``
    (the caller tells the reader when there were more: it asks for one more)."""
    after: str | None = None
    given = 0
    while given < limit:
        page = list_cases(svc, reader, filters, after=after, limit=min(MAX_PAGE, limit - given))
        yield from page.cases
        given += len(page.cases)
        if page.next_after is None:
            return
        after = page.next_after
