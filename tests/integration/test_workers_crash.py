"""SPEC E-2, E-4 with real processes: workers killed, Redis restarted, the embedded runtime.

A dramatiq worker runs as its own process group (``python -m dramatiq govflow.workers.actors``,
what ``govflow worker`` runs) on PostgreSQL (this test's schema) and Redis (db 6, flushed
before and after); the sweeper runs here with a fake clock past the thresholds of a
disclosure request. The webhook receiver holds the very first request for up to 30 s, so
a worker can be killed while it is inside a delivery. Every worker is killed in a
``finally``; Redis, if stopped, is started again in a ``finally``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import dramatiq
import pytest
import redis
import yaml
from sqlalchemy import Engine, text

from govflow.app import build_services
from govflow.workers import actors
from govflow.workers.actors import install
from govflow.workers.broker import HEARTBEAT_TIMEOUT_MS, make_broker
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services import Services
from tests import cli_fork
from tests.backing import PG_URL, RedisServer
from tests.conftest import intake
from tests.integration.receivers import WebhookReceiver, wait_until
from tests.principals import acting

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
PAST_DUE = datetime(2025, 10, 25, 10, 0, tzinfo=SHANGHAI)  # reply due 2025-10-24 24:00
REDELIVER_AFTER = 2.0  # seconds: the sweeper re-hands a delivery not sent by then
QUEUE = "dramatiq:govflow"  # the Redis list of the govflow queue
# What the sweep at PAST_DUE owes: the reply limit's 5-day, 2-day and last-day warnings and
# its breach. (Not the correction notice's last day, 2025-09-30: that limit passed unused
# weeks before, and a limit that no longer runs is never warned about, issue 14 item 3.)
FIRED = 4


# -- Redis ---------------------------------------------------------------------------------------


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url(6)


@pytest.fixture
def redis_db(redis_server: RedisServer, redis_url: str) -> Iterator[redis.Redis]:
    redis_server.start()
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    try:
        yield client
    finally:
        redis_server.start()  # whatever the test did to it
        client.flushdb()
        client.close()


@pytest.fixture
def sweeper_broker(redis_db: redis.Redis, redis_url: str) -> Iterator[dramatiq.Broker]:
    """This process sends to the same Redis as the worker processes consume from."""
    previous = dramatiq.get_broker()
    broker = install(make_broker(redis_url))
    try:
        yield broker
    finally:
        broker.close()
        install(previous)


# -- worker processes ----------------------------------------------------------------------------


class Workers:
    """``python -m dramatiq govflow.workers.actors`` processes, each in its own process group."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dramatiq",
                "govflow.workers.actors",
                "--processes",
                "1",
                "--threads",
                "1",
                "--queues",
                "govflow",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the whole group: the dramatiq parent and its forked worker process."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)

    def kill_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)

    def output(self) -> str:
        return "\n".join(
            f"--- {p.name} ---\n{p.read_text('utf-8', 'replace')[-4000:]}"
            for p in sorted(self.logs.glob("worker-*.log"))
        )


def schema_url(engine: Engine) -> str:
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(hold_first=30.0) as receiver:
        yield receiver


@pytest.fixture
def settings(tmp_path: Path, webhook: WebhookReceiver) -> tuple[NotificationSettings, Path]:
    """One settings file for the worker processes; the same values for the sweeper here."""
    values = {
        "channels": ["webhook"],
        "webhook_url": webhook.url,
        "webhook_timeout_seconds": 60,
        "redeliver_after_seconds": REDELIVER_AFTER,
        "max_attempts": 5,
    }
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({"notifications": values}), encoding="utf-8")
    return NotificationSettings.model_validate(values), path


@pytest.fixture
def workers(
    pg_engine: Engine, settings: tuple[NotificationSettings, Path], tmp_path: Path, redis_url: str
) -> Iterator[Workers]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVFLOW_", "dramatiq_"))}
    env.update(
        GOVFLOW_DATABASE_URL=schema_url(pg_engine),
        GOVFLOW_BROKER_URL=redis_url,
        GOVFLOW_SETTINGS=str(settings[1]),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        GOVFLOW_MODE="test",
        GOVFLOW_CHAIN_KEY=os.environ["GOVFLOW_CHAIN_KEY"],
        PYTHONUNBUFFERED="1",
    )
    pool = Workers(env, tmp_path)
    try:
        yield pool
    finally:
        pool.kill_all()


# -- the case and what the database says ---------------------------------------------------------


@pytest.fixture
def pg_svc(pg_engine: Engine, clock: FakeClock, calendar: WorkingCalendar) -> Services:
    return build_services(pg_engine, clock, calendar)


def register_overdue(svc: Services, clock: FakeClock) -> str:
    ref = services.register_request(
        svc,
        agency_code="county",
        principal=acting(svc, "wang.clerk"),
        intake=intake(),
    )
    clock.set(PAST_DUE)
    return ref


def deliveries(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT key, status, attempts, last_error FROM deliveries ORDER BY id")
        ).mappings()
        return {r["key"]: dict(r) for r in rows}


def firings(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT count(*), count(DISTINCT key) FROM firings")).one())


def all_sent(engine: Engine) -> bool:
    rows = deliveries(engine).values()
    return bool(rows) and all(r["status"] == "sent" for r in rows)


# -- a worker killed inside a delivery -----------------------------------------------------------


@pytest.mark.parametrize("recovery", ["sweeper", "broker"])
def test_worker_killed_mid_delivery_the_notification_still_arrives_once(
    recovery: str,
    pg_svc: Services,
    pg_engine: Engine,
    clock: FakeClock,
    webhook: WebhookReceiver,
    settings: tuple[NotificationSettings, Path],
    sweeper_broker: dramatiq.Broker,
    workers: Workers,
) -> None:
    """recovery=sweeper: the next sweep re-hands what was not sent within
    ``redeliver_after_seconds``. recovery=broker: no sweep helps; the Redis broker gives the
    dead worker's unacknowledged messages to the new worker once its heartbeat is older than
    ``HEARTBEAT_TIMEOUT_MS``."""
    config = settings[0]
    register_overdue(pg_svc, clock)
    began = time.monotonic()
    first = workers.start()
    report = sweep(pg_svc, actors.deliver.send, config)
    assert len(report.fired) == report.enqueued == FIRED, report
    wait_until(webhook.first_arrived.is_set, 30)
    held = webhook.received()[0].key

    Workers.kill(first)  # SIGKILL while its only thread waits for the webhook's answer
    killed_at = time.monotonic()
    # The killed transaction is rolled back: the delivery is still pending, not sent.
    wait_until(lambda: deliveries(pg_engine)[held]["status"] == "pending", 10)
    assert deliveries(pg_engine)[held]["attempts"] == 0
    webhook.release()

    workers.start()
    if recovery == "sweeper":
        clock.advance(timedelta(seconds=REDELIVER_AFTER + 1))
        again = sweep(pg_svc, actors.deliver.send, config)
        assert again.fired == [] and again.enqueued >= 1, again
        limit = 30
    else:
        again = sweep(pg_svc, actors.deliver.send, config)  # the database sees it in flight
        assert (again.fired, again.enqueued) == ([], 0)
        limit = HEARTBEAT_TIMEOUT_MS / 1000 + 25
    try:
        wait_until(lambda: all_sent(pg_engine), limit, interval=0.2)
    except AssertionError:
        raise AssertionError(f"{deliveries(pg_engine)}\n{workers.output()}") from None
    recovered = time.monotonic() - killed_at

    rows = deliveries(pg_engine)
    counts = webhook.counts()
    # Exactly one distinct key per delivery reached the receiver. The held one twice, raw:
    # the killed worker had handed it over but not recorded it; its key lets the receiver
    # drop the second copy. Every other key arrived once.
    assert set(counts) == set(rows)
    assert counts[held] == 2
    assert all(n == 1 for key, n in counts.items() if key != held), counts
    assert all(r["status"] == "sent" for r in rows.values())
    assert firings(pg_engine) == (FIRED, FIRED)
    after = sweep(pg_svc, actors.deliver.send, config)
    assert (after.fired, after.enqueued) == ([], 0)
    assert firings(pg_engine) == (FIRED, FIRED)
    print(
        f"\n[crash/{recovery}] raw arrivals by key: {dict(counts)}; recovered "
        f"{recovered:.1f} s after SIGKILL; test {time.monotonic() - began:.1f} s"
    )


# -- Redis restarted with deliveries queued ------------------------------------------------------


def test_redis_restarted_with_deliveries_queued_nothing_is_lost(
    pg_svc: Services,
    pg_engine: Engine,
    clock: FakeClock,
    webhook: WebhookReceiver,
    settings: tuple[NotificationSettings, Path],
    redis_db: redis.Redis,
    redis_server: RedisServer,
    sweeper_broker: dramatiq.Broker,
    workers: Workers,
) -> None:
    """The worker is busy inside the first delivery (held by the receiver) and the rest wait
    in Redis when Redis goes down without saving. The worker and this sweeper live through
    the outage; the database still knows what was not sent, and the next sweep hands it over
    again."""
    config = settings[0]
    register_overdue(pg_svc, clock)
    began = time.monotonic()
    workers.start()
    report = sweep(pg_svc, actors.deliver.send, config)
    assert len(report.fired) == report.enqueued == FIRED, report
    wait_until(webhook.first_arrived.is_set, 30)
    waiting = redis_db.llen(QUEUE)
    assert waiting >= 1  # handed to the broker, not consumed by any worker

    redis_server.stop()
    try:
        assert not redis_server.answers()
    finally:
        redis_server.start()
    restarted = time.monotonic()
    assert redis_db.llen(QUEUE) == 0  # the queued messages are gone with it
    webhook.release()  # the busy worker finishes its delivery

    clock.advance(timedelta(seconds=REDELIVER_AFTER + 1))
    again = sweep(pg_svc, actors.deliver.send, config)  # through the reconnected broker
    assert again.fired == [] and again.enqueued >= waiting, again
    try:
        wait_until(lambda: all_sent(pg_engine), 30, interval=0.2)
    except AssertionError:
        raise AssertionError(f"{deliveries(pg_engine)}\n{workers.output()}") from None
    recovered = time.monotonic() - restarted

    rows = deliveries(pg_engine)
    counts = webhook.counts()
    assert counts == Counter({key: 1 for key in rows}), counts
    assert firings(pg_engine) == (FIRED, FIRED)
    print(
        f"\n[redis restart] {waiting} queued messages lost, all {len(rows)} delivered once "
        f"{recovered:.1f} s after the restart; test {time.monotonic() - began:.1f} s"
    )


# -- govflow run ---------------------------------------------------------------------------------


def test_govflow_run_fires_delivers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """The embedded all-in-one: started on an empty SQLite file (it migrates and loads the
    organisation), it picks up a request registered meanwhile with its reply limit long
    past, fires its ladder and delivers through the log; Ctrl-C stops it cleanly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVFLOW_", "dramatiq_"))}
    env.update(
        GOVFLOW_DATABASE_URL=f"sqlite:///{tmp_path / 'govflow.db'}",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        GOVFLOW_MODE="test",
        GOVFLOW_CHAIN_KEY=os.environ["GOVFLOW_CHAIN_KEY"],
        PYTHONUNBUFFERED="1",
    )
    org = str(ROOT / "configs" / "demo_org.yaml")

    def govflow(*args: str, now: str | None = None) -> str:
        proc = cli_fork.run(
            [sys.executable, "-m", "govflow", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**env, "GOVFLOW_NOW": now} if now else env,
            cwd=tmp_path,
            timeout=60,
        )
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc.stdout

    def delivered() -> list[dict]:
        rows = json.loads(govflow("escalation", "list", "--as", "chen.supervisor", "--json"))
        statuses = [s for r in rows for s in r["deliveries"].values()]
        return rows if statuses and all(s == "sent" for s in statuses) else []

    out_path = tmp_path / "run.out"
    with out_path.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "govflow", "run", "--org", org, "--interval", "0.5"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: "按 Ctrl-C 停止" in out_path.read_text("utf-8"), 30)
        long_ago = (date.today() - timedelta(days=90)).isoformat()
        govflow(
            "request",
            "register",
            "--as",
            "wang.clerk",
            "--channel",
            "in_person",
            "--applicant-kind",
            "natural_person",
            "--name",
            "张三",
            "--id-number",
            "610926199001011234",
            "--phone",
            "13800000000",
            "--description",
            "2024年县级财政预算公开表",
            "--received-on",
            long_ago,
            now=f"{long_ago}T09:00",
        )
        rows = wait_until(delivered, 30, interval=0.3)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    output = out_path.read_text("utf-8")
    assert code == 0, output
    assert "govflow 单机运行中" in output and "扫描：触发" in output
    assert output.rstrip().endswith("已停止。"), output[-2000:]
    rules = {r["rule"] for r in rows if r["deadline_key"] == "reply"}
    assert {"assignee_5_days", "head_2_days", "head_last_day", "supervisor_breach"} <= rules
    assert all(r["late"] for r in rows)
