"""Search across cases (案件查询, issue 12): what a search form may offer a reader, and
every case a search finds, for an export.

The filters are the lists' own (``CaseFilter``, ``list_cases``); this module adds the
choices a form shows — only the agencies the reader may read, the declared types and
their states, the outcome codes, the people a case can be assigned to in those agencies
and the channels cases arrive by — so a person picks names, never types a code; and the
walk over all pages that an export needs, bounded so one click cannot read a whole
province.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from govflow.workflow import case_workers
from govflow.workflow.actors import Actor, Agency
from govflow.workflow.contract import Workflow
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.base import Services, agency_ids, agency_tree, scope_of
from govflow.workflow.services.reading import MAX_PAGE, CaseFilter, CaseSummary, list_cases

EXPORT_LIMIT = 10_000  # rows of one export; a bigger one is asked to narrow its filters
FREE_CHANNELS = 200  # free-text channels (an incident's platform) offered per type


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class ChoiceGroup:
    """Choices under a heading (an ``<optgroup>``): an agency's people, a type's channels."""

    label: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class SearchChoices:
    case_types: tuple[Choice, ...]
    states: tuple[Choice, ...]  # every type's states, by code
    agencies: tuple[Choice, ...]  # those the reader may read, in the organisation's order
    outcomes: tuple[Choice, ...]
    # The active accounts a case can be assigned to, by agency: the name shown, the username
    # the value (what ``CaseFilter.assignee`` matches).
    handlers: tuple[ChoiceGroup, ...] = ()
    # By type: its channel field's coded values with their labels, or, where the channel is
    # free text (an incident's platform), those its cases in the reader's scope arrived by.
    channels: tuple[ChoiceGroup, ...] = ()


def search_choices(svc: Services, reader: Actor) -> SearchChoices:
    """What a search form offers ``reader``."""
    types = list(svc.config.case_types.values())
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        scope = scope_of(uow, reader).narrowed(None, False, agency_tree(agencies))
        readable = [a for a in agencies if scope is None or a.code in scope]
        handlers = _handlers(uow, readable, scope)
        channels = _channels(uow, types, agency_ids(agencies, scope))
    states: dict[str, list[str]] = {}  # a code several types share is one choice
    for wf in types:
        for code, label in wf.case_type.states.items():
            if label not in states.setdefault(code, []):
                states[code].append(label)
    return SearchChoices(
        case_types=tuple(Choice(wf.name, wf.case_type.label) for wf in types),
        states=tuple(Choice(code, "/".join(labels)) for code, labels in states.items()),
        agencies=tuple(Choice(a.code, a.name) for a in readable),
        # The full label: the headings tell apart the "1." and "3.其他" each of them lists.
        outcomes=tuple(Choice(code, o.full_label) for code, o in svc.config.outcomes.items()),
        handlers=handlers,
        channels=channels,
    )


def _handlers(
    uow: UnitOfWork, readable: list[Agency], scope: frozenset[str] | None
) -> tuple[ChoiceGroup, ...]:
    """The people of the readable agencies a case can be assigned to, agency by agency."""
    codes = None if scope is None else sorted(scope)
    people: dict[str, list[Choice]] = {}
    for account in uow.identity.accounts(codes, False):
        # Who may be assigned a case of their own agency: the rule 指定经办人 applies.
        code = account.agency_code
        if code is not None and case_workers.refusal(account, code) is None:
            people.setdefault(code, []).append(Choice(account.username, account.name))
    return tuple(
        ChoiceGroup(a.name, tuple(sorted(people[a.code], key=lambda c: (c.label, c.code))))
        for a in readable
        if a.code in people
    )


def _channels(
    uow: UnitOfWork, types: list[Workflow], ids: list[int] | None
) -> tuple[ChoiceGroup, ...]:
    """Each type's channels (see ``SearchChoices.channels``); a type without a channel
    field, or a free-text one no case in scope has used yet, offers none."""
    groups: list[ChoiceGroup] = []
    for wf in types:
        if wf.search.channel is None:
            continue
        coded = wf.labels.values.get(wf.search.channel)
        if coded:
            choices = tuple(Choice(code, label) for code, label in coded.items())
        else:
            stored = uow.repo.channels([wf.name], ids, FREE_CHANNELS)
            choices = tuple(Choice(value, value) for value in stored)
        if choices:
            groups.append(ChoiceGroup(wf.case_type.label, choices))
    return tuple(groups)


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
