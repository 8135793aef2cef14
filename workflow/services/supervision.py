"""The supervisor's tamper-evidence screens (SPEC A-2): chain verification over the
supervisor's agency tree, and the checkpoints taken over it.

The same use cases as ``govflow audit verify`` / ``audit checkpoint`` (``integrity``), and
what earlier verifications found and none since cleared (the dashboard's count, the list),
narrowed to the tree the supervisor's screens cover (``supervised_agency``): anyone but a
supervisor is refused before anything is read. A separate module because ``reports``
(which names the supervisor's tree) already builds on ``integrity``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from govflow.workflow.access import reaches_below
from govflow.workflow.actors import Actor
from govflow.workflow.checkpoints import CheckpointRecord, scope_label
from govflow.workflow.events import Finding, OpenFinding
from govflow.workflow.services.base import Services
from govflow.workflow.services.base import scope_of as read_scope_of
from govflow.workflow.services.integrity import (
    flagged_case_count,
    recorded_findings,
    verify_cases,
)
from govflow.workflow.services.reports import supervised_agency

CHECKPOINTS_READ = 1000  # newest noted checkpoints looked at; those outside scope are dropped
FINDINGS_LISTED = 500  # open findings a page lists; the count of cases says how many there are


@dataclass(frozen=True)
class Verification:
    """What one verification of the supervisor's tree found."""

    agency: str
    cases_checked: int
    findings: tuple[Finding, ...]


def verify_supervised(svc: Services, reader: Actor) -> Verification:
    """Verify every case of the supervisor's agency and those below it (chains, MACs,
    derived rows); the findings are recorded as ``audit verify`` records them, so the
    reports over those agencies refuse until a later verification finds them clean."""
    agency = supervised_agency(reader)
    checked = 0
    findings: list[Finding] = []
    for _ref, found in verify_cases(
        svc, reader, agency_code=agency, include_children=reaches_below(reader)
    ):
        checked += 1
        findings.extend(found)
    return Verification(agency, checked, tuple(findings))


def flagged_in_tree(svc: Services, reader: Actor) -> int:
    """How many cases of the supervisor's tree have audit findings no later verification
    cleared (the dashboard's count; one query)."""
    return flagged_case_count(
        svc, reader, supervised_agency(reader), include_children=reaches_below(reader)
    )


def supervised_findings(svc: Services, reader: Actor) -> list[OpenFinding]:
    """The open findings of the supervisor's tree, oldest first, at most
    ``FINDINGS_LISTED``: what the verification page lists before anything is run again."""
    agency = supervised_agency(reader)
    return recorded_findings(
        svc, reader, agency, include_children=reaches_below(reader), limit=FINDINGS_LISTED
    )


def supervised_agency_name(svc: Services, reader: Actor) -> str:
    """The Chinese name of the agency whose tree the supervisor's screens cover (what the
    verification and checkpoint pages name; ``supervised_agency`` gives its code)."""
    code = supervised_agency(reader)
    with svc.uow() as uow:
        return uow.repo.agency(code).name


@dataclass(frozen=True)
class TakenCheckpoint:
    """A checkpoint noted, as people read it: its scope and who took it by name."""

    taken_at: datetime
    scope: str  # ``示范县人民政府办公室（含下级机关）`` or ``全部案件`` (``scope_label``)
    cases: int
    digest: str
    actor: str | None  # the username of who took it
    actor_name: str | None  # their name (None: unknown, or nobody)


def supervised_checkpoints(svc: Services, reader: Actor, limit: int = 100) -> list[TakenCheckpoint]:
    """The checkpoints noted whose scope lies within the supervisor's (newest first): one of
    an agency the supervisor may read, or of every case if the supervisor reads them all."""
    supervised_agency(reader)
    with svc.uow() as uow:
        scope = read_scope_of(uow, reader)
        agencies = uow.repo.agencies()
        every = all(scope.covers(a.code) for a in agencies)
        noted = uow.repo.checkpoints(CHECKPOINTS_READ)
        shown = [
            c
            for c in noted
            if (scope.covers(str(c.scope["agency"])) if c.scope.get("agency") else every)
        ][:limit]
        people = uow.repo.names(c.actor for c in shown if c.actor)
    names = {a.code: a.name for a in agencies}
    return [_taken(c, names, people) for c in shown]


def _taken(
    c: CheckpointRecord, agencies: Mapping[str, str], people: Mapping[str, str]
) -> TakenCheckpoint:
    return TakenCheckpoint(
        taken_at=c.taken_at,
        scope=scope_label(c.scope, agencies),
        cases=c.cases,
        digest=c.digest,
        actor=c.actor,
        actor_name=people.get(c.actor) if c.actor else None,
    )
