"""Upkeep of stored cases: the use cases that bring what is stored back in step with the
events and the calendar, rather than record a clerk's decision.

``check_projection`` compares a case's rows with a rebuild from its events (what the
tests hold empty), ``fill_stored_facts`` stores the facts of cases written before they
were kept (after migrating), and ``recompute_deadlines`` moves limits after a
calendar update (T-4). Apart from ``services.cases`` because they work over stored cases,
each in its own transaction, for an operator or a calendar import, never for one action;
they write through ``cases.save`` like every writer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import structlog

from govflow.workflow.cases import DEADLINES_RECOMPUTED, Case
from govflow.workflow.services.base import Services, load_case, replayed
from govflow.workflow.services.cases import save

log = structlog.get_logger(__name__)

FILL_BATCH = 500


def check_projection(svc: Services, ref: str) -> list[str]:
    """What differs from a rebuild from the events alone (should be nothing): the deadlines
    whose stored row differs, by key; the stored facts, by the fact's name or the
    deadline's key (``facts`` when none are stored); the chain head."""
    with svc.uow() as uow:
        record = uow.repo.get(ref)
        rebuilt = replayed(svc, uow, record)
        stored = uow.repo.stored_deadlines(ref)
    rows = {d.key: d.to_json() for d in rebuilt.deadlines}
    found = {key for key in set(stored) | set(rows) if stored.get(key) != rows.get(key)}
    kept = Case.of_record(record, rebuilt.workflow)
    if not kept.restore(record.facts, svc.calendar):
        found.add("facts")
    else:
        found |= set(kept.facts_differences(rebuilt))
    if (record.head_seq, record.head_hash) != (rebuilt.head_seq, rebuilt.head_hash):
        found.add("head")
    return sorted(found)


def fill_stored_facts(svc: Services, batch: int = FILL_BATCH) -> int:
    """Store the facts of every case that has none of the current format (written before
    they were stored, migration 0008), by replaying its events; returns how many. Each
    case in its own short transaction; one acted on meanwhile already has them."""
    done, after = 0, None
    while True:
        with svc.uow() as uow:
            refs = uow.repo.refs_without_facts(after, batch)
        for _, ref in refs:
            with svc.uow() as uow:
                case = replayed(svc, uow, uow.repo.get(ref))
                if uow.repo.store_facts(case):
                    uow.commit()
                    done += 1
        if len(refs) < batch:
            return done
        after = refs[-1][0]


def recompute_deadlines(
    svc: Services,
    refs: Sequence[str] | None = None,
    *,
    reason: str = "节假日安排更新",
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """T-4: after a calendar update, recompute the deadlines of ``refs`` (default: the cases
    with a provisional deadline) and record each change with ``reason``; ``progress`` is
    told (done, total) as the cases are checked. Each change reported also names the limit
    (``label``: 答复期限) for people; the event records the change alone."""
    changed: list[tuple[str, dict[str, Any]]] = []
    if refs is None:
        with svc.uow() as uow:
            refs = uow.repo.refs_with_provisional_deadlines()
    for done, ref in enumerate(refs, start=1):
        if progress is not None:
            progress(done, len(refs))
        with svc.uow() as uow:
            case = load_case(svc, uow, ref)
            stored = uow.repo.stored_deadlines(ref)
            changes = {
                d.key: {
                    "from": stored.get(d.key, {}).get("due_date"),
                    "to": d.to_json()["due_date"],
                    "provisional": d.provisional,
                }
                for d in case.deadlines
                if stored.get(d.key, {}).get("due_date") != d.to_json()["due_date"]
                or stored.get(d.key, {}).get("provisional") != d.provisional
            }
            if not changes:
                continue
            now = svc.clock.now()
            before = len(case.events)
            case.record_system_event(
                DEADLINES_RECOMPUTED,
                {"changes": changes, "reason": reason},
                now,
                svc.calendar,
            )
            save(svc, uow, case, case.events[before:], now, reconcile=True)
            uow.commit()
            labels = {d.key: d.label for d in case.deadlines}
            changed.append((ref, {k: {**v, "label": labels[k]} for k, v in changes.items()}))
            log.info("deadlines.recomputed", case_ref=ref, keys=sorted(changes))
    return changed
