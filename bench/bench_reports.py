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
import tempfile
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

# Runs the code of another tree (``--baseline REV``: the same verify, old against new in
# one run): its packages are found before the installed ones.
SHIM = """
import importlib.util, sys, tomllib
from pathlib import Path
root = Path(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] else None
if root is not None:
    dirs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    class Tree:
        def find_spec(self, name, path=None, target=None):
            if name not in dirs:
                return None
            folder = root / dirs[name]
            return importlib.util.spec_from_file_location(
                name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    sys.meta_path.insert(0, Tree())
"""

CHILD = (
    SHIM
    + """
import multiprocessing, resource, time, json
from sqlalchemy import func, select
from govflow.app import build_services
from govflow.models.db import make_engine
from govflow.models.tables import CaseRow
from govflow.workflow.actors import SYSTEM
from govflow.workflow.chain_checks import verify_chain
from govflow.workflow.services import verify_cases
url, agency, mode, jobs = sys.argv[1], sys.argv[2] or None, sys.argv[3], int(sys.argv[4])
svc = build_services(make_engine(url))
with svc.uow() as uow:
    ids = [a.id for a in uow.repo.agencies() if a.code == agency] if agency else None

def chains(span):  # the chain and its MACs (no rebuild), over ids in (after, upto]
    after, upto, out = span[0], span[1], []
    while True:
        with svc.uow() as uow:
            extra = () if upto is None else (upto,)
            batch = uow.repo.chain_batch(after, 500, None, ids, *extra)
        for c in batch:
            out.append(len(verify_chain(c.ref, c.events, c.head_seq, c.head_hash, svc.keyring)))
        if len(batch) < 500:
            return out
        after = batch[-1].case_id

t = time.perf_counter()
if mode == "full":  # the chain, its MACs, and every derived row against a rebuild (issue 16)
    extra = {"jobs": jobs} if jobs > 1 else {}
    counts = [len(f) for _r, f in verify_cases(svc, SYSTEM, agency_code=agency, **extra)]
elif jobs == 1:
    counts = chains((None, None))
else:  # as verify_in_parts splits: ranges of 5,000 ids, forked workers, in order
    with svc.uow() as uow:
        first, last = uow.repo.case_id_span(ids)
    parts = [(s - 1, s + 4999) for s in range(first, last + 1, 5000)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        counts = [n for part in pool.imap(chains, parts) for n in part]
print(json.dumps({"checked": len(counts), "findings": sum(counts),
                  "seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
)


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


def verify_in_child(
    url: str, agency: str | None, mode: str = "full", jobs: int = 1, tree: Path | None = None
) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, agency or "", mode, str(jobs), str(tree or "")],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline_tree(rev: str, folder: Path) -> Path:
    """The sources of ``rev`` (``git archive``), for the old side of old-against-new."""
    archive = subprocess.run(
        ["git", "archive", rev], check=True, capture_output=True, cwd=ROOT
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def compare_verify(url: str, agency: str | None, rev: str | None, rounds: int) -> None:
    """Chain + MACs and full, 1 and 2 processes, new (and ``rev``'s code, one process),
    interleaved ``rounds`` times: the ratios hold whatever else the machine runs."""
    runs: list[tuple[str, str, int, Path | None]] = []
    with tempfile.TemporaryDirectory() as folder:
        old = baseline_tree(rev, Path(folder)) if rev else None
        for mode in ("chain", "full"):
            if old is not None:
                runs.append((f"old ({rev})", mode, 1, old))
            runs += [("new", mode, 1, None), ("new", mode, 2, None)]
        rates: dict[tuple[str, str, int], list[float]] = {}
        for _ in range(rounds):
            for label, mode, jobs, tree in runs:
                result = verify_in_child(url, agency, mode, jobs, tree)
                rate = result["checked"] / result["seconds"]
                rates.setdefault((label, mode, jobs), []).append(rate)
                print(
                    f"verify {agency or 'everything'} {mode} {label} x{jobs}: "
                    f"{result['checked']:,} cases, {result['findings']} findings, "
                    f"{result['seconds']:.1f} s ({rate:,.0f} cases/s), "
                    f"peak RSS {result['peak_rss_mb']:.0f} MB",
                    flush=True,
                )
    print("median rates (cases/s):")
    for (label, mode, jobs), values in rates.items():
        print(f"  {mode:5} {label:24} x{jobs}: {statistics.median(values):,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the schema")
    parser.add_argument("--reuse", metavar="SCHEMA", help="measure a schema kept earlier")
    parser.add_argument("--no-report", action="store_true", help="verify only")
    parser.add_argument(
        "--everything", action="store_true", help="verify every case, not one department"
    )
    parser.add_argument("--baseline", metavar="REV", help="also verify with this commit's code")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of verify")
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
        for agency, children in ((top, True), (department, False)) if not args.no_report else ():
            runs = time_report(engine, agency, children)
            print(
                f"annual report 2024, {agency}{' + all below' if children else ''}: "
                f"median {statistics.median(runs):.3f} s, runs "
                + ", ".join(f"{r:.3f}" for r in runs)
            )
        engine.dispose()
        compare_verify(url, None if args.everything else department, args.baseline, args.rounds)
    finally:
        if not args.keep and not args.reuse:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        else:
            print(f"schema kept: {schema} (--reuse {schema})")
        admin.dispose()


if __name__ == "__main__":
    main()
