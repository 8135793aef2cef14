"""The suite's backing services answer for real; CI fails (never skips) when they do not.

Only answers are checked on the machine's Redis (``GOVFLOW_TEST_REDIS_URL``): the tests
that write to Redis use the suite's own server (``redis_server``).
"""

import os

import redis
from sqlalchemy import text

from govflow.models.db import make_engine
from tests.backing import PG_URL, RedisServer

REDIS_URL = os.environ.get("GOVFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_postgresql_answers_in_this_runs_own_database() -> None:
    engine = make_engine(PG_URL)
    with engine.connect() as conn:
        assert (
            conn.execute(text("select current_database()")).scalar_one().startswith("govflow_test_")
        )
    engine.dispose()


def test_the_machines_redis_answers() -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    assert client.ping()
    client.close()


def test_the_suites_own_redis_answers(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url(1))
    client.set("govflow:test:ping", "1", ex=10)
    assert client.get("govflow:test:ping") == b"1"
    client.close()
