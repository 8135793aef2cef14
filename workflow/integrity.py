"""Tamper evidence at scale (SPEC A-2): verify every chain; take and check checkpoints.

A supervisor runs these over a whole county's history — a million cases and more — on a
live system. So cases are read in batches by keyset (``id > last``), each batch in its
own short unit of work with its events in the same statement: memory stays at one
batch, no transaction stays open for the whole run, and a case acted on meanwhile is read
consistently. The hash-chain rules themselves are in ``workflow.events``, the checkpoint
format and comparison in ``workflow.checkpoints``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from govflow.workflow.checkpoints import Head, Header, compare
from govflow.workflow.errors import NotFound
from govflow.workflow.events import Finding, verify_chain

if TYPE_CHECKING:
    from govflow.workflow.services import Services

VERIFY_BATCH = 500  # cases per query, with their events: ~50 KiB a case at most in memory
CHECK_BATCH = 1000

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
) -> Iterator[tuple[str, list[Finding]]]:
    """A-2 at scale: each case in scope, in id order, with its findings.

    ``batch`` cases are fetched at a time with all their events (one query), then each
    chain is checked on its own. Scope: one case, one agency (with the agencies below it
    if asked), or everything.
    """
    agency_ids = _agency_ids(svc, agency_code, include_children)
    after: int | None = None
    found = False
    while True:
        with svc.uow() as uow:
            chains = uow.repo.chain_batch(after, batch, case_ref, agency_ids)
        for chain in chains:
            found = True
            yield chain.ref, verify_chain(chain.ref, chain.events, chain.head_seq, chain.head_hash)
        if len(chains) < batch:
            break
        after = chains[-1].case_id
    if case_ref is not None and not found:
        raise NotFound(f"没有编号为 {case_ref} 的案件")


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
