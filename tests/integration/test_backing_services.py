"""The suite's backing services answer for real; CI fails (never skips) when they do not."""

import redis
from sqlalchemy import text

from models.db import make_engine
from tests.conftest import PG_URL


def test_postgresql_answers() -> None:
    engine = make_engine(PG_URL)
    with engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar_one() == 1
    engine.dispose()


def test_redis_answers() -> None:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=5)
    assert client.ping()
    client.set("govflow:test:ping", "1", ex=10)
    assert client.get("govflow:test:ping") == b"1"
