"""The reads behind tamper evidence (SPEC A-2): chains in batches, heads, checkpoints.

Every query here is keyset-paginated or bounded by the caller's batch, and selects plain
columns, so checking a million cases keeps no ORM objects and no more than one batch in
memory. ``Repository`` inherits these queries (``uow.repo.chain_batch(…)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    Text,
    cast,
    func,
    literal_column,
    null,
    select,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from govflow.models.disclosure_tables import ChallengeRow, DisclosureRequestRow
from govflow.models.integrity_tables import AuditFindingRow, CheckpointRow
from govflow.models.projection import StoredCase, differences
from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    DeadlineRow,
    EscalationPolicyRow,
    EscalationScheduleRow,
    EventRow,
    FiringRow,
)
from govflow.workflow.checkpoints import CheckpointRecord, CurrentHead, Head
from govflow.workflow.escalation import Policy
from govflow.workflow.events import CaseChain, CaseEvent, Finding, OpenFinding

_CASE_COLUMNS = (
    CaseRow.id,
    CaseRow.ref,
    CaseRow.head_seq,
    CaseRow.head_hash,
    CaseRow.case_type,
    CaseRow.agency_id,
    CaseRow.version,
    CaseRow.state,
    CaseRow.assignee,
    CaseRow.outcome,
    CaseRow.escalation_policy,
    CaseRow.facts,
    CaseRow.queue_due_at,
    CaseRow.optional_due_at,
)

_EVENT_COLUMNS = (
    EventRow.seq,
    EventRow.occurred_at,
    EventRow.actor,
    EventRow.actor_role,
    EventRow.action,
    EventRow.state_before,
    EventRow.state_after,
    # The data as its stored text (not decoded): what the event's hash covers, hashed as it is.
    cast(EventRow.data, Text),
    EventRow.prev_hash,
    EventRow.hash,
    EventRow.key_id,
    EventRow.mac,
)

# An open finding as a case's readers see it, in ``OpenFinding``'s order.
_FINDING_COLUMNS = (
    AuditFindingRow.case_ref,
    AuditFindingRow.position,
    AuditFindingRow.kind,
    AuditFindingRow.message,
    AuditFindingRow.found_at,
    AuditFindingRow.table_name,
    AuditFindingRow.column_name,
)


class IntegrityQueries:
    """Mixed into ``Repository``: needs only its ``session``."""

    session: Session

    # What each derived row should hold, from a case rebuilt from its events (pure: the
    # mapping lives with the rows, so the service layer asks the repository).
    differences = staticmethod(differences)

    def chain_batch(
        self,
        after_id: int | None,
        limit: int,
        ref: str | None = None,
        agency_ids: Sequence[int] | None = None,
        upto: int | None = None,
    ) -> list[CaseChain]:
        """The next ``limit`` cases in scope after case id ``after_id`` (None: from the first)
        and up to ``upto`` (None: to the last), each with its events, their data as stored
        text (``data`` None: see ``CaseEvent``).

        One statement per batch: the page of heads (keyset, ``id > :after ORDER BY id
        LIMIT :limit``), then its events. Heads and events so come from one snapshot: a
        case acted on while a long verify runs is not reported as tampered, as it would be
        were its new event read after its older head (an "inserted" event). The two are a
        ``UNION ALL``, not a join: a join repeats the case row (its stored facts, ~1 KiB)
        on each of its events, three quarters of what the batch read.
        """
        heads = (
            _scoped(select(*_CASE_COLUMNS), after_id, ref, agency_ids, upto)
            .order_by(CaseRow.id)
            .limit(limit)
            .cte("heads")
        )
        case_part = select(
            heads.c.id.label("case_id"),
            literal_column("0").label("part"),
            *[c for c in heads.c if c.key != "id"],
            *[type_coerce(null(), c.type).label(f"e_{i}") for i, c in enumerate(_EVENT_COLUMNS)],
            null().label("event_id"),
        )
        event_part = select(
            heads.c.id,
            literal_column("1"),
            *[null() for c in heads.c if c.key != "id"],
            *_EVENT_COLUMNS,
            EventRow.id,
        ).join(EventRow, EventRow.case_id == heads.c.id)
        stmt = union_all(case_part, event_part).order_by(
            "case_id", "part", "e_0", "event_id"
        )  # events by seq, then row id
        chains: list[CaseChain] = []
        width = len(_CASE_COLUMNS) + 1
        # Core execution: the ORM's result processing costs ~15 % of a verify and buys nothing.
        for row in self.session.connection().execute(stmt).all():  # one fetch, not a row each
            if row[1] == 0:
                case_id, _, ref_, head_seq, head_hash, case_type, agency_id, version, *rest = row[
                    :width
                ]
                state, assignee, outcome, policy, facts, queue_due, optional_due = rest
                columns = {
                    "state": state,
                    "assignee": assignee,
                    "escalation_policy": policy,
                    "outcome": outcome,
                    "head_seq": head_seq,
                    "head_hash": head_hash,
                    "facts": facts,
                    "queue_due_at": queue_due,
                    "optional_due_at": optional_due,
                }
                chains.append(
                    CaseChain(
                        case_id, ref_, head_seq, head_hash, [], case_type, agency_id, version,
                        columns,
                    )
                )  # fmt: skip
                continue
            seq, at, actor, role, action, before, after, text, prev, hash_, key_id, mac = row[
                width:-1
            ]
            chains[-1].events.append(
                CaseEvent(
                    ref_, seq, at, actor, role, action, before, after, None, prev, hash_,
                    key_id, mac, text,
                )
            )  # fmt: skip
        return chains

    def case_id_span(self, agency_ids: Sequence[int] | None) -> tuple[int | None, int | None]:
        """The first and last case id in scope (None, None: no case): what ranges split."""
        stmt = _scoped(select(func.min(CaseRow.id), func.max(CaseRow.id)), None, None, agency_ids)
        first, last = self.session.connection().execute(stmt).one()
        return first, last

    def derived_rows(self, chains: Sequence[CaseChain]) -> dict[int, StoredCase]:
        """The rows derived from these cases' events, five indexed queries for the batch."""
        stored = {
            c.case_id: StoredCase(c.case_id, c.ref, c.case_type, c.agency_id, c.columns, c.version)
            for c in chains
        }
        ids = list(stored)
        if not ids:
            return stored
        conn = self.session.connection()
        deadline_columns = [c for c in DeadlineRow.__table__.columns if c.key not in ("id", "key")]
        for row in conn.execute(
            select(DeadlineRow.key, *deadline_columns).where(DeadlineRow.case_id.in_(ids))
        ).mappings():
            stored[row["case_id"]].deadlines[row["key"]] = dict(row)
        for row in conn.execute(
            select(DisclosureRequestRow).where(DisclosureRequestRow.case_id.in_(ids))
        ).mappings():
            stored[row["case_id"]].request = dict(row)
        for row in conn.execute(
            select(ChallengeRow).where(ChallengeRow.case_id.in_(ids))
        ).mappings():
            stored[row["case_id"]].challenges.append(dict(row))
        schedule_ids: dict[int, int] = {}
        for row in conn.execute(
            select(EscalationScheduleRow).where(EscalationScheduleRow.case_id.in_(ids))
        ).mappings():
            stored[row["case_id"]].schedule.append(dict(row))
            schedule_ids[row["id"]] = row["case_id"]
        if schedule_ids:
            for schedule_id, key, repeats in conn.execute(
                select(FiringRow.schedule_id, FiringRow.key, FiringRow.repeats).where(
                    FiringRow.case_id.in_(ids)
                )
            ):
                case = stored[schedule_ids[schedule_id]]
                case.firings.setdefault(schedule_id, []).append((key, repeats))
        return stored

    def policies_by_digest(self) -> dict[str, Policy]:
        """Every escalation policy ever in force (one per edit of the file: few)."""
        return {
            digest: Policy.model_validate(body)
            for digest, body in self.session.execute(
                select(EscalationPolicyRow.digest, EscalationPolicyRow.body)
            )
        }

    def agencies_by_id(self) -> dict[int, tuple[str, str]]:
        """Every agency's (code, reference prefix), by id: a few hundred rows at most."""
        return {
            agency_id: (code, prefix)
            for agency_id, code, prefix in self.session.execute(
                select(AgencyRow.id, AgencyRow.code, AgencyRow.ref_prefix)
            )
        }

    # -- findings -----------------------------------------------------------------------------

    def sync_findings(
        self,
        chains: Sequence[CaseChain],
        found: dict[int, list[Finding]],
        now: datetime,
    ) -> None:
        """Record what a verify found on these cases: new findings added, those no longer
        found cleared (kept, with the instant they were last seen wrong)."""
        ids = [c.case_id for c in chains]
        open_rows = list(
            self.session.scalars(
                select(AuditFindingRow).where(
                    AuditFindingRow.case_id.in_(ids), AuditFindingRow.cleared_at.is_(None)
                )
            )
        )
        if not open_rows and not any(found.values()):
            return
        current = {
            (case_id, f.kind, f.position, f.table, f.column): f
            for case_id, findings in found.items()
            for f in findings
        }
        for row in open_rows:
            key = (row.case_id, row.kind, row.position, row.table_name, row.column_name)
            if current.pop(key, None) is None:
                row.cleared_at = now
        agency = {c.case_id: c.agency_id for c in chains}
        for (case_id, kind, position, table, column), f in current.items():
            self.session.add(
                AuditFindingRow(
                    case_id=case_id,
                    case_ref=f.case_ref,
                    agency_id=agency.get(case_id),
                    position=position,
                    kind=kind,
                    table_name=table,
                    column_name=column,
                    message=f.message,
                    found_at=now,
                )
            )

    def open_findings(
        self, agency_ids: Sequence[int] | None, limit: int | None = None
    ) -> list[AuditFindingRow]:
        """Open findings in these agencies (None: every agency), oldest first; at most
        ``limit`` of them (None: all)."""
        stmt = select(AuditFindingRow).where(AuditFindingRow.cleared_at.is_(None))
        if agency_ids is not None:
            stmt = stmt.where(AuditFindingRow.agency_id.in_(agency_ids))
        return list(self.session.scalars(stmt.order_by(AuditFindingRow.id).limit(limit)))

    def case_findings(self, case_id: int) -> list[OpenFinding]:
        """The open findings on one case, oldest first: one query on the findings' case
        index (a case page asks it on every view; almost always it finds nothing)."""
        stmt = (
            select(*_FINDING_COLUMNS)
            .where(AuditFindingRow.case_id == case_id, AuditFindingRow.cleared_at.is_(None))
            .order_by(AuditFindingRow.id)
        )
        return [OpenFinding(*row) for row in self.session.execute(stmt)]

    def flagged_cases(self, agency_ids: Sequence[int] | None) -> int:
        """How many cases of these agencies (None: every agency) have open findings: one
        count on the findings' (agency, cleared) index."""
        stmt = select(func.count(func.distinct(AuditFindingRow.case_id))).where(
            AuditFindingRow.cleared_at.is_(None)
        )
        if agency_ids is not None:
            stmt = stmt.where(AuditFindingRow.agency_id.in_(agency_ids))
        return int(self.session.execute(stmt).scalar_one())

    def head_batch(
        self, after_id: int | None, limit: int, agency_ids: Sequence[int] | None = None
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

    def checkpoints(self, limit: int) -> list[CheckpointRecord]:
        """The checkpoints noted, newest first."""
        rows = self.session.execute(
            select(
                CheckpointRow.taken_at,
                CheckpointRow.scope,
                CheckpointRow.cases,
                CheckpointRow.digest,
                CheckpointRow.actor,
            )
            .order_by(CheckpointRow.taken_at.desc(), CheckpointRow.id.desc())
            .limit(limit)
        )
        return [CheckpointRecord(*row) for row in rows]


def _scoped(
    stmt: Select[Any],
    after_id: int | None,
    ref: str | None,
    agency_ids: Sequence[int] | None,
    upto: int | None = None,
) -> Select[Any]:
    """Keyset and scope: cases after ``after_id`` (up to ``upto``), of one reference or of
    these agencies."""
    if after_id is not None:
        stmt = stmt.where(CaseRow.id > after_id)
    if upto is not None:
        stmt = stmt.where(CaseRow.id <= upto)
    if ref is not None:
        stmt = stmt.where(CaseRow.ref == ref)
    if agency_ids is not None:
        stmt = stmt.where(CaseRow.agency_id.in_(agency_ids))
    return stmt
