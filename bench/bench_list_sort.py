"""A list's page statement before and after the stored sort columns (migration 0015), on the
same data in the same run (issue 11's and 12's queue latency).

Before, a page sorted every case its filters kept by a correlated subquery over their
deadline rows (the nearest running due instant) and then cut the first page; now it reads
``cases.queue_due_at`` along its index and merges the few cases whose optional limit is
ahead and nearer (``models.listing``). Both statements are run, interleaved, for every
agency of a kept ``bench_pages.py`` schema, as the three lists people open most:

* an office head's queue (the agency's open cases),
* a handler's queue (the open cases assigned to them),
* the overdue filter (open cases whose nearest running limit has passed).

    python bench/bench_pages.py --cases 100000 --agencies 20 --keep   # once: a schema
    python bench/bench_list_sort.py --reuse bench_pages_xxxxxxxx [--rounds 20]

Prints each shape's median and p99 time (ms) for the old and the new statement — building
it and reading its rows over loopback — and their ratio, and checks that both return the same cases in the same order.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import percentile
from bench_reports import schema_url
from sqlalchemy import Select, and_, false, func, literal, or_, select, text

from govflow.configuration import load_config
from govflow.models.db import make_engine
from govflow.models.listing import page_statement
from govflow.models.statements import with_agency
from govflow.models.tables import NO_DUE, CaseRow, DeadlineRow, UTCDateTime
from govflow.workflow.deadlines import DeadlineStatus
from govflow.workflow.ports import CaseQuery


def old_page_statement(query: CaseQuery) -> Select[Any]:
    """The statement ``Repository.page`` sent before 0015 (main at ab205b9), for the filters
    used here: every kept case sorted by a subquery over its deadline rows."""
    running = DeadlineRow.status == DeadlineStatus.RUNNING.value
    if query.running_at is not None:
        optional = func.coalesce(DeadlineRow.detail["optional"].as_boolean(), false())
        still = DeadlineRow.due_at > literal(query.running_at, UTCDateTime())
        running = and_(running, or_(still, ~optional))
    nearest = (
        select(func.min(DeadlineRow.due_at))
        .where(DeadlineRow.case_id == CaseRow.id, running)
        .correlate(CaseRow)
        .scalar_subquery()
    )
    key = func.coalesce(nearest, literal(NO_DUE, UTCDateTime()))
    wanted = [
        and_(CaseRow.case_type == case_type, CaseRow.state.in_(states))
        for case_type, states in query.states.items()
        if states is not None
    ]
    stmt = select(CaseRow.ref, CaseRow.id, key.label("due_at")).where(or_(*wanted))
    if query.agency_ids is not None:
        stmt = stmt.where(CaseRow.agency_id.in_(query.agency_ids))
    if query.assignee:
        stmt = stmt.where(CaseRow.assignee == query.assignee)
    if query.due_by is not None:
        stmt = stmt.where(key <= literal(query.due_by, UTCDateTime()))
    chosen = stmt.order_by(key, CaseRow.id).limit(query.limit).subquery()
    return (
        with_agency()
        .add_columns(chosen.c.due_at)
        .join(chosen, chosen.c.id == CaseRow.id)
        .order_by(chosen.c.due_at, CaseRow.id)
    )


def old_page(query: CaseQuery) -> tuple[Select[Any], dict[str, Any]]:
    return old_page_statement(query), {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", required=True, help="a schema kept by bench_pages.py --keep")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    engine = make_engine(schema_url(args.reuse))
    config = load_config()
    states = {name: wf.case_type.open_states for name, wf in config.case_types.items()}
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(created_at) FROM cases")).scalar_one()
        agencies = [r[0] for r in conn.execute(text("SELECT id FROM agencies ORDER BY id"))]
        handlers = dict(
            conn.execute(
                text(
                    "SELECT DISTINCT ON (agency_id) agency_id, assignee FROM cases"
                    " WHERE assignee IS NOT NULL AND closed_at IS NULL"
                    " ORDER BY agency_id, assignee"
                )
            ).all()
        )
    now = (last if last.tzinfo else last.replace(tzinfo=UTC)) + timedelta(days=1)
    print(f"schema {args.reuse}: {len(agencies)} agencies, lists read at {now:%Y-%m-%d %H:%M}")
    shapes: dict[str, list[CaseQuery]] = {
        "office head's queue": [
            CaseQuery(states=states, agency_ids=[a], running_at=now, limit=51) for a in agencies
        ],
        "handler's queue": [
            CaseQuery(states=states, agency_ids=[a], assignee=handlers[a], running_at=now, limit=51)
            for a in agencies
            if a in handlers
        ],
        "overdue": [
            CaseQuery(states=states, agency_ids=[a], due_by=now, running_at=now, limit=51)
            for a in agencies
        ],
    }
    print("| list | old median / p99 (ms) | new median / p99 (ms) | old ÷ new (median) |")
    print("|---|---|---|---|")
    for shape, queries in shapes.items():
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.rounds):
            for query in queries:
                seen = {}
                for name, build in (("old", old_page), ("new", page_statement)):
                    with engine.connect() as conn:
                        started = time.perf_counter()  # building the statement counts
                        stmt, values = build(query)
                        rows = conn.execute(stmt, values).all()
                        times[name].append((time.perf_counter() - started) * 1000)
                    seen[name] = [(r.ref, r.due_at) for r in rows]
                if seen["old"] != seen["new"]:
                    raise SystemExit(f"{shape}: the statements disagree for {query.agency_ids}")
        old, new = times["old"], times["new"]
        print(
            f"| {shape} | {statistics.median(old):.1f} / {percentile(old, 99):.1f}"
            f" | {statistics.median(new):.1f} / {percentile(new, 99):.1f}"
            f" | {statistics.median(old) / statistics.median(new):.1f}× |"
        )


if __name__ == "__main__":
    main()
