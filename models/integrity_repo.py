"""The reads behind tamper evidence (SPEC A-2): chains in batches, heads, checkpoints.

Every query here is keyset-paginated or bounded by the caller's batch, and selects plain
columns, so checking a million cases keeps no ORM objects and no more than one batch in
memory. ``Repository`` inherits these queries (``uow.repo.chain_batch(…)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, cast, func, select, tuple_
from sqlalchemy.orm import Session

from govflow.models.tables import CaseRow, CheckpointRow, EventRow
from govflow.workflow.checkpoints import CurrentHead, Head
from govflow.workflow.events import CaseEvent


@dataclass(frozen=True)
class CaseChain:
    """One case's stored head and its events in stored order (seq, then row id)."""

    case_id: int
    ref: str
    head_seq: int
    head_hash: str
    events: list[CaseEvent]
    case_type: str | None = None  # with the stored facts, when asked for (``with_facts``)
    facts: str | None = None


_EVENT_COLUMNS = (
    EventRow.seq,
    EventRow.occurred_at,
    EventRow.actor,
    EventRow.actor_role,
    EventRow.action,
    EventRow.state_before,
    EventRow.state_after,
    cast(EventRow.data, Text),  # the text as stored: hashed as it is, not decoded
    EventRow.prev_hash,
    EventRow.hash,
)


class IntegrityQueries:
    """Mixed into ``Repository``: needs only its ``session``."""

    session: Session

    def chain_batch(
        self,
        after_id: int | None,
        limit: int,
        ref: str | None = None,
        agency_ids: list[int] | None = None,
        until_id: int | None = None,
        with_facts: bool = False,
    ) -> list[CaseChain]:
        """The next ``limit`` cases in scope after case id ``after_id`` (None: from the first)
        and up to ``until_id`` (None: to the last), each with its events, whose data is the
        JSON text as stored (``CaseEvent.data_text``; ``data`` None); ``with_facts``: and
        the case type and stored facts (to check them against a replay).

        One statement per batch: the page of heads (keyset, ``id > :after ORDER BY id
        LIMIT :limit``) joined to its events. Heads and events so come from one snapshot:
        a case acted on while a long verify runs is not reported as tampered, as it would
        be were its new event read after its older head (an "inserted" event).
        """
        extra = (CaseRow.case_type, CaseRow.facts) if with_facts else ()
        scoped = _scoped(
            select(CaseRow.id, CaseRow.ref, CaseRow.head_seq, CaseRow.head_hash, *extra),
            after_id,
            ref,
            agency_ids,
        )
        if until_id is not None:
            scoped = scoped.where(CaseRow.id <= until_id)
        heads = scoped.order_by(CaseRow.id).limit(limit).subquery("heads")
        stmt = (
            select(heads.c.id, heads.c.ref, heads.c.head_seq, heads.c.head_hash, *_EVENT_COLUMNS)
            .add_columns(*(heads.c[c.key] for c in extra))
            .outerjoin(EventRow, EventRow.case_id == heads.c.id)
            .order_by(heads.c.id, EventRow.seq, EventRow.id)
        )
        chains: list[CaseChain] = []
        # Core execution: the ORM's result processing costs ~15 % of a verify and buys nothing.
        rows = self.session.connection().execute(stmt).all()  # one fetch, not a row at a time
        for case_id, ref_, head_seq, head_hash, seq, at, actor, role, action, *rest in rows:
            if not chains or chains[-1].case_id != case_id:
                chains.append(CaseChain(case_id, ref_, head_seq, head_hash, [], *rest[5:]))
            if seq is not None:  # a case without events has one row of NULLs
                before, after, text, prev_hash, hash_ = rest[:5]
                chains[-1].events.append(
                    CaseEvent(
                        ref_,
                        seq,
                        at,
                        actor,
                        role,
                        action,
                        before,
                        after,
                        None,
                        prev_hash,
                        hash_,
                        text,
                    )
                )
        return chains

    def id_range(
        self, ref: str | None = None, agency_ids: list[int] | None = None
    ) -> tuple[int, int] | None:
        """The lowest and highest case id in scope (None: no case), to split a verify."""
        low, high = self.session.execute(
            _scoped(select(func.min(CaseRow.id), func.max(CaseRow.id)), None, ref, agency_ids)
        ).one()
        return None if low is None else (low, high)

    def head_batch(
        self, after_id: int | None, limit: int, agency_ids: list[int] | None = None
    ) -> list[tuple[int, Head]]:
        """The next ``limit`` case heads in scope, in id order, with their ids (the keyset)."""
        stmt = (
            _scoped(
                select(CaseRow.id, CaseRow.ref, CaseRow.head_seq, CaseRow.head_hash),
                after_id,
                None,
                agency_ids,
            )
            .order_by(CaseRow.id)
            .limit(limit)
        )
        return [(row[0], Head(row[1], row[2], row[3])) for row in self.session.execute(stmt)]

    def current_heads(self, recorded: Sequence[Head]) -> dict[str, CurrentHead]:
        """For heads recorded in a checkpoint: each case's head now, and the hash(es) stored at
        the recorded position. A case that no longer exists is absent from the answer."""
        cases = {
            ref: (case_id, head_seq)
            for case_id, ref, head_seq in self.session.execute(
                select(CaseRow.id, CaseRow.ref, CaseRow.head_seq).where(
                    CaseRow.ref.in_({h.ref for h in recorded})
                )
            )
        }
        wanted = {(cases[h.ref][0], h.head_seq) for h in recorded if h.ref in cases}
        hashes: dict[tuple[int, int], list[str]] = {}
        if wanted:
            rows = self.session.execute(
                select(EventRow.case_id, EventRow.seq, EventRow.hash).where(
                    tuple_(EventRow.case_id, EventRow.seq).in_(sorted(wanted))
                )
            )
            for case_id, seq, hash_ in rows:
                hashes.setdefault((case_id, seq), []).append(hash_)
        return {
            h.ref: CurrentHead(
                head_seq=cases[h.ref][1],
                hashes_at_recorded=tuple(hashes.get((cases[h.ref][0], h.head_seq), ())),
            )
            for h in recorded
            if h.ref in cases
        }

    def record_checkpoint(
        self,
        taken_at: datetime,
        scope: dict[str, Any],
        cases: int,
        digest: str,
        actor: str | None,
    ) -> None:
        self.session.add(
            CheckpointRow(taken_at=taken_at, scope=scope, cases=cases, digest=digest, actor=actor)
        )


def _scoped(
    stmt: Select[Any], after_id: int | None, ref: str | None, agency_ids: list[int] | None
) -> Select[Any]:
    """Keyset and scope: cases after ``after_id``, of one reference or of these agencies."""
    if after_id is not None:
        stmt = stmt.where(CaseRow.id > after_id)
    if ref is not None:
        stmt = stmt.where(CaseRow.ref == ref)
    if agency_ids is not None:
        stmt = stmt.where(CaseRow.agency_id.in_(agency_ids))
    return stmt
