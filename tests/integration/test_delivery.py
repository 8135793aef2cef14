"""SPEC E-2, E-3, E-4: notifications reach real receivers through a real Redis broker, once.

PostgreSQL (a schema per test) holds the truth; a dramatiq worker runs in this process on
Redis (db 5, flushed before and after); the sweeper is driven with a fake clock past the
thresholds of a disclosure request registered on 2025-09-22 (reply due 2025-10-24). The
messages land in a local SMTP server (aiosmtpd) and a local HTTP server, which record
every arrival, so "once" is counted, not assumed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import dramatiq
import pytest
import redis
import yaml
from sqlalchemy import Engine, text

from govflow import configs
from govflow.app import build_services
from govflow.models.db import session_factory
from govflow.models.org import OrgFile, load_org
from govflow.workers import actors
from govflow.workers.actors import install
from govflow.workers.broker import make_broker
from govflow.workers.channels import build_channels
from govflow.workers.delivery import RetryLater, deliver
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services import Services
from tests.backing import RedisServer
from tests.conftest import intake
from tests.integration.receivers import (
    SmtpReceiver,
    WebhookReceiver,
    refusing_url,
    wait_until,
)
from tests.principals import acting

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LINK = "https://govflow.example.gov.cn/cases/{ref}"
FIVE_DAYS_LEFT = datetime(2025, 10, 17, 10, 0, tzinfo=SHANGHAI)  # reply: 5 working days left
PAST_DUE = datetime(2025, 10, 25, 10, 0, tzinfo=SHANGHAI)  # reply due 2025-10-24 24:00


# -- fixtures ------------------------------------------------------------------------------------


def emails_of(username: str) -> str:
    return f"{username}@gov.example.cn"


def load_org_with_emails(engine: Engine) -> None:
    """The demo organisation, every user given an e-mail address in the organisation file."""
    raw = yaml.safe_load((configs.shipped("demo_org.yaml")).read_text("utf-8"))
    for user in raw["users"]:
        user["email"] = emails_of(user["username"])
    with session_factory(engine)() as session:
        load_org(session, OrgFile.model_validate(raw))
        session.commit()


@pytest.fixture
def pg_svc(pg_engine: Engine, clock: FakeClock, calendar: WorkingCalendar) -> Services:
    load_org_with_emails(pg_engine)
    return build_services(pg_engine, clock, calendar)


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url(5)


@pytest.fixture
def redis_db(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def start_worker(redis_db: redis.Redis, redis_url: str) -> Iterator[Callable[..., dramatiq.Broker]]:
    """Install a Redis broker and run a dramatiq worker in this process; undone afterwards."""
    previous_broker = dramatiq.get_broker()
    previous_runtime = dict(actors._runtime)
    running: list[tuple[dramatiq.Broker, dramatiq.Worker]] = []

    def start(svc: Services, settings: NotificationSettings) -> dramatiq.Broker:
        broker = install(make_broker(redis_url))
        actors.configure(svc, build_channels(settings), settings)
        worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
        worker.start()
        running.append((broker, worker))
        return broker

    try:
        yield start
    finally:
        for broker, worker in running:
            worker.stop()
            broker.close()
        install(previous_broker)
        actors._runtime.clear()
        actors._runtime.update(previous_runtime)


def register(svc: Services) -> str:
    return services.register_request(
        svc,
        agency_code="county",
        principal=acting(svc, "wang.clerk"),
        intake=intake(),
    )


def channel_settings(smtp: SmtpReceiver, webhook_url: str, **extra: Any) -> NotificationSettings:
    return NotificationSettings(
        channels=("log", "email", "webhook"),
        link=LINK,
        smtp_port=smtp.port,
        smtp_timeout_seconds=5,
        webhook_url=webhook_url,
        webhook_timeout_seconds=5,
        **extra,
    )


def deliveries(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every delivery row by its key, with its firing's key."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT d.key, d.id, d.channel, d.recipient, d.address, d.status, d.attempts,"
                " d.last_error, d.sent_at, f.key AS firing_key, f.message"
                " FROM deliveries d JOIN firings f ON f.id = d.firing_id ORDER BY d.id"
            )
        ).mappings()
        return {r["key"]: dict(r) for r in rows}


def firing_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT key FROM firings ORDER BY id")).scalars())


def all_settled(engine: Engine) -> bool:
    """No delivery is pending any more."""
    rows = deliveries(engine).values()
    return bool(rows) and all(r["status"] != "pending" for r in rows)


def message_id(delivery_key: str) -> str:
    return f"<{delivery_key.replace(':', '.')}@govflow>"


# -- the channels, through the worker ------------------------------------------------------------


def test_worker_delivers_every_notification_once_on_every_channel(
    pg_svc: Services, pg_engine: Engine, clock: FakeClock, smtp: SmtpReceiver, start_worker
) -> None:
    svc = pg_svc
    ref = register(svc)
    with WebhookReceiver() as hook:
        settings = channel_settings(smtp, hook.url)
        start_worker(svc, settings)

        clock.set(FIVE_DAYS_LEFT)
        first = sweep(svc, actors.deliver.send, settings)
        assert "1:reply:assignee_5_days:0:0" in first.fired
        wait_until(lambda: all_settled(pg_engine), 20)

        clock.set(PAST_DUE)
        second = sweep(svc, actors.deliver.send, settings)
        assert {k.rsplit(":", 3)[0] for k in second.fired} == {"1:reply"}
        assert len(second.fired) == 3  # head_2_days, head_last_day, supervisor_breach
        wait_until(lambda: all_settled(pg_engine), 20)

        rows = deliveries(pg_engine)
        assert {r["status"] for r in rows.values()} == {"sent"}, rows
        assert all(r["attempts"] == 1 and r["last_error"] is None for r in rows.values())
        fired = firing_keys(pg_engine)
        assert sorted(fired) == sorted(first.fired + second.fired)
        assert Counter(r["channel"] for r in rows.values()) == {
            "log": len(fired),
            "email": len(fired),
            "webhook": len(fired),
        }

        # E-mail: one message per e-mail delivery, to the person's address, keyed by the
        # delivery, saying which case, which limit, how long is left, and where to act.
        link = LINK.format(ref=quote(ref, safe=""))
        mails = smtp.received()
        by_id = Counter(m.message_id for m in mails)
        emailed = {k: r for k, r in rows.items() if r["channel"] == "email"}
        assert by_id == Counter({message_id(k): 1 for k in emailed})
        for mail in mails:
            row = next(r for k, r in emailed.items() if message_id(k) == mail.message_id)
            assert mail.rcpt_tos == (emails_of(row["recipient"]),)
            assert str(mail.message["To"]) == emails_of(row["recipient"])
            subject, _, body = row["message"].partition("\n")
            assert mail.subject == subject
            # Where to act: the case's web address (its number percent-encoded), never a
            # command line; the stored message has none (the notification centre links).
            assert mail.body.strip().splitlines() == [body, f"办理入口：{link}"]
            assert ref in mail.subject and ref in mail.body
            assert "办理入口" not in row["message"] and "govflow case show" not in mail.body
            if row["firing_key"].startswith("1:reply:"):
                assert "答复期限" in mail.subject and "2025-10-24 24:00" in mail.body
        five = next(
            m for m in mails if "assignee_5_days" in m.message_id and "reply" in m.message_id
        )
        assert five.subject == f"【预警】{ref} 答复期限还剩 5 个工作日"
        assert "答复期限将于 2025-10-24 24:00（北京时间）届满，还剩 5 个工作日" in five.body
        assert five.rcpt_tos == (emails_of("zhang.head"),)  # nobody assigned: the office head
        breach = next(m for m in mails if "supervisor_breach" in m.message_id)
        assert breach.subject == f"【督办】{ref} 答复期限已超期 1 个工作日"
        assert "答复期限已于 2025-10-24 24:00（北京时间）届满，已超期 1 个工作日" in breach.body
        assert breach.rcpt_tos == (emails_of("chen.supervisor"),)

        # Webhook: one JSON POST per webhook delivery, Idempotency-Key = the delivery key.
        hooks = hook.received()
        webhooked = {k for k, r in rows.items() if r["channel"] == "webhook"}
        assert hook.counts() == Counter({k: 1 for k in webhooked})
        for h in hooks:
            assert h.payload["key"] == h.key
            assert h.payload["case_ref"] == ref
            assert h.payload["text"] == f"{rows[h.key]['message']}\n办理入口：{link}"
            assert h.payload["link"] == link

        # Sweeping again makes no firing and hands nothing over: all is recorded as sent.
        again = sweep(svc, actors.deliver.send, settings)
        assert (again.fired, again.enqueued) == ([], 0)
        time.sleep(0.5)
        assert firing_keys(pg_engine) == fired
        assert len(smtp.received()) == len(mails) and len(hook.received()) == len(hooks)


# -- a failing channel ---------------------------------------------------------------------------


def test_refused_webhook_is_recorded_never_sent_and_blocks_no_other_channel(
    pg_svc: Services, pg_engine: Engine, clock: FakeClock, smtp: SmtpReceiver
) -> None:
    """The delivery code itself, called as the worker calls it, attempt after attempt."""
    svc = pg_svc
    register(svc)
    url = refusing_url()
    settings = channel_settings(smtp, url, max_attempts=3)
    channels = build_channels(settings)
    clock.set(PAST_DUE)
    handed: list[int] = []
    report = sweep(svc, handed.append, settings)
    assert len(handed) == 3 * len(report.fired)

    def attempt_all() -> dict[int, str]:
        outcomes = {}
        for delivery_id in handed:
            try:
                outcomes[delivery_id] = deliver(svc, delivery_id, channels, settings)
            except RetryLater:
                outcomes[delivery_id] = "retry"
        return outcomes

    first = attempt_all()
    rows = deliveries(pg_engine)
    for r in rows.values():
        if r["channel"] == "webhook":
            assert first[r["id"]] == "retry"
            assert (r["status"], r["attempts"], r["sent_at"]) == ("pending", 1, None)
            assert r["last_error"].startswith(f"webhook {url}:")
            assert "refused" in r["last_error"].lower()
        else:  # the same firing's e-mail and log went out regardless
            assert first[r["id"]] == "sent"
            assert (r["status"], r["attempts"]) == ("sent", 1)
    assert len(smtp.received()) == len(report.fired)

    second, third, fourth = attempt_all(), attempt_all(), attempt_all()
    rows = deliveries(pg_engine)
    for r in rows.values():
        if r["channel"] == "webhook":
            assert (second[r["id"]], third[r["id"]], fourth[r["id"]]) == (
                "retry",
                "failed",
                "skipped",
            )
            assert (r["status"], r["attempts"], r["sent_at"]) == ("failed", 3, None)
            assert "refused" in r["last_error"].lower()
        else:
            assert second[r["id"]] == third[r["id"]] == fourth[r["id"]] == "skipped"
            assert r["status"] == "sent"
    assert len(smtp.received()) == len(report.fired)  # nothing sent twice meanwhile


def test_failing_webhook_is_retried_with_backoff_by_the_broker_then_marked_failed(
    pg_svc: Services, pg_engine: Engine, clock: FakeClock, smtp: SmtpReceiver, start_worker
) -> None:
    svc = pg_svc
    register(svc)
    with WebhookReceiver(status=500) as hook:
        settings = channel_settings(smtp, hook.url, max_attempts=3)
        start_worker(svc, settings)
        clock.set(PAST_DUE)
        report = sweep(svc, actors.deliver.send, settings)
        started = time.monotonic()
        wait_until(lambda: all_settled(pg_engine), 30)
        settled = time.monotonic() - started

        rows = deliveries(pg_engine)
        webhook = {k: r for k, r in rows.items() if r["channel"] == "webhook"}
        assert len(webhook) == len(report.fired)
        for r in webhook.values():
            assert (r["status"], r["attempts"], r["sent_at"]) == ("failed", 3, None)
            assert "500" in r["last_error"]
        others = [r for r in rows.values() if r["channel"] != "webhook"]
        assert {r["status"] for r in others} == {"sent"}
        assert all(r["attempts"] == 1 for r in others)

        # Three attempts per key, each after a longer wait (dramatiq: 1–2 s, then 2–4 s).
        hooks = hook.received()
        assert hook.counts() == Counter({k: 3 for k in webhook})
        for key in webhook:
            at = [h.at for h in hooks if h.key == key]
            assert at[1] - at[0] >= 0.95, at
            assert at[2] - at[1] >= 1.95, at
        # ... and the retries held up no other channel: every e-mail was out before any
        # webhook delivery had even had its second attempt.
        mails = smtp.received()
        assert len(mails) == len(report.fired)
        second_attempts = [[h.at for h in hooks if h.key == key][1] for key in webhook]
        assert max(m.at for m in mails) < min(second_attempts)
        assert settled < 20


# -- redelivery --------------------------------------------------------------------------------


def test_the_same_delivery_sent_twice_reaches_the_receiver_once(
    pg_svc: Services, pg_engine: Engine, clock: FakeClock, smtp: SmtpReceiver, start_worker
) -> None:
    """Every message is handed to the broker twice, at once: two worker threads take the
    twins together; the row lock makes one wait until the other has sent and recorded it,
    and it then finds the delivery sent. The first webhook call is held for a second, so
    its twin is certainly waiting on the lock."""
    svc = pg_svc
    register(svc)
    with WebhookReceiver(hold_first=1.0) as hook:
        settings = channel_settings(smtp, hook.url)
        broker = start_worker(svc, settings)
        clock.set(PAST_DUE)

        def twice(delivery_id: int) -> None:
            actors.deliver.send(delivery_id)
            actors.deliver.send(delivery_id)

        report = sweep(svc, twice, settings)
        assert report.enqueued == 3 * len(report.fired)
        wait_until(lambda: all_settled(pg_engine), 20)
        broker.join("govflow", timeout=10_000)
        time.sleep(0.5)  # a twin still running would arrive now

        rows = deliveries(pg_engine)
        assert {r["status"] for r in rows.values()} == {"sent"}
        assert all(r["attempts"] == 1 for r in rows.values())
        emailed = [k for k, r in rows.items() if r["channel"] == "email"]
        webhooked = [k for k, r in rows.items() if r["channel"] == "webhook"]
        assert Counter(m.message_id for m in smtp.received()) == Counter(
            {message_id(k): 1 for k in emailed}
        )
        assert hook.counts() == Counter({k: 1 for k in webhooked})

        # Long after: the broker hands every delivery over once more (a redelivered message).
        for r in rows.values():
            actors.deliver.send(r["id"])
        broker.join("govflow", timeout=10_000)
        time.sleep(0.5)
        assert len(smtp.received()) == len(emailed)
        assert hook.counts() == Counter({k: 1 for k in webhooked})
        assert deliveries(pg_engine) == rows


def test_message_text_names_no_personal_data(
    pg_svc: Services, pg_engine: Engine, clock: FakeClock
) -> None:
    """What leaves through a channel carries the case reference, never the applicant."""
    register(pg_svc)
    clock.set(PAST_DUE)
    sweep(pg_svc, lambda _id: None, NotificationSettings(channels=("log",)))
    messages = [r["message"] for r in deliveries(pg_engine).values()]
    assert messages
    for message in messages:
        assert not re.search(r"张三|610926199001011234|13800000000", message)
