"""Backing services the suite starts for itself, so it never touches what it did not start.

The machine's own PostgreSQL and Redis may serve other work: the suite creates a database
of its own for each run on the server named by ``GOVFLOW_TEST_PG_URL`` (dropped at the
end), and every test that flushes, stops or restarts Redis does so on a ``redis-server``
it started on a free port. Two runs on one machine never collide.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import text
from sqlalchemy.engine import make_url

from govflow.models.db import make_engine, normalize_url

ADMIN_PG_URL = normalize_url(
    os.environ.get("GOVFLOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
RUN_DATABASE = f"govflow_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
PG_URL = make_url(ADMIN_PG_URL).set(database=RUN_DATABASE).render_as_string(hide_password=False)
"""This run's own database on the server of ``GOVFLOW_TEST_PG_URL``."""


def create_run_database() -> None:
    admin = make_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{RUN_DATABASE}"'))
    admin.dispose()


def drop_run_database() -> None:
    admin = make_engine(ADMIN_PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A ``redis-server`` of the suite's own, on a free loopback port, keeping nothing on disk."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def answers(self) -> bool:
        client = redis.Redis(
            port=self.port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "redis.log").open("ab")
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        _wait(self.answers, 15, f"redis-server on port {self.port} did not answer")

    def stop(self) -> None:
        """Stop it the hard way: nothing saved, every queued message gone."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(timeout=15)
        self.process = None

    def flush(self, db: int) -> None:
        client = redis.Redis.from_url(self.url(db))
        client.flushdb()
        client.close()


def _wait(predicate: object, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(message)
