"""Benchmark: the workbench's queue page and case page on PostgreSQL with many generated
cases, at 1 and at 20 concurrent people (issue 12, benchmark).

Set-up: a fresh schema, migrated; ``synthetic_org(seed, --agencies)``; ``--cases`` cases
planned over 2021–2025 and written by the bulk writer (as ``bench_reports.py`` does, over
``--jobs`` processes); then ``govflow serve --workers W`` (uvicorn, real processes) with a
session per person signed in through the service layer (the cookie a browser would hold).
Each simulated person asks, in turn, its queue (``/?scope=all``: every open case it may
read, least time left first, 50 a page) and the page of one of its agency's cases. Time to
first byte (the server's time plus loopback) and full load (the whole HTML read) are
measured per request; p50 and p99 are reported for each page and concurrency.

Target (issue 12): p99 ≤ 300 ms server time at 20 concurrent users with 100,000 cases.

Run: ``python bench/bench_pages.py [--cases 100000] [--agencies 20] [--jobs 2]
[--workers 2] [--clients 1,20] [--rounds 10] [--keep | --reuse SCHEMA]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx2 as httpx
from bench_reports import PG_URL, SEED, generate, schema_url
from serving import served
from sqlalchemy import text

from govflow.app import build_services
from govflow.models.db import make_engine
from govflow.synth.org import synthetic_org
from govflow.web.api.auth import SESSION_COOKIE
from govflow.workflow.actors import Role
from govflow.workflow.identity.providers import PasswordProof
from govflow.workflow.services import accounts, signin

CHAIN_KEY = "kbench:" + "5e" * 32
PASSWORD = "Bench-pages-2026"


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]


def people(url: str, agencies: int, count: int) -> list[tuple[str, str, list[str]]]:
    """``count`` handlers and office heads of the busiest agencies, each with a session and
    up to 50 refs of its agency's open cases: (username, session id, refs)."""
    engine = make_engine(url)
    svc = build_services(engine)
    name, _ = accounts.bootstrap_admin(svc) or ("", "")
    if not name:  # a schema kept from an earlier run: its administrator
        with engine.connect() as conn:
            name = conn.execute(
                text(
                    "SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id"
                    " WHERE r.role = 'admin' ORDER BY u.id LIMIT 1"
                )
            ).scalar_one()
    admin = accounts.principal_for(svc, name, "cli:bench")
    org = synthetic_org(SEED, agencies)
    staff = [u for u in org.users if u.role in (Role.HANDLER, Role.OFFICE_HEAD)]
    found = []
    for user in staff:
        if len(found) == count:
            break
        with engine.connect() as conn:
            refs = list(
                conn.execute(
                    text(
                        "SELECT c.ref FROM cases c JOIN agencies a ON a.id = c.agency_id"
                        " WHERE a.code = :code AND c.closed_at IS NULL ORDER BY c.id DESC LIMIT 50"
                    ),
                    {"code": user.agency},
                ).scalars()
            )
        if not refs:
            continue
        accounts.set_password(svc, admin, user.username, PASSWORD, temporary=False)
        opened = signin.login(
            svc, signin.local_passwords(svc), PasswordProof(user.username, PASSWORD)
        )
        found.append((user.username, opened.session_id, refs))
    return found


def load(base: str, who: list[tuple[str, str, list[str]]], rounds: int) -> dict[str, list]:
    """Each person in a thread: ``rounds`` × (queue, a case page); times per page."""
    times: dict[str, list[tuple[float, float]]] = {"queue": [], "case": []}
    lock = threading.Lock()
    start = threading.Barrier(len(who))
    failures: list[str] = []

    def person(session_id: str, refs: list[str]) -> None:
        with httpx.Client(base_url=base, cookies={SESSION_COOKIE: session_id}) as client:
            start.wait()
            for i in range(rounds):
                for page, path in (
                    ("queue", "/?scope=all"),
                    ("case", f"/cases/{quote(refs[i % len(refs)], safe='')}"),
                ):
                    t0 = time.perf_counter()
                    with client.stream("GET", path) as answer:
                        first = time.perf_counter() - t0
                        answer.read()
                    full = time.perf_counter() - t0
                    if answer.status_code != 200:
                        failures.append(f"{path}: {answer.status_code}")
                    with lock:
                        times[page].append((first, full))

    threads = [threading.Thread(target=person, args=(s, r)) for _, s, r in who]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, e.g. {failures[0]}")
    return times


def report(clients: int, times: dict[str, list[tuple[float, float]]]) -> None:
    for page, values in times.items():
        firsts = [v[0] * 1000 for v in values]
        fulls = [v[1] * 1000 for v in values]
        print(
            f"  {clients:>3} clients, {page:<5}: n={len(values)}  TTFB p50 {statistics.median(firsts):.0f} ms"
            f"  p99 {percentile(firsts, 99):.0f} ms;  full load p50 {statistics.median(fulls):.0f} ms"
            f"  p99 {percentile(fulls, 99):.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="1,20")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", default=None, help="a schema kept by --keep")
    args = parser.parse_args()
    os.environ.update(GOVFLOW_MODE="test", GOVFLOW_CHAIN_KEY=CHAIN_KEY)
    schema = args.reuse or f"bench_pages_{uuid.uuid4().hex[:8]}"
    admin_engine = make_engine(PG_URL)
    if not args.reuse:
        with admin_engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(schema)
    try:
        if not args.reuse:
            generate(url, args.cases, args.agencies, args.jobs)
        clients = [int(c) for c in args.clients.split(",")]
        who = people(url, args.agencies, max(clients))
        print(f"schema {schema}; {len(who)} people with sessions")
        with served(url, args.workers, 19000 + os.getpid() % 1000) as base:
            load(base, who[:1], 2)  # warm each worker's caches and pools
            for count in clients:
                report(count, load(base, who[:count], args.rounds))
    finally:
        if not (args.keep or args.reuse):
            with admin_engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        elif args.keep:
            print(f"kept: --reuse {schema}")


if __name__ == "__main__":
    main()
