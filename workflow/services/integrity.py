"""Tamper evidence at scale (SPEC A-2): verify every chain and what it implies; take and
check checkpoints; seal a history written before the installation had a key.

A supervisor runs these over a whole county's history — a million cases and more — on a
live system. So cases are read in batches by keyset (``id > last``), each batch in its
own short unit of work with its events in the same statement: memory stays at one
batch, no transaction stays open for the whole run, and a case acted on meanwhile is read
consistently. For each case, ``verify`` checks the chain and its MACs (``workflow.events``),
then rebuilds the case from its events with the fold every action uses (``Case.rebuild``)
and compares each row derived from them — the case row, deadlines, the type's own rows,
the escalation schedule — with what the events imply (the repository's ``differences``). A
case whose events no longer parse is one finding (``damaged``), not a crash. What a batch
found is recorded (``audit_findings``), so reports can refuse an agency with open findings.
The checkpoint format and comparison are in ``workflow.checkpoints``.

Each takes the reader: only the cases the reader may read are verified or recorded, and
a checkpoint is checked only by a reader whose scope holds all the cases it records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from govflow.workflow.access import agency_not_found, case_not_found, reaches_below
from govflow.workflow.actors import SYSTEM, Actor
from govflow.workflow.cases import CHAIN_SEALED
from govflow.workflow.checkpoints import Head, Header, compare, scope_of
from govflow.workflow.errors import ActionNotAllowed, Conflict, InvalidInput
from govflow.workflow.events import Finding, OpenFinding
from govflow.workflow.keyring import Keyring
from govflow.workflow.services.base import Services, agency_ids, agency_tree, load_case
from govflow.workflow.services.base import scope_of as read_scope_of
from govflow.workflow.services.cases import save
from govflow.workflow.services.verifying import (
    MAX_VERIFY_JOBS,
    VERIFY_BATCH,
    Check,
    verify_in_parts,
    verify_range,
)

CHECK_BATCH = 1000

T = TypeVar("T")


def verify_all(svc: Services, reader: Actor) -> tuple[int, list[Finding]]:
    """A-2: check every case's chain the reader may read against its stored head;
    returns (cases checked, findings)."""
    findings: list[Finding] = []
    checked = 0
    for _ref, case_findings in verify_cases(svc, reader):
        findings.extend(case_findings)
        checked += 1
    return checked, findings


def verify_cases(
    svc: Services,
    reader: Actor,
    *,
    case_ref: str | None = None,
    agency_code: str | None = None,
    include_children: bool = False,
    batch: int = VERIFY_BATCH,
    jobs: int = 1,
) -> Iterator[tuple[str, list[Finding]]]:
    """A-2 at scale: each case in scope, in id order, with its findings.

    ``batch`` cases are fetched at a time with all their events (one query) and their
    derived rows (five more), then each case is checked on its own; the batch's findings
    are recorded before its cases are handed on. Scope: one case, one agency (with the
    agencies below it if asked), or all the reader may read. ``jobs`` > 1: that many
    worker processes check disjoint id ranges; the same cases, order and findings
    (``verifying``).
    """
    if not 1 <= jobs <= MAX_VERIFY_JOBS:
        raise InvalidInput(f"并行进程数应为 1 至 {MAX_VERIFY_JOBS} 之间的整数")
    ids = _agency_ids(svc, reader, agency_code, include_children)
    if case_ref is None:
        yield from verify_in_parts(svc, ids, batch, jobs)
        return
    found = False
    for result in verify_range(svc, Check.start(svc), ids, case_ref=case_ref, batch=batch):
        found = True
        yield result
    if not found:
        raise case_not_found(case_ref)


def open_findings(
    svc: Services, reader: Actor, agency_code: str | None = None, include_children: bool = False
) -> list[Finding]:
    """Findings of past verifies not yet cleared by a later one, in the agencies asked for
    within the reader's scope: what reports refuse to run on (issue 16 item 1)."""
    ids = _agency_ids(svc, reader, agency_code, include_children)
    with svc.uow() as uow:
        rows = uow.repo.open_findings(ids)
        return [
            Finding(r.case_ref, r.position, r.kind, r.message, r.table_name, r.column_name)
            for r in rows
        ]


def flagged_case_count(
    svc: Services, reader: Actor, agency_code: str | None = None, include_children: bool = False
) -> int:
    """How many cases in the agencies asked for, within the reader's scope, have findings
    no later verify cleared: one count, for a dashboard."""
    ids = _agency_ids(svc, reader, agency_code, include_children)
    with svc.reading() as uow:
        return uow.repo.flagged_cases(ids)


def recorded_findings(
    svc: Services,
    reader: Actor,
    agency_code: str | None = None,
    include_children: bool = False,
    limit: int | None = None,
) -> list[OpenFinding]:
    """``open_findings`` with when each was found, oldest first, at most ``limit``: the
    list a person reads without running a verify again."""
    ids = _agency_ids(svc, reader, agency_code, include_children)
    with svc.reading() as uow:
        rows = uow.repo.open_findings(ids, limit)
        return [
            OpenFinding(
                r.case_ref, r.position, r.kind, r.message, r.found_at, r.table_name, r.column_name
            )
            for r in rows
        ]


def checkpoint_heads(
    svc: Services,
    reader: Actor,
    *,
    agency_code: str | None = None,
    include_children: bool = False,
    batch: int = VERIFY_BATCH,
) -> Iterator[Head]:
    """Every case head in scope, in case-id order, streamed: what a checkpoint records."""
    ids = _agency_ids(svc, reader, agency_code, include_children)
    after: int | None = None
    while True:
        with svc.uow() as uow:
            page = uow.repo.head_batch(after, batch, ids)
        for _case_id, head in page:
            yield head
        if len(page) < batch:
            break
        after = page[-1][0]


def checkpoint_scope(
    svc: Services, reader: Actor, agency_code: str | None, include_children: bool
) -> dict[str, Any]:
    """The scope a checkpoint taken by ``reader`` records: the agency asked for, or (none
    asked) all the reader may read — everything for a reader who may read every agency."""
    if agency_code is not None:
        _agency_ids(svc, reader, agency_code, include_children)  # within the reader's scope
        return scope_of(agency_code, include_children)
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        scope = read_scope_of(uow, reader)
    if all(scope.covers(a.code) for a in agencies):
        return scope_of(None)
    assert reader.agency_code is not None  # the system reads every agency
    return scope_of(reader.agency_code, include_children=reaches_below(reader))


def record_checkpoint(svc: Services, reader: Actor, header: Header, digest: str) -> None:
    """Note in the database that the reader took a checkpoint (the digest that counts is
    kept elsewhere: this row tells a later reader which checkpoints exist and who took them)."""
    with svc.uow() as uow:
        uow.repo.record_checkpoint(
            header.taken_at, header.scope, header.cases, digest, reader.username
        )
        uow.commit()


def check_checkpoint(
    svc: Services, reader: Actor, header: Header, recorded: Iterable[Head], batch: int = CHECK_BATCH
) -> Iterator[tuple[Head, list[Finding]]]:
    """Each recorded head with what the database shows has happened to it since (findings).

    The checkpoint's scope must lie within the reader's (a case it records that the reader
    may not read would otherwise show as missing). Heads are looked up ``batch`` at a time
    (two indexed queries per batch), so a file of any length is checked in constant memory.
    """
    _checkpoint_readable(svc, reader, header)
    for chunk in _chunks(recorded, batch):
        with svc.uow() as uow:
            current = uow.repo.current_heads(chunk)
        for head in chunk:
            yield head, compare(head, current.get(head.ref))


def _agency_ids(
    svc: Services, reader: Actor, agency_code: str | None, include_children: bool
) -> list[int] | None:
    """The agencies asked for, within the reader's scope (None: every agency)."""
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        scope = read_scope_of(uow, reader)
    codes = scope.narrowed(agency_code, include_children, agency_tree(agencies))
    return agency_ids(agencies, codes)


def _checkpoint_readable(svc: Services, reader: Actor, header: Header) -> None:
    agency = header.scope.get("agency")
    if agency is not None:
        _agency_ids(svc, reader, str(agency), bool(header.scope.get("include_children")))
        return
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        scope = read_scope_of(uow, reader)
    outside = [a.code for a in agencies if not scope.covers(a.code)]
    if outside:
        raise agency_not_found(outside[0])


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def seal_unkeyed(
    svc: Services, reader: Actor, batch: int = VERIFY_BATCH
) -> Iterator[tuple[str, str]]:
    """Bring a history written before the installation had a key under the key: each case
    whose last events carry no MAC gets one ``chain_sealed`` system event, keyed, whose hash
    covers everything before it. Yields (reference, ``sealed`` | ``keyed`` | a reason).

    What is honest about it: the seal vouches for the history *as it stands now*. So a case
    is sealed only when its chain is intact and every derived row matches its events; one
    with any other finding is left unsealed and named (compare with the last checkpoint
    taken before the upgrade, then repair it from a backup). A case already vouched for by
    a keyed event needs nothing. Sealing vouches for every agency's history: the system's
    (the operator's) to do.
    """
    if reader is not SYSTEM and reader.username != SYSTEM.username:
        raise ActionNotAllowed("封存历史须以 system 身份运行（运维操作，覆盖全部机关）")
    if not svc.keyring.keyed:
        raise ActionNotAllowed("未配置链密钥，无法封存")
    check = Check.start(svc)
    after: int | None = None
    while True:
        with svc.uow() as uow:
            chains = uow.repo.chain_batch(after, batch)
            stored = uow.repo.derived_rows(chains)
        for chain in chains:
            keyed = check.case(chain, stored[chain.case_id])
            if not keyed:
                yield chain.ref, "keyed"
                continue
            if any(f.kind != "unkeyed" for f in keyed):
                yield chain.ref, f"未封存：{keyed[0].message}"
                continue
            # Unkeyed only: the chain is intact; its derived rows must match it too.
            found = check.case(chain, stored[chain.case_id], Keyring())
            if found:
                yield chain.ref, f"未封存：{found[0].message}"
                continue
            yield chain.ref, _seal_one(svc, chain.ref, chain.head_seq)
        if len(chains) < batch:
            break
        after = chains[-1].case_id


def _seal_one(svc: Services, ref: str, head_seq: int) -> str:
    now = svc.clock.now()
    try:
        with svc.uow() as uow:
            case = load_case(svc, uow, ref)
            if case.head_seq != head_seq:
                return "未封存：校验后案件又有新的办理，请重新运行"
            before = len(case.events)
            case.record_system_event(
                CHAIN_SEALED,
                {
                    "sealed_events": head_seq,
                    "head_hash": case.head_hash,
                    "key_id": svc.keyring.current,
                    "reason": "启用链密钥之前写入的历史，经校验完整后封存",
                },
                now,
                svc.calendar,
            )
            save(svc, uow, case, case.events[before:], now)
            uow.commit()
    except Conflict:
        return "未封存：案件正被他人办理，请重新运行"
    return "sealed"
