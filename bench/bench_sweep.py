"""Benchmark: the batched escalation sweep (issue 14; earlier figures: issue 4).

Three measurements, with their targets:

(a) the claim a sweep makes, ``EscalationRepository.claim_due(now, batch)`` (the due rows,
    locked, with their cases and deadlines), over ``--deadlines`` open deadlines with four
    schedule rows each — target ≤ 50 ms;
(b) a burst: ``--burst`` thresholds (10,000) crossing at one instant, fired by 1 sweeper and
    by 2 sweepers (separate processes, the real ``govflow.workers.sweeper.sweep``), on
    PostgreSQL, and by 1 sweeper on SQLite — targets ≥ 1,000 firings/s for one sweeper,
    2 sweepers ≥ 1.6× one, ≤ 1 database round trip per firing on average;
(c) threshold → channel through the real pipeline (``sweep_forever`` with the system
    clock → outbox → dramatiq ``StubBroker`` + ``Worker`` → ``deliver`` → channel), for
    200 thresholds spread over 20 s and 200 at one instant — target p99 ≤ interval + 2 s.

Round trips are counted on the client, per process: every statement SQLAlchemy sends (an
``executemany`` counts once: psycopg 3 pipelines it), plus BEGIN, COMMIT or ROLLBACK and
the pool's liveness ping per transaction. Each run checks every firing was made once and
every delivery recorded once.

Run (from the repository root): ``python bench/bench_sweep.py [--deadlines 1000000]``.
PostgreSQL is ``GOVFLOW_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
the schema is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# A benchmark is a test installation with a chain key of its own (every event gets its MAC,
# as in production; nothing is generated in the user's configuration folder).
os.environ.setdefault("GOVFLOW_MODE", "test")
os.environ.setdefault("GOVFLOW_CHAIN_KEY", "kbench:" + "be" * 32)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event, text  # noqa: E402

from govflow import configs  # noqa: E402
from govflow.app import build_services, load_calendar, load_config  # noqa: E402
from govflow.logs import configure_logging  # noqa: E402
from govflow.models.db import make_engine, migrate, normalize_url, session_factory  # noqa: E402
from govflow.models.escalation_repo import EscalationRepository  # noqa: E402
from govflow.models.org import load_org, read_org_file  # noqa: E402
from govflow.workflow.clock import FakeClock, end_of_day, local_date  # noqa: E402

PG_URL = normalize_url(
    os.environ.get("GOVFLOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
ORG_FILE = configs.shipped("demo_org.yaml")
# The reply ladder of configs/escalation.yaml with the lead each threshold has before the
# due instant in the background data (5, 2, 0 working days left; the breach).
LADDER = [
    ("assignee_5_days", timedelta(days=7)),
    ("head_2_days", timedelta(days=3)),
    ("head_last_day", timedelta(days=1)),
    ("supervisor_breach", timedelta(0)),
]


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


class RoundTrips:
    """Counts what a process sends to the database (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.counts: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "checkout", lambda *_: self.counts.update(["ping"]))
        event.listen(engine, "begin", lambda *_: self.counts.update(["begin"]))
        event.listen(engine, "commit", lambda *_: self.counts.update(["commit"]))
        event.listen(engine, "rollback", lambda *_: self.counts.update(["rollback"]))

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.counts["executemany" if executemany else "statement"] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# -- data ------------------------------------------------------------------------------------


def reply_detail(due_at: datetime, start: str) -> dict[str, Any]:
    """A running reply deadline as ``Deadline.to_json`` stores it."""
    return {
        "key": "reply",
        "kind": "reply",
        "label": "答复期限",
        "basis": "working_days",
        "amount": 20,
        "start_date": start,
        "start_at": None,
        "pauses": [],
        "extension_days": 0,
        "override_due": None,
        "due_date": local_date(due_at - timedelta(seconds=1)).isoformat(),
        "due_at": due_at.isoformat(),
        "status": "running",
        "provisional": False,
        "met_on": None,
        "cancelled_reason": None,
        "lapsed_on": None,
        "optional": False,
        "explanation": [],
    }


def setup(engine: Engine) -> str:
    migrate(engine)
    with session_factory(engine)() as session:
        load_org(session, read_org_file(ORG_FILE))
        digest = EscalationRepository(session).ensure_policy(
            load_config().policies["disclosure_request"], datetime.now(UTC)
        )
        session.commit()
    return digest


def add_cases(engine: Engine, first: int, count: int, digest: str, due_at: datetime) -> None:
    """``count`` open cases (ids from ``first``), each with a running reply deadline due at
    ``due_at`` and the four rows of its ladder, none due (the burst sets them)."""
    with engine.begin() as conn:
        agencies = [r[0] for r in conn.execute(text("SELECT id FROM agencies ORDER BY id"))]
        assignees = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT u.username FROM users AS u JOIN user_roles AS r ON r.user_id = u.id"
                    " WHERE r.role = 'handler' ORDER BY u.username"
                )
            )
        ]
        import json

        detail = json.dumps(reply_detail(due_at, "2025-09-01"), ensure_ascii=False)
        due_day = local_date(due_at - timedelta(seconds=1))
        cases, deadlines, schedule = [], [], []
        for i in range(first, first + count):
            cases.append(
                {
                    "id": i, "ref": f"BENCH-{i}", "agency": agencies[i % len(agencies)],
                    "assignee": assignees[i % len(assignees)], "digest": digest,
                }
            )  # fmt: skip
            deadlines.append(
                {"id": i, "case_id": i, "due_at": due_at, "due": due_day, "detail": detail}
            )
            for n, (rule, _) in enumerate(LADDER):
                schedule.append(
                    {"id": (i - 1) * 4 + n + 1, "case_id": i, "rule": rule, "due_at": due_at}
                )
        conn.execute(
            text(
                "INSERT INTO cases (id, ref, case_type, agency_id, state, assignee, version,"
                " head_seq, head_hash, escalation_policy, created_at, updated_at)"
                " VALUES (:id, :ref, 'disclosure_request', :agency, 'handling', :assignee, 1,"
                " 0, '', :digest, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            cases,
        )
        conn.execute(
            text(
                "INSERT INTO deadlines (id, case_id, key, kind, label, basis, amount, due_date,"
                " due_at, status, provisional, detail) VALUES (:id, :case_id, 'reply', 'reply',"
                " '答复期限', 'working_days', 20, :due, :due_at, 'running', false, :detail)"
            ),
            deadlines,
        )
        conn.execute(
            text(
                "INSERT INTO escalation_schedule (id, case_id, deadline_key, rule, epoch,"
                " repeat_no, due_at, next_fire_at) VALUES (:id, :case_id, 'reply', :rule, 0, 0,"
                " :due_at, NULL)"
            ),
            schedule,
        )


def background(engine: Engine, n: int, digest: str, t0: datetime) -> None:
    """``n`` more open deadlines in SQL, due over the next 60 days, their ladders scheduled
    (PostgreSQL only: the size against which the claim's look-up is measured)."""
    detail = reply_detail(t0, "2025-09-01")
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(
            text(
                "INSERT INTO cases (id, ref, case_type, agency_id, state, version, head_seq,"
                " head_hash, escalation_policy, created_at, updated_at)"
                " SELECT g, 'BG-' || g, 'disclosure_request',"
                " (SELECT min(id) FROM agencies), 'handling', 1, 0, '', :digest, :t0, :t0"
                " FROM generate_series(1000001, 1000000 + :n) AS g"
            ),
            {"n": n, "digest": digest, "t0": t0},
        )
        conn.execute(
            text(
                "INSERT INTO deadlines (id, case_id, key, kind, label, basis, amount, due_at,"
                " status, provisional, detail)"
                " SELECT g, g, 'reply', 'reply', '答复期限', 'working_days', 20, d, 'running',"
                " false, CAST(:detail AS json) FROM (SELECT g, CAST(:t0 AS timestamptz)"
                " + interval '2 hours' + ((g::bigint * 2654435761) % 5184000) * interval '1 s'"
                " AS d FROM generate_series(1000001, 1000000 + :n) AS g) AS x"
            ),
            {"n": n, "t0": t0, "detail": __import__("json").dumps(detail, ensure_ascii=False)},
        )
        ladder = ", ".join(
            f"({i}, '{rule}', interval '{lead.days} days')" for i, (rule, lead) in enumerate(LADDER)
        )
        conn.execute(
            text(
                "INSERT INTO escalation_schedule (id, case_id, deadline_key, rule, epoch,"
                " repeat_no, due_at, next_fire_at)"
                " SELECT d.case_id * 4 + r.i, d.case_id, 'reply', r.rule, 0, 0, d.due_at,"
                " CASE WHEN d.due_at - r.lead > CAST(:t0 AS timestamptz) + interval '2 hours'"
                " THEN d.due_at - r.lead END"
                f" FROM deadlines AS d CROSS JOIN (VALUES {ladder}) AS r(i, rule, lead)"
                " WHERE d.case_id > 1000000"
            ),
            {"t0": t0},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("cases", "deadlines", "escalation_schedule"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def arm(engine: Engine, cases: range, rule: str, at: datetime | list[datetime]) -> None:
    """Clear what fired and make ``rule`` of each case in ``cases`` due at ``at``."""
    instants = at if isinstance(at, list) else [at] * len(cases)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM deliveries"))
        conn.execute(text("DELETE FROM firings"))
        conn.execute(
            text(
                "UPDATE escalation_schedule SET repeat_no = 0, next_fire_at = NULL WHERE case_id <= 1000000"
            )
        )
        conn.execute(
            text(
                "UPDATE escalation_schedule SET next_fire_at = :at"
                " WHERE case_id = :case_id AND rule = :rule"
            ),
            [{"at": t, "case_id": c, "rule": rule} for c, t in zip(cases, instants, strict=True)],
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE escalation_schedule"))


# -- (b) the burst ---------------------------------------------------------------------------


def server_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a PostgreSQL backend on this machine (0 when not readable):
    the database's share of a sweep, which the sweeper's own CPU time does not show."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sweeper(url: str, now: datetime, batch: int, ready: Any, start: Any, out: Any) -> None:
    """One sweeper process: warms up, says it is ready, waits for the start, sweeps once,
    reports (with the wall-clock instant it finished)."""
    configure_logging()
    from govflow.workers.sweeper import sweep

    engine = make_engine(url)
    trips = RoundTrips(engine)
    svc = build_services(engine, FakeClock(now), load_calendar())
    settings = load_config().settings.notifications.model_copy(update={"channels": ("log",)})
    with svc.uow() as uow:  # warm: connection, imports, statement caches
        uow.escalations.claim_due(now - timedelta(days=3650), 1)
        backend = (
            uow.session.execute(text("SELECT pg_backend_pid()")).scalar()
            if (engine.dialect.name == "postgresql")
            else None
        )
    trips.counts.clear()
    ready.put(os.getpid())
    start.wait()
    began, cpu, server = time.perf_counter(), time.process_time(), server_cpu(backend)
    report = sweep(svc, lambda _id: None, settings, batch)
    wall = time.perf_counter() - began
    server = server_cpu(backend) - server
    out.put(
        (
            len(report.fired),
            report.batches,
            wall,
            dict(trips.counts),
            time.process_time() - cpu,
            time.time(),
            server,
        )
    )


def burst(url: str, engine: Engine, now: datetime, sweepers: int, batch: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, start, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_sweeper, args=(url, now, batch, ready, start, out))
        for _ in range(sweepers)
    ]
    for p in procs:
        p.start()
    for _ in procs:  # every process imported, connected and warm
        ready.get(timeout=600)
    began = time.time()
    start.set()
    results = [out.get(timeout=600) for _ in procs]
    wall = max(r[5] for r in results) - began
    for p in procs:
        p.join()
    fired = sum(r[0] for r in results)
    trips: Counter[str] = Counter()
    for r in results:
        trips.update(r[3])
    with engine.connect() as conn:
        made, distinct, deliveries = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT key), (SELECT count(*) FROM deliveries) FROM firings"
            )
        ).one()
    return {
        "fired": fired,
        "wall": wall,
        "per_second": fired / wall,
        "per_process": [
            (r[0], r[1], round(r[2], 2), round(r[4], 2), round(r[6], 2)) for r in results
        ],
        "cpu": sum(r[4] + r[6] for r in results),
        "trips": dict(trips),
        "trips_per_firing": sum(trips.values()) / max(fired, 1),
        "firings": (made, distinct),
        "deliveries": deliveries,
    }


# -- (c) threshold → channel -----------------------------------------------------------------


class Capture:
    name = "log"

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.duplicates = 0
        self.lock = threading.Lock()

    def send(self, notification: Any) -> None:
        at = time.time()
        with self.lock:
            if notification.key in self.sent:
                self.duplicates += 1
            else:
                self.sent[notification.key] = at


def latency(engine: Engine, cases: range, interval: float, window: float) -> dict[str, Any]:
    import dramatiq
    from dramatiq.brokers.stub import StubBroker

    from govflow.workers import actors
    from govflow.workers.actors import install
    from govflow.workers.runtime import sweep_forever
    from govflow.workflow.clock import SystemClock

    svc = build_services(engine, SystemClock(), load_calendar())
    settings = load_config().settings.notifications.model_copy(
        update={"channels": ("log",), "sweep_interval_seconds": interval}
    )
    channel = Capture()
    broker = install(StubBroker())
    actors.configure(svc, {"log": channel}, settings)
    worker = dramatiq.Worker(broker, worker_threads=2)
    stop = threading.Event()
    loop = threading.Thread(
        target=sweep_forever,
        args=(svc, actors.deliver.send, settings, stop, interval),
        daemon=True,
    )
    arm(engine, cases, "assignee_5_days", datetime.now(UTC) + timedelta(days=1))  # clear
    worker.start()
    loop.start()
    out: dict[str, Any] = {}
    try:
        time.sleep(5 * interval)
        for name in ("spread", "burst"):
            base = datetime.now(UTC) + timedelta(seconds=1.5)
            instants = [
                base + timedelta(seconds=window * i / len(cases) if name == "spread" else 0)
                for i in range(len(cases))
            ]
            arm(engine, cases, "assignee_5_days", instants)
            planned = {c: t.timestamp() for c, t in zip(cases, instants, strict=True)}
            channel.sent.clear()
            deadline = time.monotonic() + window + 120
            while len(channel.sent) < len(cases) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(2 * interval)  # a duplicate would show now
            with channel.lock:
                waits = [at - planned[int(key.split(":")[0])] for key, at in channel.sent.items()]
            out[name] = {"n": len(waits), "duplicates": channel.duplicates, "waits": waits}
    finally:
        stop.set()
        loop.join(timeout=60)
        worker.stop()
        broker.close()
    return out


# -- report -----------------------------------------------------------------------------------


def show_burst(label: str, r: dict[str, Any]) -> None:
    print(
        f"  {label}: {r['fired']:,} fired in {r['wall']:.2f} s = {r['per_second']:,.0f} firings/s;"
        f" per process (fired, batches, s, CPU s, database CPU s) {r['per_process']};"
        f" CPU {r['cpu']:.2f} s in all = {r['cpu'] / r['fired'] * 1e3:.2f} ms per firing;"
        f" round trips {sum(r['trips'].values()):,} = {r['trips_per_firing']:.3f} per firing"
        f" {r['trips']}; firings {r['firings'][0]:,} ({r['firings'][1]:,} distinct),"
        f" deliveries {r['deliveries']:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlines", type=int, default=1_000_000, help="background deadlines")
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=None, help="sweep batch (settings default)")
    parser.add_argument("--cases", type=int, default=200, help="thresholds in part (c)")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3, help="repeats of each burst")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    configure_logging()
    batch = args.batch or load_config().settings.notifications.sweep_batch_size
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; batch {batch}"
    )
    schema = f"bench_sweep_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        print(conn.execute(text("SELECT version()")).scalar_one().split(" on ")[0])
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    midnight = end_of_day(local_date(now))  # a burst falls at 00:00 Asia/Shanghai
    due = end_of_day(local_date(midnight) + timedelta(days=3))
    try:
        digest = setup(engine)
        t = time.perf_counter()
        add_cases(engine, 1, args.burst, digest, due)
        if args.deadlines:
            background(engine, args.deadlines, digest, midnight + timedelta(days=1))
        print(
            f"data: {args.burst:,} burst cases + {args.deadlines:,} background deadlines"
            f" ({time.perf_counter() - t:.0f} s)"
        )

        print(f"\n(a) claim_due(now, {batch}) with {args.burst:,} due")
        arm(engine, range(1, args.burst + 1), "assignee_5_days", midnight)
        with session_factory(engine)() as session:
            repo = EscalationRepository(session)
            samples = []
            for _ in range(21):
                t = time.perf_counter()
                repo.claim_due(midnight + timedelta(seconds=1), batch)
                samples.append(time.perf_counter() - t)
                session.rollback()
        print(
            f"  median {statistics.median(samples[1:]) * 1e3:.1f} ms, "
            f"max {max(samples[1:]) * 1e3:.1f} ms (20 runs, rows locked and released each)"
        )

        print(f"\n(b) burst of {args.burst:,} thresholds at one instant (PostgreSQL)")
        rates: dict[int, list[float]] = {1: [], 2: []}
        for run in range(args.runs):
            for sweepers in (1, 2):
                arm(engine, range(1, args.burst + 1), "assignee_5_days", midnight)
                r = burst(url, engine, midnight + timedelta(seconds=1), sweepers, batch)
                assert r["firings"] == (args.burst, args.burst) and r["fired"] == args.burst, r
                rates[sweepers].append(r["per_second"])
                show_burst(f"run {run + 1}, {sweepers} sweeper{'s' if sweepers > 1 else ''}", r)
        ratios = [b / a for a, b in zip(rates[1], rates[2], strict=True)]
        print(
            f"  1 sweeper {min(rates[1]):,.0f}–{max(rates[1]):,.0f}/s; 2 sweepers "
            f"{min(rates[2]):,.0f}–{max(rates[2]):,.0f}/s; ratio {min(ratios):.2f}–{max(ratios):.2f}"
        )

        print("\n    the same burst on SQLite (one sweeper)")
        with tempfile.TemporaryDirectory() as tmp:
            lite_url = f"sqlite:///{tmp}/bench.db"
            lite = make_engine(lite_url)
            digest = setup(lite)
            add_cases(lite, 1, args.burst, digest, due)
            for run in range(args.runs):
                arm(lite, range(1, args.burst + 1), "assignee_5_days", midnight)
                r = burst(lite_url, lite, midnight + timedelta(seconds=1), 1, batch)
                assert r["firings"] == (args.burst, args.burst), r
                show_burst(f"run {run + 1}, SQLite", r)
            lite.dispose()

        print(f"\n(c) threshold → channel, interval {args.interval:g} s, {args.cases} thresholds")
        lat = latency(engine, range(1, args.cases + 1), args.interval, args.window)
        for name in ("spread", "burst"):
            w = lat[name]["waits"]
            print(
                f"  {name}: n={len(w)} duplicates={lat[name]['duplicates']} p50 {pct(w, 50):.3f} s"
                f"  p99 {pct(w, 99):.3f} s  max {max(w):.3f} s"
                f"  (target ≤ {args.interval + 2:g} s: {'met' if pct(w, 99) <= args.interval + 2 else 'MISSED'})"
            )
    finally:
        engine.dispose()
        if args.keep:
            print(f"kept schema {schema}")
        else:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
