"""Benchmark: one case action and the "my queue" list over HTTP, against the same action
through the service layer in-process, in the same run (issue 11, benchmark; small scale).

A fresh PostgreSQL schema with ``--cases`` requests registered through the services; then
``govflow serve --workers W`` (uvicorn, real processes) and a load generator on loopback:
``--clients`` threads, each with its own HTTP connection and API token, each request
``GET`` the case (its ETag) and ``POST`` an action with ``If-Match``, answered with the whole
case; then, on other cases, as an integration working through its queue would: the version
taken from the queue's rows (read beforehand), only the ``POST``, with ``Prefer:
return=minimal`` (204 and the new ETag, no case read back). Reported: actions per second,
p50/p99 of the POST, and p50/p99 of the handler's queue, ``GET /api/v1/cases?limit=50``
(open cases of the agency, least time left first).

Run: ``python bench/bench_api.py [--url postgresql://postgres@127.0.0.1:5432/test]
[--cases 400] [--workers 2] [--clients 1,10]``. The schema is dropped at the end.

At the issue's scale: ``--reuse <schema> --agencies 20`` acts in a schema kept by
``bench_pages.py --keep`` (100,000 generated cases of a synthetic organisation of 20
agencies): a clerk and a handler of its first agency that has both register and act on
``--cases`` new requests among the generated ones (they stay in the schema), e.g.
``python bench/bench_api.py --reuse bench_pages_XXXXXXXX --agencies 20 --workers 4
--clients 1,10,50 --cases 1200``.
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
from serving import served
from sqlalchemy import text

from govflow import configs
from govflow.app import build_services
from govflow.models.db import make_engine, migrate, session_factory
from govflow.models.org import load_org, read_org_file
from govflow.workflow import services
from govflow.workflow.services import TokenRequest, accounts, tokens

INTAKE = {
    "applicant": {"kind": "natural_person", "name": "张三", "id_number": "610926199001011234",
                  "phone": "13800000000"},
    "description": "2024年县级财政预算公开表",
    "channel": "in_person",
}  # fmt: skip
CHAIN_KEY = "kbench:" + "5e" * 32
LISTS = 10  # queue requests per client


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="1,10")
    parser.add_argument("--reuse", default=None, help="a schema kept by bench_pages.py --keep")
    parser.add_argument("--agencies", type=int, default=20, help="with --reuse: as generated")
    args = parser.parse_args()
    os.environ.update(GOVFLOW_MODE="test", GOVFLOW_CHAIN_KEY=CHAIN_KEY)
    if args.reuse:
        run(args, args.reuse)
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin_engine = make_engine(args.url)
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        run(args, schema)
    finally:
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def run(args: argparse.Namespace, schema: str) -> None:
    engine = make_engine(args.url, connect_args={"options": f"-csearch_path={schema}"})
    if args.reuse:
        agency, clerk_name, handler_name = staff(args.agencies)
    else:
        migrate(engine)
        with session_factory(engine)() as session:
            load_org(session, read_org_file(configs.shipped("demo_org.yaml")))
            session.commit()
        agency, clerk_name, handler_name = "county", "wang.clerk", "li.handler"
    svc = build_services(engine)  # the real clock, as the server processes have
    admin = accounts.principal_for(svc, administrator(svc, engine), "cli:bench")
    clerk = accounts.principal_for(svc, clerk_name, "cli:bench")
    handler = accounts.principal_for(svc, handler_name, "cli:bench")
    refs = [
        services.register_request(svc, agency_code=agency, principal=clerk, intake=INTAKE)
        for _ in range(args.cases)
    ]
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    print(f"schema {schema}: {total} cases; acting as {handler_name} of {agency}")
    # In-process: the same action on a third of the cases, one after another.
    local = refs[: len(refs) // 3]
    t0 = time.perf_counter()
    for ref in local:
        services.act(svc, ref=ref, action="start_review", payload={}, principal=handler)
    in_process = len(local) / (time.perf_counter() - t0)
    print(f"in-process: {in_process:.1f} actions/s ({len(local)} actions, one connection)")

    remote = refs[len(refs) // 3 :]
    url = f"{args.url}?options=-csearch_path%3D{schema}"
    try:
        with served(url, args.workers, 18000 + os.getpid() % 1000) as base:
            clients = [int(c) for c in args.clients.split(",")]
            share = len(remote) // (2 * len(clients))
            for n, count in enumerate(clients):
                for m, minimal in enumerate((False, True)):
                    part = remote[(2 * n + m) * share : (2 * n + m + 1) * share]
                    load(base, svc, admin, handler_name, part, count, in_process, minimal)
    finally:
        engine.dispose()


def staff(agencies: int) -> tuple[str, str, str]:
    """The first agency of the synthetic organisation with a clerk and a handler."""
    from bench_reports import SEED

    from govflow.synth.org import synthetic_org
    from govflow.workflow.actors import Role

    users = synthetic_org(SEED, agencies).users
    for agency in dict.fromkeys(u.agency for u in users):
        clerks = [u.username for u in users if u.agency == agency and u.role is Role.CLERK]
        handlers = [u.username for u in users if u.agency == agency and u.role is Role.HANDLER]
        if clerks and handlers:
            return agency, clerks[0], handlers[0]
    raise SystemExit("no agency with a clerk and a handler")


def administrator(svc, engine) -> str:  # type: ignore[no-untyped-def]
    """The administrator: created now, or (a kept schema) the one created before."""
    name, _ = accounts.bootstrap_admin(svc) or ("", "")
    if name:
        return name
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id"
                " WHERE r.role = 'admin' ORDER BY u.id LIMIT 1"
            )
        ).scalar_one()


def versions(base: str, token: str) -> dict[str, int]:
    """Every open case's version, from the queue's rows (keyset pages)."""
    found: dict[str, int] = {}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        after = None
        while True:
            params = {"limit": 200, **({"after": after} if after else {})}
            page = http.get("/api/v1/cases", params=params).json()
            found.update({row["ref"]: row["version"] for row in page["cases"]})
            if not (after := page["next_after"]):
                return found


def load(
    base: str,
    svc,
    admin,
    username: str,
    refs: list[str],
    clients: int,
    in_process: float,
    minimal: bool,
) -> None:  # type: ignore[no-untyped-def]
    lock = threading.Lock()
    queue = list(refs)
    acted: list[float] = []
    listed: list[float] = []
    issued = [
        tokens.create_token(
            svc, admin, TokenRequest(name=f"bench-{uuid.uuid4().hex[:8]}", username=username)
        ).token
        for _ in range(clients)
    ]
    known = versions(base, issued[0]) if minimal else {}

    def act(token: str) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    ref = queue.pop()
                url = f"/api/v1/cases/{quote(ref, safe='')}"
                if minimal:
                    headers = {"If-Match": f'"{known[ref]}"', "Prefer": "return=minimal"}
                else:
                    shown = http.get(url)
                    assert shown.status_code == 200, shown.text
                    headers = {"If-Match": shown.headers["ETag"]}
                t0 = time.perf_counter()
                answer = http.post(f"{url}/actions/start_review", headers=headers)
                spent = time.perf_counter() - t0
                assert answer.status_code == (204 if minimal else 200), answer.text
                with lock:
                    acted.append(spent)

    def queue_of(token: str) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            for _ in range(LISTS):
                t0 = time.perf_counter()
                page = http.get("/api/v1/cases", params={"limit": 50})
                assert page.status_code == 200, page.text
                with lock:
                    listed.append(time.perf_counter() - t0)

    wall = {}
    for phase in (act, queue_of):
        threads = [threading.Thread(target=phase, args=(t,)) for t in issued]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall[phase] = time.perf_counter() - t0
    rate = len(acted) / wall[act]
    ms = [x * 1000 for x in acted]
    lst = [x * 1000 for x in listed]
    print(
        f"HTTP, {clients:>2} clients: {rate:.1f} actions/s ({rate / in_process:.0%} of in-process; "
        f"{'the POST alone, return=minimal' if minimal else 'each a GET for the ETag and the POST'}"
        f"); POST p50 {statistics.median(ms):.0f} ms "
        f"p99 {percentile(ms, 99):.0f} ms ({len(acted)} actions); queue of 50 "
        f"p50 {statistics.median(lst):.0f} ms p99 {percentile(lst, 99):.0f} ms "
        f"({len(listed)} lists, {len(listed) / wall[queue_of]:.1f}/s)"
    )


if __name__ == "__main__":
    main()
