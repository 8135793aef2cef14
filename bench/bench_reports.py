"""Benchmark: the annual report and a full verify over generated cases on PostgreSQL (issue 5).

Targets: ``govflow report annual`` ≤ 2 s; ``govflow audit verify`` over everything streams
in constant memory.

Set-up: a fresh PostgreSQL schema, migrated; ``synthetic_org(seed, --agencies)``; then
``--cases`` cases planned by ``govflow.synth.plan.plan_agency`` over 2021-01-01 …
2025-12-31 and written by the bulk writer (``govflow.synth.generate``), agencies split
over ``--jobs`` processes with disjoint case-id ranges (the same rows as one process
writes: each agency is planned from its own seed). VACUUM ANALYZE.

Measured:
(a) the annual report for 2024 (the year with a full year before and after it) of the
    top agency with every agency below it (all cases) and of one department: the
    service layer's ``annual_report`` use case (both queries and the tables), median of 5 runs;
(b) ``audit verify`` over one department three ways — the hash chain alone (as before
    issue 16), with the MACs, and in full (with every derived row compared with a rebuild
    from the events) — to show what each layer costs; then in full over one department
    and over everything, each in a fresh process that reports its wall time and peak
    resident memory: constant memory means the second peak is no larger than the first
    by more than noise.

Run (from the repository root): ``python bench/bench_reports.py [--cases 1000000] [--jobs 2]
[--keep]`` or, on a schema kept from an earlier run, ``--reuse SCHEMA``. The database
is ``GOVFLOW_TEST_PG_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A benchmark is a test installation with a chain key of its own (every event gets its MAC,
# as in production; nothing is generated in the user's configuration folder).
os.environ.setdefault("GOVFLOW_MODE", "test")
os.environ.setdefault("GOVFLOW_CHAIN_KEY", "kbench:" + "be" * 32)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402

from govflow.app import build_services  # noqa: E402
from govflow.logs import configure_logging  # noqa: E402
from govflow.models.db import make_engine, migrate  # noqa: E402
from govflow.synth.generate import load_synthetic_org, write_cases  # noqa: E402
from govflow.synth.org import synthetic_org  # noqa: E402
from govflow.synth.plan import plan_agency  # noqa: E402
from govflow.workflow import services  # noqa: E402
from govflow.workflow.actors import SYSTEM  # noqa: E402

PG_URL = os.environ.get("GOVFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEED = 20261122
# The synthetic planner follows today's rules (govflow.cli.generate.SYNTH_FIRST_DAY).
START, END = date(2021, 1, 1), date(2025, 12, 31)

CHILD = """
import resource, sys, time, json
from govflow.app import build_services
from govflow.models.db import make_engine
from govflow.workflow.actors import SYSTEM
from govflow.workflow.events import UNKEYED, verify_chain
from govflow.workflow.services import verify_cases
url, agency, mode = sys.argv[1], sys.argv[2] or None, sys.argv[3]
svc = build_services(make_engine(url))
t = time.perf_counter()
checked = findings = 0
if mode == "full":  # the chain, its MACs, and every derived row against a rebuild (issue 16)
    results = verify_cases(svc, SYSTEM, agency_code=agency)
else:  # the chain alone, as before issue 16 ("hash"), or with its MACs ("mac")
    keyring = svc.keyring if mode == "mac" else UNKEYED
    with svc.uow() as uow:
        ids = [a.id for a in uow.repo.agencies() if a.code == agency] if agency else None
    def chains():
        after = None
        while True:
            with svc.uow() as uow:
                batch = uow.repo.chain_batch(after, 500, None, ids)
            for c in batch:
                yield c.ref, verify_chain(c.ref, c.events, c.head_seq, c.head_hash, keyring)
            if len(batch) < 500:
                return
            after = batch[-1].case_id
    results = chains()
for _ref, found in results:
    checked += 1
    findings += len(found)
print(json.dumps({"checked": checked, "findings": findings,
                  "seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def _write_share(args: tuple[str, int, list[int], int, int]) -> int:
    """One process's agencies, written in bulk from its own range of case ids."""
    url, agencies, indexes, per_agency, first_id = args
    configure_logging()  # warnings only: a line per action would cost more than the action
    engine = make_engine(url)
    org = synthetic_org(SEED, agencies)
    users = org.users
    scripts = (
        script
        for i in indexes
        for script in plan_agency(
            SEED,
            org.agencies[i],
            [u for u in users if u.agency == org.agencies[i].code],
            START,
            END,
            per_agency,
        )
    )
    written = write_cases(engine, scripts, bulk=True, batch=2000, first_id=first_id)
    engine.dispose()
    return written


def generate(url: str, cases: int, agencies: int, jobs: int) -> float:
    engine = make_engine(url)
    migrate(engine)
    load_synthetic_org(engine, synthetic_org(SEED, agencies))
    engine.dispose()
    per_agency = cases // agencies
    shares = [list(range(j, agencies, jobs)) for j in range(jobs)]
    firsts, next_id = [], 1
    for share in shares:
        firsts.append(next_id)
        next_id += len(share) * per_agency
    started = time.perf_counter()
    work = [
        (url, agencies, share, per_agency, first)
        for share, first in zip(shares, firsts, strict=True)
    ]
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        written = sum(pool.map(_write_share, work))
    elapsed = time.perf_counter() - started
    print(f"generated {written:,} cases in {elapsed:.0f} s ({written / elapsed:,.0f} cases/s)")
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return elapsed


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in ("cases", "events", "deadlines", "disclosure_requests")
        }


def time_report(engine: Engine, agency: str, children: bool) -> list[float]:
    svc = build_services(engine)
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        report = services.annual_report(
            svc, SYSTEM, agency=agency, year=2024, include_children=children
        )
        runs.append(time.perf_counter() - t)
    assert not report.violations, report.violations
    return runs


def verify_in_child(url: str, agency: str | None, mode: str = "full") -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, agency or "", mode],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the schema")
    parser.add_argument("--reuse", metavar="SCHEMA", help="measure a schema kept earlier")
    args = parser.parse_args()
    configure_logging()
    print(f"{platform.python_version()} {platform.machine()} {os.cpu_count()} CPUs")

    schema = args.reuse or f"bench_reports_{uuid.uuid4().hex[:8]}"
    url = schema_url(schema)
    admin = make_engine(PG_URL)
    if not args.reuse:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        if not args.reuse:
            generate(url, args.cases, args.agencies, args.jobs)
        engine = make_engine(url)
        print("rows:", counts(engine))
        org = synthetic_org(SEED, args.agencies)
        top, department = org.agencies[0].code, org.agencies[1].code
        for agency, children in ((top, True), (department, False)):
            runs = time_report(engine, agency, children)
            print(
                f"annual report 2024, {agency}{' + all below' if children else ''}: "
                f"median {statistics.median(runs):.3f} s, runs "
                + ", ".join(f"{r:.3f}" for r in runs)
            )
        engine.dispose()
        for mode in ("hash", "mac", "full"):  # what each layer of checks costs
            result = verify_in_child(url, department, mode)
            print(
                f"verify {department} ({mode}): {result['checked']:,} cases, "
                f"{result['seconds']:.1f} s ({result['checked'] / result['seconds']:,.0f} cases/s)"
            )
        for agency in (department, None):
            result = verify_in_child(url, agency)
            print(
                f"verify {agency or 'everything'}: {result['checked']:,} cases, "
                f"{result['findings']} findings, {result['seconds']:.0f} s "
                f"({result['checked'] / result['seconds']:,.0f} cases/s), "
                f"peak RSS {result['peak_rss_mb']:.0f} MB"
            )
    finally:
        if not args.keep and not args.reuse:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        else:
            print(f"schema kept: {schema} (--reuse {schema})")
        admin.dispose()


if __name__ == "__main__":
    main()
