"""How ``verify`` checks cases (SPEC A-2): one range of case ids in batches, and several
ranges at once in worker processes.

A batch is ``batch`` cases read with all their events (one query) and their derived rows
(five more), each in its own short unit of work; each case's chain and MACs are checked
on the stored text (``workflow.events``), then the case is rebuilt from its events and
its rows compared with it; what the batch found is recorded before its cases are handed on.

With ``jobs`` > 1 the scope's id span is cut into ranges of ``PART_BATCHES`` batches,
checked by forked worker processes, and handed on in id order: the same cases, in the
same order, with the same findings recorded, as one process gives. A range is a few
thousand cases, and at most ``2 × jobs`` ranges are out at once, so memory stays flat
however many cases there are. The workers inherit the services by ``fork`` (the engine
opens its own connections in each: ``models.db``); where there is no ``fork``, one
process checks everything.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from govflow.workflow.cases import Case
from govflow.workflow.chain_checks import verify_chain
from govflow.workflow.documents.records import file_findings
from govflow.workflow.errors import DamagedHistory, NotFound
from govflow.workflow.escalation import Policy
from govflow.workflow.events import CaseChain, CaseEvent, Finding
from govflow.workflow.keyring import Keyring
from govflow.workflow.services.base import Services

VERIFY_BATCH = 500  # cases per query, with their events: ~50 KiB a case at most in memory
PART_BATCHES = 10  # batches per range a worker checks: 5,000 cases, a few seconds' work
MAX_VERIFY_JOBS = 64


def default_verify_jobs() -> int:
    """One worker per core, at most four: the database needs a core of its own too."""
    return max(1, min(4, os.cpu_count() or 1))


class Check:
    """One case at a time: its chain and MACs, then its derived rows against a rebuild."""

    def __init__(
        self,
        svc: Services,
        agencies: dict[int, tuple[str, str]],
        policies: dict[str, Policy],
        compare: Any,
    ) -> None:
        self.svc, self.agencies, self.policies = svc, agencies, policies
        self.compare = compare  # pure: the row mapping lives with the rows

    @classmethod
    def start(cls, svc: Services) -> Check:
        with svc.uow() as uow:
            return cls(
                svc, uow.repo.agencies_by_id(), uow.repo.policies_by_digest(), uow.repo.differences
            )

    def case(
        self, chain: CaseChain, stored: Any, keyring: Keyring | None = None, files: bool = False
    ) -> list[Finding]:
        """The case's findings; with ``files``, those of the stored files it names too."""
        findings, events = self._events(chain, stored, keyring)
        if files and events is not None and self.svc.files is not None:
            # N-2: every stored file the chain names must be there and hash to what it recorded.
            findings += file_findings(chain.ref, events, self.svc.files)
        return findings

    def _events(
        self, chain: CaseChain, stored: Any, keyring: Keyring | None
    ) -> tuple[list[Finding], list[CaseEvent] | None]:
        """Findings, and the events decoded (None when they do not decode)."""
        svc = self.svc
        findings = verify_chain(
            chain.ref, chain.events, chain.head_seq, chain.head_hash, keyring or svc.keyring
        )
        agency = self.agencies.get(chain.agency_id, ("?", "?"))
        events = None
        try:
            events = decoded(chain)
            workflow = svc.config.case_types.find(chain.case_type)
            case = Case.rebuild(chain.ref, workflow, agency[0], events, svc.calendar)
        except DamagedHistory as exc:
            return [*findings, Finding(chain.ref, exc.position, "damaged", str(exc))], events
        except NotFound as exc:  # a case type no longer declared
            return [*findings, Finding(chain.ref, 1, "damaged", str(exc))], events
        if findings:  # the events themselves are in doubt: rows compared with them say nothing
            return findings, events
        # The policy the events name (the row's may be forged: the comparison says so).
        policy = self.policies.get(case.escalation_policy or "")
        for diff in self.compare(case, stored, agency, policy, svc.calendar, svc.clock.now()):
            findings.append(
                Finding(chain.ref, case.head_seq, "derived", diff.message, diff.table, diff.column)
            )
        return findings, events


def decoded(chain: CaseChain) -> list[CaseEvent]:
    """The chain's events with their data decoded, as the fold reads them (the chain itself
    is checked on the stored text). Text that is not JSON is a damaged history."""
    events = []
    for event in chain.events:
        try:
            events.append(event.decoded())
        except ValueError as exc:
            raise DamagedHistory(chain.ref, event.seq, exc) from None
    return events


def verify_range(
    svc: Services,
    check: Check,
    agency_ids: Sequence[int] | None,
    *,
    case_ref: str | None = None,
    batch: int = VERIFY_BATCH,
    after: int | None = None,
    upto: int | None = None,
) -> Iterator[tuple[str, list[Finding]]]:
    """The cases in scope with ids in (``after``, ``upto``], in id order, with their
    findings, each batch's recorded before its cases are handed on."""
    while True:
        with svc.uow() as uow:
            chains = uow.repo.chain_batch(after, batch, case_ref, agency_ids, upto)
            stored = uow.repo.derived_rows(chains)
        results = {
            chain.case_id: check.case(chain, stored[chain.case_id], files=True) for chain in chains
        }
        if chains:
            with svc.uow() as uow:
                uow.repo.sync_findings(chains, results, svc.clock.now())
                uow.commit()
        for chain in chains:
            yield chain.ref, results[chain.case_id]
        if len(chains) < batch:
            return
        after = chains[-1].case_id


def verify_in_parts(
    svc: Services, agency_ids: Sequence[int] | None, batch: int, jobs: int
) -> Iterator[tuple[str, list[Finding]]]:
    """Every case in scope, checked by ``jobs`` worker processes over disjoint id ranges,
    handed on in id order (see the module's docstring)."""
    with svc.uow() as uow:
        first, last = uow.repo.case_id_span(agency_ids)
    if first is None or last is None:
        return
    width = batch * PART_BATCHES
    if jobs <= 1 or last - first < width or "fork" not in multiprocessing.get_all_start_methods():
        yield from verify_range(svc, Check.start(svc), agency_ids, batch=batch)
        return
    # (after, upto]: the first range starts just before the first id.
    parts = iter([(start - 1, start - 1 + width) for start in range(first, last + 1, width)])
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_start_worker, initargs=(svc, agency_ids, batch)) as pool:
        pending = deque(pool.apply_async(_verify_part, part) for part in islice(parts, 2 * jobs))
        while pending:
            done = pending.popleft().get()
            more = next(parts, None)
            if more is not None:
                pending.append(pool.apply_async(_verify_part, more))
            yield from done


# A worker's services and its check, inherited through ``fork`` and set once per process.
_worker: dict[str, Any] = {}


def _start_worker(svc: Services, agency_ids: Sequence[int] | None, batch: int) -> None:
    _worker.update(svc=svc, ids=agency_ids, batch=batch, check=Check.start(svc))


def _verify_part(after: int, upto: int) -> list[tuple[str, list[Finding]]]:
    w = _worker
    return list(
        verify_range(w["svc"], w["check"], w["ids"], batch=w["batch"], after=after, upto=upto)
    )
