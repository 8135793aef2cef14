"""Tamper evidence at scale (SPEC A-2): verify every chain; take and check checkpoints.

A supervisor runs these over a whole county's history — a million cases and more — on a
live system. So cases are read in batches by keyset (``id > last``), each batch in its
own short unit of work with its events in the same statement: memory stays at one
batch, no transaction stays open for the whole run, and a case acted on meanwhile is read
consistently. The hash-chain rules themselves are in ``workflow.events``, the checkpoint
format and comparison in ``workflow.checkpoints``.

Checking costs what hashing costs: events are read with their data as the stored text,
which is hashed as it is (nothing decoded), and with ``processes`` the id range in scope
is cut into slices checked by that many worker processes (forked: each opens its own
connections), their results handed back in id order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from govflow.workflow.cases import Case
from govflow.workflow.checkpoints import Head, Header, compare
from govflow.workflow.errors import NotFound
from govflow.workflow.events import Finding, verify_chain

if TYPE_CHECKING:
    from govflow.workflow.services import Services

VERIFY_BATCH = 500  # cases per query, with their events: ~50 KiB a case at most in memory
CHECK_BATCH = 1000
VERIFY_SLICE = 20_000  # case ids per task when several processes verify

T = TypeVar("T")


def verify_all(svc: Services) -> tuple[int, list[Finding]]:
    """A-2: check every case's chain against its stored head; returns (cases checked, findings)."""
    findings: list[Finding] = []
    checked = 0
    for _ref, case_findings in verify_cases(svc):
        findings.extend(case_findings)
        checked += 1
    return checked, findings


def verify_cases(
    svc: Services,
    *,
    case_ref: str | None = None,
    agency_code: str | None = None,
    include_children: bool = False,
    batch: int = VERIFY_BATCH,
    processes: int = 1,
    replay: bool = False,
) -> Iterator[tuple[str, list[Finding]]]:
    """A-2 at scale: each case in scope, in id order, with its findings.

    ``batch`` cases are fetched at a time with all their events (one query), then each
    chain is checked on its own. Scope: one case, one agency (with the agencies below it
    if asked), or everything. ``processes`` > 1 checks slices of the id range in that
    many worker processes. ``replay``: also replay each intact history and compare the
    facts the case row stores (what actions load) with the result (slower).
    """
    agency_ids = _agency_ids(svc, agency_code, include_children)
    if processes > 1 and case_ref is None:
        yield from _verify_in_processes(svc, agency_ids, batch, processes, replay)
        return
    after: int | None = None
    found = False
    while True:
        with svc.uow() as uow:
            # (after, limit, ref, agency ids, until id, with the stored facts)
            chains = uow.repo.chain_batch(after, batch, case_ref, agency_ids, None, replay)
        for chain in chains:
            found = True
            yield chain.ref, _check(svc, chain, replay)
        if len(chains) < batch:
            break
        after = chains[-1].case_id
    if case_ref is not None and not found:
        raise NotFound(f"没有编号为 {case_ref} 的案件")


def _check(svc: Services, chain: Any, replay: bool) -> list[Finding]:
    findings = verify_chain(chain.ref, chain.events, chain.head_seq, chain.head_hash)
    if replay and not findings:
        findings = facts_findings(chain.ref, chain.case_type, chain.facts, chain.events, svc)
    return findings


def facts_findings(
    ref: str, case_type: str, stored: str | None, events: list[Any], svc: Services
) -> list[Finding]:
    """The stored facts against a replay of the (intact) history: a mismatch is a finding."""
    rebuilt = Case.replay(Case(ref=ref, case_type=case_type, agency_code=""), events, svc.calendar)
    case = Case(ref=ref, case_type=case_type, agency_code="")
    head = rebuilt.head_seq
    if not case.restore(stored, svc.calendar):
        return [
            Finding(ref, head, "facts_missing", "案件行未保存本版本的事实（下次办理时按事件重建）")
        ]
    differences = case.facts_differences(rebuilt)
    if not differences:
        return []
    return [
        Finding(
            ref,
            head,
            "facts_mismatch",
            f"案件行保存的事实与按事件重放的结果不符：{'、'.join(differences)}",
        )
    ]


_worker_services: Services | None = None  # what a forked verify worker uses


def _verify_in_processes(
    svc: Services, agency_ids: list[int] | None, batch: int, processes: int, replay: bool
) -> Iterator[tuple[str, list[Finding]]]:
    global _worker_services
    with svc.uow() as uow:
        bounds = uow.repo.id_range(None, agency_ids)
    if bounds is None:
        return
    low, high = bounds
    slices = [
        (start, min(start + VERIFY_SLICE - 1, high), agency_ids, batch, replay)
        for start in range(low, high + 1, VERIFY_SLICE)
    ]
    _worker_services = svc  # inherited by the forked workers (their pools start afresh)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for refs, found in pool.imap(_verify_slice, slices):
                for ref in refs:
                    yield ref, found.get(ref, [])
    finally:
        _worker_services = None


def _verify_slice(
    task: tuple[int, int, Any, int, bool],
) -> tuple[list[str], dict[str, list[Finding]]]:
    """In a worker: every case with an id from ``low`` to ``high``; the references checked
    and the findings of those that have any."""
    low, high, agency_ids, batch, replay = task
    svc = _worker_services
    assert svc is not None
    refs: list[str] = []
    found: dict[str, list[Finding]] = {}
    after = low - 1
    while True:
        with svc.uow() as uow:
            chains = uow.repo.chain_batch(
                after, batch, None, agency_ids, until_id=high, with_facts=replay
            )
        for chain in chains:
            refs.append(chain.ref)
            findings = _check(svc, chain, replay)
            if findings:
                found[chain.ref] = findings
        if len(chains) < batch:
            return refs, found
        after = chains[-1].case_id


def checkpoint_heads(
    svc: Services,
    *,
    agency_code: str | None = None,
    include_children: bool = False,
    batch: int = VERIFY_BATCH,
) -> Iterator[Head]:
    """Every case head in scope, in case-id order, streamed: what a checkpoint records."""
    agency_ids = _agency_ids(svc, agency_code, include_children)
    after: int | None = None
    while True:
        with svc.uow() as uow:
            page = uow.repo.head_batch(after, batch, agency_ids)
        for _case_id, head in page:
            yield head
        if len(page) < batch:
            break
        after = page[-1][0]


def record_checkpoint(svc: Services, header: Header, digest: str, actor: str | None) -> None:
    """Note in the database that a checkpoint was taken (the digest that counts is kept
    elsewhere: this row tells a later reader which checkpoints exist and who took them)."""
    with svc.uow() as uow:
        uow.repo.record_checkpoint(header.taken_at, header.scope, header.cases, digest, actor)
        uow.commit()


def check_checkpoint(
    svc: Services, recorded: Iterable[Head], batch: int = CHECK_BATCH
) -> Iterator[tuple[Head, list[Finding]]]:
    """Each recorded head with what the database shows has happened to it since (findings).

    Heads are looked up ``batch`` at a time (two indexed queries per batch), so a file of
    any length is checked in constant memory.
    """
    for chunk in _chunks(recorded, batch):
        with svc.uow() as uow:
            current = uow.repo.current_heads(chunk)
        for head in chunk:
            yield head, compare(head, current.get(head.ref))


def _agency_ids(svc: Services, agency_code: str | None, include_children: bool) -> list[int] | None:
    if agency_code is None:
        return None
    with svc.uow() as uow:
        return uow.repo.agency_ids(agency_code, include_children)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
