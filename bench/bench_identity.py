"""Benchmark: what identity costs a request, against the raw database in the same run.

Measured: an argon2id hash and verification with the OWASP parameters (the price of a
login, paid on purpose); a whole password login; the per-request checks the API and the
web pages will make — ``authenticate_session`` and ``authenticate_token`` — each against
a bare ``SELECT`` of the same row by its key (the floor any lookup pays); and the SQL
statements one case action issues, with the account's standing and roles read in one.

Run: ``python bench/bench_identity.py [--url postgresql://postgres@127.0.0.1:5432/test]``
(default: a temporary SQLite file; on PostgreSQL it works in a schema of its own and
drops it at the end).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, event, text

from govflow import configs
from govflow.app import build_services
from govflow.models.db import make_engine, migrate, session_factory
from govflow.models.org import load_org, read_org_file
from govflow.workflow import services
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.identity import opaque
from govflow.workflow.identity.passwords import PasswordHasher
from govflow.workflow.identity.providers import PasswordProof
from govflow.workflow.identity.settings import IdentitySettings
from govflow.workflow.services import TokenRequest

PASSWORD = "Bench-pass-2025"


def per_call_ms(fn: Callable[[], Any], n: int) -> float:
    """Median of five rounds of ``n`` calls, in milliseconds a call."""
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - t0) / n * 1000)
    return statistics.median(rounds)


def engine_for(url: str | None) -> tuple[Engine, Callable[[], None]]:
    if url is None or url.startswith("sqlite"):
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return make_engine(url or f"sqlite:///{path}"), lambda: None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    engine, cleanup = engine_for(args.url)
    try:
        run(engine)
    finally:
        cleanup()


def run(engine: Engine) -> None:
    migrate(engine)
    with session_factory(engine)() as session:
        load_org(session, read_org_file(configs.shipped("demo_org.yaml")))
        session.commit()
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    svc = build_services(engine, clock)
    services.bootstrap_admin(svc)
    admin = services.principal_for(svc, "admin", "cli:bench")
    services.set_password(svc, admin, "li.handler", PASSWORD, temporary=False)
    print(f"database: {engine.dialect.name}")

    hasher = PasswordHasher(IdentitySettings().argon2)
    stored = hasher.hash(PASSWORD)
    print(
        f"argon2id hash (m=19456 KiB, t=2, p=1): {per_call_ms(lambda: hasher.hash(PASSWORD), 5):.1f} ms"
    )
    print(
        f"argon2id verify:                       {per_call_ms(lambda: hasher.verify(stored, PASSWORD), 5):.1f} ms"
    )
    provider = services.local_passwords(svc)
    sessions = []

    def sign_in() -> None:
        sessions.append(services.login(svc, provider, PasswordProof("li.handler", PASSWORD)))

    print(f"password login (hash check, log, session): {per_call_ms(sign_in, 5):.1f} ms")

    raw_session = sessions[-1].session_id
    digest = opaque.digest(raw_session)
    raw_token = services.create_token(svc, admin, TokenRequest("bench", "wang.clerk")).token
    token_digest = opaque.digest(raw_token)
    with engine.connect() as conn:
        session_floor = per_call_ms(
            lambda: conn.execute(
                text("SELECT * FROM sessions WHERE id_hash = :h"), {"h": digest}
            ).all(),
            500,
        )
        token_floor = per_call_ms(
            lambda: conn.execute(
                text("SELECT * FROM api_tokens WHERE token_hash = :h"), {"h": token_digest}
            ).all(),
            500,
        )
    per_session = per_call_ms(lambda: services.authenticate_session(svc, raw_session), 500)
    per_token = per_call_ms(lambda: services.authenticate_token(svc, raw_token), 500)
    print(
        f"authenticate_session: {per_session:.3f} ms  (bare SELECT by key {session_floor:.3f} ms,"
        f" ×{per_session / session_floor:.1f})"
    )
    print(
        f"authenticate_token:   {per_token:.3f} ms  (bare SELECT by key {token_floor:.3f} ms,"
        f" ×{per_token / token_floor:.1f})"
    )

    clerk = services.principal_for(svc, "wang.clerk", "cli:bench")
    handler = services.principal_for(svc, "li.handler", "cli:bench")
    intake = {
        "applicant": {
            "kind": "natural_person",
            "name": "基准",
            "id_number": "BENCH000001",
            "phone": "13800000000",
        },
        "description": "基准测试",
        "channel": "in_person",
    }
    ref = services.register_request(svc, agency_code="county", principal=clerk, intake=intake)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    services.act(svc, ref=ref, action="start_review", payload={}, principal=handler)
    event.remove(engine, "before_cursor_execute", count)
    actor_reads = [s for s in statements if "user_roles" in s]
    print(
        f"one case action: {len(statements)} SQL statements, of which {len(actor_reads)} reads"
        " the actor (account, standing, agency and every role in one)"
    )


if __name__ == "__main__":
    main()
