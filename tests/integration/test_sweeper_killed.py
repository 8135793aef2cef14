"""A sweeper process killed mid-batch (SIGKILL) loses nothing and makes nothing twice (issue 14).

Forty requests registered in person on Monday 2025-09-22 and left in ``registered``: swept
on Saturday 10-25 10:00 (``GOVFLOW_NOW``) by ``govflow sweeper --once --batch 20``, each owes
four firings (its reply's 5-day, 2-day, last-day warnings and breach), 160 in all, in
batches of 20 schedule rows (the correction notice rows, first in time, are stale).

To catch the process inside a batch, this test holds an uncommitted firing under the key of
one breach: the sweeper's batch containing that key waits on it, inside its transaction,
after the batches before it committed. The test then SIGKILLs the sweeper's process group,
releases its own firing, and checks the killed batch left nothing; a new sweeper process
makes every firing of that batch (and the rest) exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from govflow.app import build_services
from govflow.workflow import services
from govflow.workflow.clock import FakeClock
from tests.backing import PG_URL, RedisServer
from tests.cli import cli_env
from tests.conftest import intake, person
from tests.integration.escalating import bj
from tests.integration.receivers import wait_until
from tests.principals import acting

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
CASES, BATCH = 40, 20
OWED = ("assignee_5_days", "head_2_days", "head_last_day", "supervisor_breach")


def schema_url(engine: Engine) -> str:
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def broker_url(redis_server: RedisServer) -> Iterator[str]:
    redis_server.start()
    redis_server.flush(7)
    yield redis_server.url(7)
    redis_server.flush(7)


def sweeper(engine: Engine, broker_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = cli_env(
        schema_url(engine),
        GOVFLOW_BROKER_URL=broker_url,
        GOVFLOW_NOW="2025-10-25T10:00",
        PYTHONUNBUFFERED="1",
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "govflow", "sweeper", "--once", "--batch", str(BATCH)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def firing_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT key FROM firings ORDER BY id")).scalars())


def waiting_on_our_firing(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO firings%'"
                )
            ).scalars()
        )


def alive(engine: Engine, pids: list[int]) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE pid = ANY(:p)"), {"p": pids}
            ).scalars()
        )


def test_a_sweeper_killed_mid_batch_leaves_nothing_and_its_batch_is_made_once_after(
    pg_engine: Engine, calendar, broker_url: str, tmp_path: Path
) -> None:
    svc = build_services(pg_engine, FakeClock(bj("2025-09-22 09:00")), calendar)
    refs = [
        services.register_request(
            svc,
            agency_code="county",
            principal=acting(svc, "wang.clerk"),
            intake=intake(applicant=person(f"申请人{i}", f"61092619900101{i:04d}")),
        )
        for i in range(CASES)
    ]
    with pg_engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT ref, id FROM cases")).all())
    expected = {f"{ids[ref]}:reply:{rule}:0:0" for ref in refs for rule in OWED}
    # The last breach in the schedule's order: its batch comes after earlier ones committed.
    with pg_engine.connect() as conn:
        case_id = conn.execute(
            text(
                "SELECT case_id FROM escalation_schedule WHERE rule = 'supervisor_breach'"
                " ORDER BY id DESC LIMIT 1"
            )
        ).scalar_one()
    held_key = f"{case_id}:reply:supervisor_breach:0:0"

    holder = pg_engine.connect()
    holder.execute(
        text(
            "INSERT INTO firings (key, schedule_id, case_id, deadline_key, rule, level,"
            " outcome, threshold_at, fired_at, late, message, recipients, repeats)"
            " VALUES (:k, NULL, NULL, 'reply', 'supervisor_breach', 'escalation', 'held',"
            " now(), now(), false, 'held', '[]', 1)"
        ),
        {"k": held_key},
    )  # not committed: whoever inserts the same key waits for this transaction. (No
    # reference to the schedule row or the case: a foreign-key check would lock the row,
    # and the sweeper would rightly skip it instead of waiting.)
    killed = sweeper(pg_engine, broker_url, tmp_path / "killed.log")
    try:
        pids = wait_until(lambda: waiting_on_our_firing(pg_engine), 60, interval=0.05)
        committed = firing_keys(pg_engine)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=10)
    finally:
        holder.rollback()
        holder.close()
        if killed.poll() is None:
            os.killpg(killed.pid, signal.SIGKILL)
    # The orphaned server process finds its client gone and rolls the batch back.
    wait_until(lambda: not set(pids) & set(waiting_on_our_firing(pg_engine)), 30)
    wait_until(lambda: not alive(pg_engine, pids), 30)
    after_kill = firing_keys(pg_engine)
    assert after_kill == committed  # nothing of the killed batch was written
    assert held_key not in after_kill and 0 < len(after_kill) < len(expected)
    # Whole batches only: the stale correction-notice rows come first in time (two batches
    # without a firing), then every batch of 20 rows made 20 firings, or none.
    assert len(after_kill) % BATCH == 0 and len(after_kill) >= 3 * CASES
    assert set(after_kill) <= expected and len(set(after_kill)) == len(after_kill)

    again = sweeper(pg_engine, broker_url, tmp_path / "again.log")
    assert again.wait(timeout=120) == 0, (tmp_path / "again.log").read_text("utf-8")
    keys = firing_keys(pg_engine)
    assert len(keys) == len(set(keys)) == len(expected) == CASES * 4
    assert set(keys) == expected  # every firing of the killed batch made, once
    with pg_engine.connect() as conn:
        deliveries, distinct = conn.execute(
            text("SELECT count(*), count(DISTINCT key) FROM deliveries")
        ).one()
        due = conn.execute(
            text("SELECT count(*) FROM escalation_schedule WHERE next_fire_at <= :now"),
            {"now": bj("2025-10-25 10:00")},
        ).scalar_one()
    assert deliveries == distinct == CASES * 4
    assert due == 0
