"""Benchmark: the escalation sweep on PostgreSQL with 1,000,000 open deadlines (issue 4).

Two figures, with their targets:

(a) the look-up one sweep pass makes to find the due firings,
    ``EscalationRepository.due_schedule_ids(now, 200)`` — target ≤ 50 ms;
(b) the latency from a threshold crossing to the notification handed to its channel,
    through the real pipeline (``workers.runtime.sweep_forever`` → ``workers.sweeper.sweep``
    with the system clock → outbox → dramatiq ``StubBroker`` + ``dramatiq.Worker`` →
    ``govflow.workers.actors.deliver`` → channel) — target p99 ≤ sweep interval + 2 s.

Set-up: a fresh PostgreSQL schema, migrated with ``govflow.models.db.migrate``; the demo
organisation; the shipped escalation policy stored by ``ensure_policy``. Then, in SQL
(``INSERT … SELECT generate_series``), N open cases (state ``handling``) with one running
reply deadline each, due over the next 60 days, and the 4 schedule rows of the reply
ladder per deadline (``next_fire_at`` = due − 7 d, − 3 d, − 1 d, due; a threshold that
would already have passed is NULL, as after its firing). A few hundred rows (``--due``)
are due "now" (in the last 10 minutes: a sweep backlog); nothing else comes due within
the next hour. VACUUM ANALYZE.

Part (b) needs real cases (the sweeper replays each case's events): it parks the bulk
rows due now (sets them NULL), registers ``--cases`` real cases with
``workflow.services.register_request``, then, while the sweep loop and the worker run,
sets one reply-ladder rule of each real case to fire at a known instant in the next
``--window`` seconds (spread) and measures, per notification, channel send time minus
threshold instant. A second round makes one other rule of every case cross at the same
instant (a burst, the shape working-day thresholds have at 00:00 Asia/Shanghai).

Run (from the repository root): ``python bench/bench_sweep.py [--deadlines 1000000] [--keep]``.
The database is ``GOVFLOW_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
the schema is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
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

import dramatiq  # noqa: E402
from dramatiq.brokers.stub import StubBroker  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402

from govflow import configs  # noqa: E402
from govflow.app import build_services, load_calendar, load_config  # noqa: E402
from govflow.logs import configure_logging  # noqa: E402
from govflow.models.db import make_engine, migrate, session_factory  # noqa: E402
from govflow.models.escalation_repo import EscalationRepository  # noqa: E402
from govflow.models.org import load_org, read_org_file  # noqa: E402
from govflow.workers import actors  # noqa: E402
from govflow.workers.actors import install  # noqa: E402
from govflow.workers.channels import Notification  # noqa: E402
from govflow.workers.runtime import sweep_forever  # noqa: E402
from govflow.workers.sweeper import SweepReport  # noqa: E402
from govflow.workflow import services  # noqa: E402
from govflow.workflow.calendar import WorkingCalendar  # noqa: E402
from govflow.workflow.clock import SystemClock  # noqa: E402
from govflow.workflow.identity.principal import SYSTEM_CHANNEL  # noqa: E402

PG_URL = os.environ.get("GOVFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ORG_FILE = configs.shipped("demo_org.yaml")
CASE_TYPE = "disclosure_request"
# The reply ladder of configs/escalation.yaml, with the calendar-day lead each threshold
# has before the due instant in the synthetic data (5, 2, 0 working days left; the breach).
LADDER = [
    ("assignee_5_days", "7 days"),
    ("head_2_days", "3 days"),
    ("head_last_day", "1 day"),
    ("supervisor_breach", "0 seconds"),
]
SPREAD_SECONDS = 60 * 86400  # due instants spread over the next 60 days
QUIET_AHEAD = "1 hour"  # no bulk row comes due within this long after generation
LOOKUP_SQL = (
    "SELECT id FROM escalation_schedule WHERE next_fire_at <= :now "
    "ORDER BY next_fire_at LIMIT :limit"
)


# -- small helpers -----------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def step(label: str) -> Callable[[], float]:
    print(f"  {label} …", end="", flush=True)
    t0 = time.perf_counter()

    def done() -> float:
        elapsed = time.perf_counter() - t0
        print(f" {elapsed:.1f} s", flush=True)
        return elapsed

    return done


def fresh_schema() -> tuple[Engine, str]:
    schema = f"bench_sweep_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_size=10)
    return engine, schema


def drop_schema(schema: str) -> None:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


# -- data --------------------------------------------------------------------------------


def setup(engine: Engine) -> str:
    """Schema, demo organisation, shipped policy; returns the policy's digest."""
    migrate(engine)
    with session_factory(engine)() as session:
        load_org(session, read_org_file(ORG_FILE))
        digest = EscalationRepository(session).ensure_policy(
            load_config().policies[CASE_TYPE], datetime.now(UTC)
        )
        session.commit()
    return digest


def generate(engine: Engine, n: int, due_now: int, digest: str, t0: datetime) -> dict[str, Any]:
    """Bulk rows in SQL; returns counts and timings."""
    stride = max(1, n // due_now)
    params = {"n": n, "t0": t0, "digest": digest, "stride": stride, "spread": SPREAD_SECONDS}
    ladder = ", ".join(
        f"({i}, '{rule}', interval '{lead}')" for i, (rule, lead) in enumerate(LADDER, 1)
    )
    timings: dict[str, float] = {}
    with engine.begin() as conn:
        superuser = conn.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        if superuser:
            # Bulk-load trick: skip the foreign-key triggers (every referenced row exists:
            # the ids are generated together). Needs a superuser, as in the test database.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        agencies = [r[0] for r in conn.execute(text("SELECT id FROM agencies ORDER BY id"))]
        params["agencies"] = len(agencies)
        params["first_agency"] = agencies[0]

        done = step(f"cases: {n:,}")
        conn.execute(
            text(
                """
                INSERT INTO cases (id, ref, case_type, agency_id, state, assignee, outcome,
                                   version, head_seq, head_hash, escalation_policy,
                                   created_at, updated_at)
                SELECT g, 'BENCH-' || g, 'disclosure_request',
                       :first_agency + g % :agencies, 'handling', NULL, NULL,
                       3, 3, md5(g::text) || md5((-g)::text), :digest,
                       :t0 - interval '10 days', :t0
                FROM generate_series(1, :n) AS g
                """
            ),
            params,
        )
        timings["cases"] = done()

        done = step(f"deadlines: {n:,} (reply, running, due over the next 60 days)")
        conn.execute(
            text(
                """
                INSERT INTO deadlines (id, case_id, key, kind, label, basis, amount,
                                       due_date, due_at, status, provisional, detail)
                SELECT g, g, 'reply', 'reply', '答复期限', 'working_days', 20,
                       (d.due_at AT TIME ZONE 'Asia/Shanghai')::date, d.due_at,
                       'running', false, '{"key": "reply", "kind": "reply"}'::json
                FROM (
                    SELECT g, CAST(:t0 AS timestamptz) + interval :quiet
                              + ((g::bigint * 2654435761) % :spread) * interval '1 second'
                              AS due_at
                    FROM generate_series(1, :n) AS g
                ) AS d
                """.replace(":quiet", f"'{QUIET_AHEAD}'")
            ),
            params,
        )
        timings["deadlines"] = done()

        done = step(f"escalation_schedule: {n * len(LADDER):,} rows (4 rules per deadline)")
        conn.execute(
            text(
                f"""
                INSERT INTO escalation_schedule (id, case_id, deadline_key, rule, epoch,
                                                 repeat_no, due_at, next_fire_at)
                SELECT (d.case_id - 1) * 4 + r.i, d.case_id, 'reply', r.rule, 0, 0, d.due_at,
                       CASE
                         WHEN r.i = 1 AND d.case_id % :stride = 0
                           THEN CAST(:t0 AS timestamptz)
                                - (1 + (d.case_id / :stride) % 600) * interval '1 second'
                         WHEN d.due_at - r.lead < CAST(:t0 AS timestamptz) + interval '{QUIET_AHEAD}'
                           THEN NULL  -- already fired
                         ELSE d.due_at - r.lead
                       END
                FROM deadlines AS d
                CROSS JOIN (VALUES {ladder}) AS r(i, rule, lead)
                """
            ),
            params,
        )
        timings["schedule"] = done()
        for table in ("cases", "deadlines", "escalation_schedule"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    done = step("VACUUM ANALYZE" + (", CHECKPOINT" if superuser else ""))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("cases", "deadlines", "escalation_schedule"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))
        if superuser:  # write the load out now, not during the measurements
            conn.execute(text("CHECKPOINT"))
    timings["vacuum"] = done()
    with engine.connect() as conn:
        counts = conn.execute(
            text(
                """
                SELECT count(*),
                       count(next_fire_at),
                       count(*) FILTER (WHERE next_fire_at <= :t0)
                FROM escalation_schedule
                """
            ),
            {"t0": t0},
        ).one()
        size = conn.execute(
            text(
                "SELECT pg_size_pretty(pg_total_relation_size('escalation_schedule')), "
                "pg_size_pretty(pg_relation_size('ix_escalation_schedule_next_fire_at'))"
            )
        ).one()
    return {
        "timings": timings,
        "rows": counts[0],
        "scheduled": counts[1],
        "due": counts[2],
        "table_size": size[0],
        "index_size": size[1],
    }


# -- (a) the look-up ---------------------------------------------------------------------


def time_calls(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    fn()  # warm: connection, statement cache, pages
    samples, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return samples, result


def bench_lookup(engine: Engine, svc: services.Services, repeats: int, batch: int) -> dict:
    now = datetime.now(UTC)
    scenarios = {
        "backlog": now,  # the few hundred rows due now
        "catch-up": now + timedelta(days=1),  # a sweeper down for a day: ~64k rows due
        "nothing due": now - timedelta(hours=1),
    }
    out: dict[str, Any] = {}
    sessions = session_factory(engine)
    for name, at in scenarios.items():
        with sessions() as session:
            repo = EscalationRepository(session)
            in_session, ids = time_calls(lambda: repo.due_schedule_ids(at, batch), repeats)  # noqa: B023

        def as_in_sweep() -> list[int]:
            with svc.uow() as uow:
                return uow.escalations.due_schedule_ids(at, batch)  # noqa: B023

        per_pass, _ = time_calls(as_in_sweep, repeats)
        with engine.connect() as conn:
            due = conn.execute(
                text("SELECT count(*) FROM escalation_schedule WHERE next_fire_at <= :at"),
                {"at": at},
            ).scalar_one()
            server, plan = [], []
            for i in range(repeats + 1):
                rows = conn.execute(
                    text(f"EXPLAIN (ANALYZE, BUFFERS) {LOOKUP_SQL}"),
                    {"now": at, "limit": batch},
                ).scalars()
                plan = list(rows)
                if i:  # the first one warms
                    server.append(
                        float(next(r for r in plan if r.startswith("Execution Time")).split()[2])
                        / 1e3
                    )
        out[name] = {
            "due": due,
            "returned": len(ids),
            "in_session": in_session,
            "per_pass": per_pass,
            "server": server,
            "plan": plan,
        }
    return out


# -- (b) the latency ---------------------------------------------------------------------


class CapturingChannel:
    """Stands in for the log channel: records when each notification is handed to it."""

    name = "log"

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.duplicates = 0
        self.lock = threading.Lock()

    def send(self, notification: Notification) -> None:
        at = time.time()
        with self.lock:
            if notification.key in self.sent:
                self.duplicates += 1
            else:
                self.sent[notification.key] = at


def register_cases(svc: services.Services, count: int) -> list[int]:
    clerk = services.principal_for(svc, "wang.clerk", SYSTEM_CHANNEL)
    refs = []
    for i in range(count):
        refs.append(
            services.register_request(
                svc,
                agency_code="county",
                principal=clerk,
                intake={
                    "applicant": {
                        "kind": "natural_person",
                        "name": f"基准{i}",
                        "id_number": f"BENCH{i:06d}",
                        "phone": "13800000000",
                    },
                    "description": f"基准测试申请 {i}",
                    "channel": "in_person",
                },
            )
        )
    with svc.uow() as uow:
        ids = dict(
            uow.session.execute(
                text("SELECT ref, id FROM cases WHERE ref = ANY(:refs)"), {"refs": refs}
            ).all()
        )
    return [ids[ref] for ref in refs]


def set_thresholds(engine: Engine, planned: dict[tuple[int, str], datetime]) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE escalation_schedule SET next_fire_at = :at "
                "WHERE case_id = :case_id AND deadline_key = 'reply' AND rule = :rule"
            ),
            [{"at": at, "case_id": c, "rule": r} for (c, r), at in planned.items()],
        )


def wait_for(channel: CapturingChannel, keys: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with channel.lock:
            if len(channel.sent) >= keys:
                return True
        time.sleep(0.05)
    return False


def latencies(
    channel: CapturingChannel,
    planned: dict[tuple[int, str], datetime],
    passes: dict[str, datetime],
) -> dict[str, list[float]]:
    """Per notification: threshold → channel, and its two parts: threshold → the start of
    the sweep pass that fired it (``firings.fired_at``), pass start → channel."""
    out: dict[str, list[float]] = {"total": [], "wait": [], "rest": []}
    with channel.lock:
        for key, sent_at in channel.sent.items():
            parts = key.split(":")
            at = planned.get((int(parts[0]), parts[2]))
            if at is None:
                continue
            fired_at = passes[":".join(parts[:5])].timestamp()
            out["total"].append(sent_at - at.timestamp())
            out["wait"].append(fired_at - at.timestamp())
            out["rest"].append(sent_at - fired_at)
    return out


def bench_latency(
    engine: Engine,
    calendar: WorkingCalendar,
    n_bulk: int,
    count: int,
    interval: float,
    window: float,
    threads: int,
) -> dict[str, Any]:
    result: dict[str, Any] = {"interval": interval, "window": window, "threads": threads}
    with engine.begin() as conn:
        # The bulk cases have no events for the sweeper to replay: park their due rows
        # (as if another sweeper had fired them). None else comes due in the next hour.
        parked = conn.execute(
            text(
                "UPDATE escalation_schedule SET next_fire_at = NULL "
                "WHERE case_id <= :n AND next_fire_at <= now() + interval '10 minutes'"
            ),
            {"n": n_bulk},
        ).rowcount
    print(f"  parked {parked} bulk rows due now or within 10 minutes")
    svc = build_services(engine, SystemClock(), calendar)
    done = step(f"registering {count} real cases (register_request)")
    case_ids = register_cases(svc, count)
    result["register_s"] = done()

    settings = svc.config.settings.notifications.model_copy(
        update={"channels": ("log",), "sweep_interval_seconds": interval}
    )
    channel = CapturingChannel()
    broker = install(StubBroker())
    actors.configure(svc, {"log": channel})
    worker = dramatiq.Worker(broker, worker_threads=threads)
    stop = threading.Event()
    reports: list[SweepReport] = []
    sweeper = threading.Thread(
        target=sweep_forever,
        args=(svc, actors.deliver.send, settings, stop, interval, reports.append),
        daemon=True,
    )
    worker.start()
    sweeper.start()
    try:
        time.sleep(10 * interval)  # idle passes; the loop's phase is arbitrary
        # Round 1: one rule per case, thresholds spread evenly over the window.
        base = datetime.now(UTC) + timedelta(seconds=1.5)
        spread = {
            (cid, LADDER[i % len(LADDER)][0]): base + timedelta(seconds=window * i / count)
            for i, cid in enumerate(case_ids)
        }
        # Round 2: another rule of every case, all crossing at one instant.
        burst_at = base + timedelta(seconds=window + 5 + interval)
        burst = {
            (cid, LADDER[(i + 1) % len(LADDER)][0]): burst_at for i, cid in enumerate(case_ids)
        }
        set_thresholds(engine, spread | burst)
        complete = wait_for(channel, 2 * count, timeout=window + 120)
        time.sleep(2 * interval)  # a duplicate, if any, would show up now
    finally:
        stop.set()
        sweeper.join(timeout=60)
        worker.stop()
        broker.close()
    with svc.uow() as uow:
        firings = {f.key: f.fired_at for f in uow.escalations.firings()}
        deliveries, sent = uow.session.execute(
            text("SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM deliveries")
        ).one()
    busy = [r for r in reports if r.fired]
    idle = [r.seconds for r in reports[1:] if not r.fired and not r.enqueued]  # [0]: warm-up
    if os.environ.get("BENCH_DEBUG"):
        print("  passes:", [(len(r.fired), round(r.seconds * 1e3, 1)) for r in reports])
    result.update(
        complete=complete,
        notifications=len(channel.sent),
        duplicates=channel.duplicates,
        firings=len(firings),
        deliveries=deliveries,
        sent=sent,
        late=sum(r.late for r in reports),
        passes=len(reports),
        idle_pass=idle,
        busy_passes=[(len(r.fired), r.seconds) for r in busy],
        spread=latencies(channel, spread, firings),
        burst=latencies(channel, burst, firings),
    )
    return result


# -- report ------------------------------------------------------------------------------


def summarize(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: no samples"
    return (
        f"{label}: n={len(values)}  min {min(values):.3f} s  p50 {pct(values, 50):.3f} s  "
        f"p99 {pct(values, 99):.3f} s  max {max(values):.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlines", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=300, help="bulk rows due now")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--batch", type=int, default=200, help="the sweep's batch (LIMIT)")
    parser.add_argument("--cases", type=int, default=200, help="real cases for part (b)")
    parser.add_argument("--interval", type=float, default=1.0, help="sweep interval, s")
    parser.add_argument("--window", type=float, default=20.0, help="thresholds spread, s")
    parser.add_argument("--threads", type=int, default=2, help="dramatiq worker threads")
    parser.add_argument("--keep", action="store_true", help="keep the schema")
    args = parser.parse_args()
    configure_logging()  # warnings and errors only, on stderr

    print(
        f"python {platform.python_version()} on {platform.machine()} ({platform.system()}), "
        f"{os.cpu_count()} CPUs"
    )
    engine, schema = fresh_schema()
    try:
        with engine.connect() as conn:
            print(conn.execute(text("SELECT version()")).scalar_one().split(" on ")[0])
        print(f"schema {schema}")
        digest = setup(engine)
        calendar = load_calendar()
        t0 = datetime.now(UTC)
        gen_start = time.perf_counter()
        print("generating:")
        data = generate(engine, args.deadlines, args.due, digest, t0)
        gen_s = time.perf_counter() - gen_start
        print(
            f"  total {gen_s:.1f} s; escalation_schedule: {data['rows']:,} rows, "
            f"{data['scheduled']:,} with a next firing, {data['due']:,} due now; "
            f"table+indexes {data['table_size']}, next_fire_at index {data['index_size']}"
        )

        print(f"\n(a) due_schedule_ids(now, {args.batch}), {args.repeats} runs each")
        svc = build_services(engine, SystemClock(), calendar)
        lookup = bench_lookup(engine, svc, args.repeats, args.batch)
        for name, r in lookup.items():
            print(f"  {name}: {r['due']:,} rows due, {r['returned']} returned")
            for label, key in (
                ("repository call in an open session", "in_session"),
                ("as a sweep pass makes it (unit of work)", "per_pass"),
                ("server execution (EXPLAIN ANALYZE)", "server"),
            ):
                v = r[key]
                print(
                    f"    {label:42s} median {ms(statistics.median(v))}  "
                    f"p99 {ms(pct(v, 99))}  max {ms(max(v))}"
                )
        print("  plan (backlog):")
        for line in lookup["backlog"]["plan"]:
            print(f"    {line}")

        print(
            f"\n(b) threshold → channel, sweep interval {args.interval:g} s, "
            f"{args.threads} worker threads"
        )
        lat = bench_latency(
            engine, calendar, args.deadlines, args.cases, args.interval, args.window, args.threads
        )
        print(
            f"  {lat['notifications']} notifications for {2 * args.cases} firings "
            f"(complete: {lat['complete']}), duplicates {lat['duplicates']}; "
            f"firings {lat['firings']}, deliveries {lat['deliveries']} ({lat['sent']} sent), "
            f"late {lat['late']}"
        )
        idle = lat["idle_pass"]
        if idle:
            print(
                f"  idle sweep pass (look-up + outbox query), {len(idle)} passes: "
                f"median {ms(statistics.median(idle))}  p99 {ms(pct(idle, 99))}"
            )
        busy = lat["busy_passes"]
        if busy:
            most = max(busy)
            print(
                f"  busy passes: {len(busy)}; largest fired {most[0]} in {most[1]:.2f} s "
                f"({most[0] / most[1]:.0f} firings/s)"
            )
        for name, label in (
            ("spread", f"{args.cases} thresholds spread over {args.window:g} s"),
            ("burst", f"{args.cases} thresholds at one instant"),
        ):
            print(f"  {label}:")
            print("    " + summarize("threshold → channel   ", lat[name]["total"]))
            print("    " + summarize("threshold → pass start", lat[name]["wait"]))
            print("    " + summarize("pass start → channel  ", lat[name]["rest"]))
        target = args.interval + 2
        spread_total, burst_total = lat["spread"]["total"], lat["burst"]["total"]
        p99 = pct(spread_total, 99) if spread_total else float("inf")
        p50_look = statistics.median(lookup["backlog"]["per_pass"])
        p99_look = pct(lookup["backlog"]["per_pass"], 99)

        print("\nsummary")
        print(
            f"  (a) sweep look-up with {args.deadlines:,} open deadlines: median {ms(p50_look)}, "
            f"p99 {ms(p99_look)} (target ≤ 50 ms: {'met' if p99_look <= 0.05 else 'MISSED'})"
        )
        print(
            f"  (b) threshold → channel, interval {args.interval:g} s: p50 "
            f"{pct(spread_total, 50):.3f} s, p99 {p99:.3f} s (target ≤ {target:g} s: "
            f"{'met' if p99 <= target else 'MISSED'}); burst of {args.cases}: p99 "
            f"{pct(burst_total, 99) if burst_total else float('nan'):.3f} s"
        )
    finally:
        engine.dispose()
        if args.keep:
            print(f"kept schema {schema}")
        else:
            drop_schema(schema)


if __name__ == "__main__":
    main()
